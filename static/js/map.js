// One way to set up a Leaflet map on every page (river, patrol, the town map of the overview).
//
// The embedded default asks nothing outside the machine: with no tile URL configured
// (settings.MAP_TILE_URL) the base layer is the town's own geometry, the registry's river
// courses fetched from this site. An attribution is shown only for a layer that loaded:
// a tile server's credit after its first tile arrived, the registry's once its courses drew.
//
// Usage: load leaflet.js and this file, put {% map_config %} in the page, then
//   var map = RiverMap.create(element, {scrollWheelZoom: false});
(function () {
  "use strict";

  function config() {
    var node = document.getElementById("map-config");
    return node ? JSON.parse(node.textContent) : {};
  }

  var BASE_STYLE = {
    river: { color: "#7fa7cf", weight: 2, opacity: 0.8 },
    boundary: { color: "#9aa5b1", weight: 1, dashArray: "4 3", fill: false },
  };

  function baseStyle(feature) {
    var type = feature.geometry && feature.geometry.type;
    return type === "Polygon" || type === "MultiPolygon" ? BASE_STYLE.boundary : BASE_STYLE.river;
  }

  function addTiles(map, cfg) {
    var tiles = L.tileLayer(cfg.tiles, { maxZoom: 18 });
    var credited = false;
    tiles.on("tileload", function () {
      if (credited || !cfg.attribution) return;
      credited = true;
      map.attributionControl.addAttribution(cfg.attribution);
    });
    tiles.addTo(map);
    return tiles;
  }

  function addBase(map, el, cfg) {
    el.dataset.base = "loading";
    return fetch(cfg.base_url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(collection, { style: baseStyle, interactive: false });
        layer.addTo(map);
        layer.bringToBack();
        if (collection.features && collection.features.length && cfg.base_attribution) {
          map.attributionControl.addAttribution(cfg.base_attribution);
        }
        el.dataset.base = "loaded";
        return layer;
      })
      .catch(function () {
        el.dataset.base = "failed";
      });
  }

  function create(el, options) {
    var cfg = config();
    var map = L.map(el, options || {});
    map.attributionControl.setPrefix(false);
    if (cfg.tiles) {
      addTiles(map, cfg);
    } else if (cfg.base_url) {
      addBase(map, el, cfg);
    }
    return map;
  }

  window.RiverMap = { create: create, config: config };
})();
