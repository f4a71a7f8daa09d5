// The town map of the overview: layers from /overview/map.geojson on top of the base layer of
// static/js/map.js (the town's own geometry when no tile server is configured).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L || !window.RiverMap) return;
  var labels = JSON.parse(document.getElementById("map-labels").textContent);
  // Water class colours, Class I (blue) to worse than Class V (dark red); grey without data.
  var CLASS_COLOURS = { 1: "#2c7fb8", 2: "#41b6c4", 3: "#31a354", 4: "#fdae61", 5: "#f46d43", 6: "#a50026" };
  var NO_DATA = "#9aa5b1";

  var map = RiverMap.create(el, { preferCanvas: false });
  map.setView([30.9, 121.17], 12);

  function open(feature) {
    if (feature.properties.url) window.location.href = feature.properties.url;
  }

  function bind(feature, layer) {
    if (feature.properties.name) layer.bindTooltip(feature.properties.name + (feature.properties.class_label ? " · " + feature.properties.class_label : ""));
    layer.on("click", function () { open(feature); });
  }

  function circle(colour, radius) {
    return function (feature, latlng) {
      return L.circleMarker(latlng, { radius: radius, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 0.95 });
    };
  }

  var STYLES = {
    villages: { style: { color: "#6b7785", weight: 1, dashArray: "4 3", fillOpacity: 0.04 } },
    rivers: { style: function (f) { return { color: CLASS_COLOURS[f.properties.water_class] || NO_DATA, weight: 4, opacity: 0.9 }; } },
    black_odour: { style: { color: "#111", weight: 9, opacity: 0.45 } },
    gates: { pointToLayer: circle("#5b3f8c", 5) },
    points: { pointToLayer: circle("#1d5fa8", 5) },
    sites: { pointToLayer: circle("#0f8a8a", 4) },
    orders: { pointToLayer: function (f, latlng) { return circle(f.properties.overdue ? "#c0392b" : "#b7791f", 7)(f, latlng); } },
    tracks: { style: { color: "#1e7d32", weight: 2, opacity: 0.7, dashArray: "2 4" } },
  };
  var ORDER = ["villages", "rivers", "black_odour", "tracks", "gates", "points", "sites", "orders"];

  // Built with the DOM API (no markup strings), so a strict Content-Security-Policy allows it.
  function swatch(box, colour, text, thick) {
    var item = document.createElement("span");
    var mark = document.createElement("i");
    mark.style.background = colour;
    if (thick) { mark.style.opacity = "0.45"; mark.style.height = ".6rem"; }
    item.appendChild(mark);
    item.appendChild(document.createTextNode(text));
    box.appendChild(item);
  }

  function legend() {
    var box = document.getElementById("map-legend");
    if (!box) return;
    box.textContent = "";
    for (var c = 1; c <= 6; c++) swatch(box, CLASS_COLOURS[c], labels.classes[c]);
    swatch(box, NO_DATA, labels.no_data);
    swatch(box, "#111", labels.layers.black_odour, true);
  }

  el.dataset.layers = "loading";
  fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (collection) {
      var groups = {};
      ORDER.forEach(function (name) { groups[name] = []; });
      collection.features.forEach(function (f) { if (groups[f.properties.layer]) groups[f.properties.layer].push(f); });
      var overlays = {};
      var bounds = L.latLngBounds([]);
      ORDER.forEach(function (name) {
        var options = Object.assign({ onEachFeature: bind }, STYLES[name]);
        var layer = L.geoJSON({ type: "FeatureCollection", features: groups[name] }, options);
        layer.addTo(map);
        overlays[labels.layers[name] + " (" + groups[name].length + ")"] = layer;
        if (groups[name].length && layer.getBounds().isValid()) bounds.extend(layer.getBounds());
      });
      L.control.layers(null, overlays, { collapsed: window.matchMedia("(max-width: 600px)").matches }).addTo(map);
      // No animation: "loaded" then means the features stand where they will stay (a click test
      // aimed at a river during a zoom animation missed it).
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
      legend();
      el.dataset.layers = "loaded";
      el.dataset.features = String(collection.features.length);
    })
    .catch(function () { el.dataset.layers = "failed"; });
})();
