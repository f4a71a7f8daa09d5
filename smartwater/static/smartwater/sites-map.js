// The monitoring sites on the shared base map (static/js/map.js): one dot per site, coloured by
// status, with its name, river or gate and parameters on click.
(function () {
  "use strict";
  var el = document.getElementById("sites-map");
  if (!el || !window.L || !window.RiverMap) return;
  var COLOURS = { proposed: "#9aa5b1", surveyed: "#e0a030", approved: "#2f7ed8", installed: "#2e9d5b" };
  var map = RiverMap.create(el, { scrollWheelZoom: false });
  map.setView([30.9, 121.17], 12);
  fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, {
            radius: 5, weight: 1, color: "#fff", fillOpacity: 0.9,
            fillColor: COLOURS[feature.properties.status] || "#555",
          });
        },
        onEachFeature: function (feature, marker) {
          var p = feature.properties;
          var text = document.createElement("div");
          text.textContent = p.code + " " + p.name + " · " + p.status_label +
            " · " + (p.river || p.gate || "") + (p.parameters.length ? " · " + p.parameters.join("、") : "");
          marker.bindPopup(text);
        },
      }).addTo(map);
      if (collection.features.length) map.fitBounds(layer.getBounds(), { padding: [20, 20] });
      el.dataset.sites = String(collection.features.length);
    });
})();
