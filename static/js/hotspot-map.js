/* The dashboard's hot spots: one circle per grid cell with signals, sized by how many; the
   numbers come from the page ({spots: [[lat, lng, count], ...]}), tiles from the configured
   server. The same numbers are in a table under the map. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("hotspot-map");
    var source = document.getElementById("hotspot-map-config");
    if (!element || !source || !window.L) return;
    var config = JSON.parse(source.textContent);
    var map = L.map(element).setView([52.1, 5.3], 7);
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution }).addTo(map);
    }
    var most = config.spots.reduce(function (m, s) { return Math.max(m, s[2]); }, 1);
    var circles = config.spots.map(function (s) {
      return L.circle([s[0], s[1]], {
        radius: 30 + 90 * Math.sqrt(s[2] / most),
        color: "#b35c00", weight: 1, fillColor: "#e69f00", fillOpacity: 0.55
      }).bindTooltip(String(s[2]));
    });
    if (circles.length) {
      var group = L.featureGroup(circles).addTo(map);
      map.fitBounds(group.getBounds().pad(0.1), { maxZoom: 16 });
    }
    element.dataset.loaded = String(circles.length);
  });
})();
