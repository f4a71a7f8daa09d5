// Draws a patrol's track (and the river's line, when the registry has one) with Leaflet.
// The base map (tiles or the registry's river courses) comes from static/js/map.js.
(function () {
  var el = document.getElementById("map");
  var data = JSON.parse(document.getElementById("map-data").textContent);
  if (!el || !window.L || !window.RiverMap || !data.track.length) return;
  var map = RiverMap.create(el);
  var layers = [];
  if (data.river && data.river.coordinates) {
    var lines = data.river.type === "MultiLineString" ? data.river.coordinates : [data.river.coordinates];
    lines.forEach(function (line) {
      layers.push(L.polyline(line.map(function (c) { return [c[1], c[0]]; }), { color: "#3b82c4", weight: 8, opacity: 0.4 }).addTo(map));
    });
  }
  var track = L.polyline(data.track, { color: "#c0392b", weight: 3 }).addTo(map);
  L.circleMarker(data.track[0], { radius: 6, color: "#1e8449" }).addTo(map);
  L.circleMarker(data.track[data.track.length - 1], { radius: 6, color: "#c0392b" }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  map.fitBounds(L.featureGroup([track].concat(layers)).getBounds(), { padding: [20, 20] });
})();
