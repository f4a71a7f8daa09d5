// Draws a river's GeoJSON LineString over the shared base map (static/js/map.js).
(function () {
  var el = document.getElementById("river-map");
  var data = document.getElementById("river-geometry");
  if (!el || !data || !window.L || !window.RiverMap) return;
  var geometry = JSON.parse(data.textContent);
  var map = RiverMap.create(el, { scrollWheelZoom: false });
  var layer = L.geoJSON(geometry, { style: { color: "#1d5fa8", weight: 5 } }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [20, 20] });
})();
