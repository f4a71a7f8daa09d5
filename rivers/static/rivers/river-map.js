// Draws a river's GeoJSON LineString on a Leaflet map (tiles optional: offices may be offline).
(function () {
  var el = document.getElementById("river-map");
  var data = document.getElementById("river-geometry");
  if (!el || !data || !window.L) return;
  var geometry = JSON.parse(data.textContent);
  var map = L.map(el, { scrollWheelZoom: false });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
  }
  var layer = L.geoJSON(geometry, { style: { color: "#1d5fa8", weight: 5 } }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [20, 20] });
})();
