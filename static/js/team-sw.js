/* Service worker of the team member's app: the pages and their assets stay available without
 * a connection. Pages: network first, the last copy when offline. Assets: cache first.
 * It never caches API calls: records travel through the page's outbox instead, and never
 * downloads (a certificate PDF): only HTML pages, which the member needs on a round without a
 * connection. The server marks these pages `no-store` for the browser's HTTP cache; this cache
 * is ours and is emptied at logout (static/js/logout.js, and the "logout" message below),
 * except the static assets. */
"use strict";
// A new name when the app's own scripts change in a way the server's old answers do not
// cover (v4: photos go as the request body), so a phone takes the new ones at once.
var CACHE = "bewonersteam-v4";
var ASSETS = [__STATIC_ASSETS__];
// Shown for a page that needs a connection and was never opened with one (in the user's language).
var OFFLINE_PAGE = __OFFLINE_PAGE__;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") !== -1) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var download = /attachment/i.test(response.headers.get("Content-Disposition") || "");
      if (response.ok && !response.redirected && type.indexOf("text/html") === 0 && !download) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) {
        var home = url.pathname.split("/").slice(0, 3).join("/") + "/";
        return hit || new Response(OFFLINE_PAGE.replace("__HOME__", home), { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});
self.addEventListener("message", function (event) {
  // Logout: forget every page kept here; keep the static assets.
  if (!event.data || event.data.type !== "logout") return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (r) {
        return new URL(r.url).pathname.indexOf("/static/") !== 0;
      }).map(function (r) { return cache.delete(r); }));
    });
  }));
});
