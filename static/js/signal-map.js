/* The portal's signal maps: the filtered signals as markers on the list page, or one signal's
   point on its own page ({point: [lat, lng]}); tiles from the configured server. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("signal-map");
    var source = document.getElementById("signal-map-config");
    if (!element || !source || !window.L) return;
    var config = JSON.parse(source.textContent);
    L.Icon.Default.imagePath = element.dataset.images || "/static/vendor/leaflet/images/";
    var map = L.map(element).setView(config.point || [52.1, 5.3], config.point ? 17 : 7);
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution }).addTo(map);
    }
    if (config.point) {
      L.marker(config.point, { title: config.title, alt: config.title }).addTo(map);
      element.dataset.loaded = "1";
      return;
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
