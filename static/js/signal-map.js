/* The portal's signal map: the filtered signals as markers; tiles from the configured server. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("signal-map");
    var config = JSON.parse(document.getElementById("signal-map-config").textContent);
    if (!element || !window.L) return;
    L.Icon.Default.imagePath = element.dataset.images || "/static/vendor/leaflet/images/";
    var map = L.map(element).setView([52.1, 5.3], 7);
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution }).addTo(map);
    }
    fetch(config.data, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var markers = data.signals.map(function (s) {
        var link = document.createElement("a");
        link.href = s.url; link.textContent = s.title;
        var box = document.createElement("div");
        box.appendChild(link); box.appendChild(document.createElement("br"));
        box.appendChild(document.createTextNode(s.text));
        return L.marker([s.lat, s.lng], { title: s.title }).bindPopup(box);
      });
      if (markers.length) {
        var group = L.featureGroup(markers).addTo(map);
        map.fitBounds(group.getBounds().pad(0.2), { maxZoom: 17 });
      }
      element.dataset.loaded = String(markers.length);
    });
  });
})();
