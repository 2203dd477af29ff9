/* Logging out on a shared phone: the copies of personal pages and downloads that the team
 * app's service worker keeps (Cache API) are deleted first; its static assets stay. The
 * logout answer also carries `Clear-Site-Data: "cache"` for the browser's own HTTP cache.
 * Records the team app has not sent yet (IndexedDB outbox) are never deleted here: the member
 * is asked first whether to log out with them still waiting (the form's data-logout text).
 */
(function () {
  "use strict";
  var DB_NAME = "bewonersteam", STORE = "outbox";

  function unsentCount() {
    // Without opening (and so creating) the database on a computer that never had the app.
    if (!window.indexedDB) return Promise.resolve(0);
    var exists = indexedDB.databases
      ? indexedDB.databases().then(function (list) { return list.some(function (d) { return d.name === DB_NAME; }); }, function () { return false; })
      : Promise.resolve(true);
    return exists.then(function (yes) {
      if (!yes) return 0;
      return new Promise(function (resolve) {
        var request = indexedDB.open(DB_NAME);
        request.onupgradeneeded = function () { request.transaction.abort(); };
        request.onerror = function () { resolve(0); };
        request.onsuccess = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains(STORE)) { db.close(); resolve(0); return; }
          var all = db.transaction(STORE, "readonly").objectStore(STORE).getAll();
          all.onsuccess = function () {
            db.close();
            resolve(all.result.filter(function (item) { return !item.refused; }).length);
          };
          all.onerror = function () { db.close(); resolve(0); };
        };
      });
    }, function () { return 0; });
  }

  function clearPages() {
    // Every cached response of ours except the static assets (/static/...).
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("bewonersteam") === 0; }).map(function (key) {
        return caches.open(key).then(function (cache) {
          return cache.keys().then(function (requests) {
            return Promise.all(requests.filter(function (r) {
              return new URL(r.url).pathname.indexOf("/static/") !== 0;
            }).map(function (r) { return cache.delete(r); }));
          });
        });
      }));
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-logout") || form.dataset.logoutReady) return;
    event.preventDefault();
    var go = function () { form.dataset.logoutReady = "1"; form.submit(); };
    unsentCount().then(function (count) {
      if (count && !window.confirm(form.getAttribute("data-logout"))) return;
      // Also tell the service worker (it may hold a page in flight); it clears the same.
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "logout" });
      }
      var cap = new Promise(function (resolve) { window.setTimeout(resolve, 2000); });
      return Promise.race([clearPages(), cap]).then(go, go);
    }, go);
  });
})();
