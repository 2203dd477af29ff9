/* The team member's phone app: an outbox in IndexedDB and the round screen.
 *
 * Every record gets an id made here (crypto.randomUUID), is stored in the outbox first and
 * sent when there is a connection: at once, on page load, on the `online` event and every
 * 30 seconds. The server stores a record once per id, so sending again is always safe.
 * Records leave the outbox in the order they were made (a signal after its round).
 */
(function () {
  "use strict";
  var DB_NAME = "bewonersteam", STORE = "outbox", ROUND_KEY = "bewonersteam.activeRound";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), store = t.objectStore(STORE), result;
        Promise.resolve(work(store)).then(function (r) { result = r; });
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function all() {
    return tx("readonly", function (store) {
      return new Promise(function (resolve) {
        var r = store.getAll(); r.onsuccess = function () { resolve(r.result); };
      });
    });
  }
  function put(item) { return tx("readwrite", function (s) { s.add(item); }); }
  function remove(seq) { return tx("readwrite", function (s) { s.delete(seq); }); }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function text(key) {
    var t = document.getElementById("team-app-text");
    var el = t && t.content.querySelector('[data-key="' + key + '"]');
    return el ? el.textContent : key;
  }

  var flushing = false, flushAgain = false;
  function showStatus(count) {
    document.querySelectorAll("[data-outbox-count]").forEach(function (el) { el.textContent = count; });
    document.querySelectorAll("[data-outbox-banner]").forEach(function (el) {
      el.classList.toggle("d-none", count === 0);
    });
    document.querySelectorAll("[data-outbox-offline]").forEach(function (el) {
      el.classList.toggle("d-none", navigator.onLine);
    });
  }
  function problem(message) {
    document.querySelectorAll("[data-outbox-problem]").forEach(function (el) {
      el.textContent = message; el.classList.toggle("d-none", !message);
    });
  }
  function send(item) {
    var options = { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } };
    if (item.photo) {
      var form = new FormData();
      form.append("id", item.id);
      form.append("image", item.photo, item.id + ".jpg");
      options.body = form;
    } else {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(item.body);
    }
    return fetch(item.url, options);
  }
  function flush() {
    // A record queued while a flush runs is picked up by one more pass right after it.
    if (flushing) { flushAgain = true; return Promise.resolve(); }
    flushing = true;
    return all().then(function (items) {
      showStatus(items.length);
      var chain = Promise.resolve(true);
      items.forEach(function (item) {
        chain = chain.then(function (go) {
          if (!go) return false;
          return send(item).then(function (response) {
            if (response.ok || response.status === 409) {
              return remove(item.seq).then(function () { return true; });
            }
            if (response.status === 400) {
              return response.json().catch(function () { return {}; }).then(function (data) {
                problem(text("refused") + " " + JSON.stringify(data.errors || {}));
                return remove(item.seq).then(function () { return true; });
              });
            }
            if (response.status === 403 || response.redirected) { problem(text("login")); }
            return false;  // server trouble or logged out: keep it, try again later
          }, function () { return false; });  // no connection
        });
      });
      return chain;
    }).then(function () { return all(); }).then(function (rest) {
      showStatus(rest.length);
    }).finally(function () {
      flushing = false;
      if (flushAgain) { flushAgain = false; flush(); }
    });
  }
  function queue(item) { return put(item).then(flush, flush); }

  // ---- Photos are made smaller here before they are queued ----
  function shrink(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.8); });
    }, function () { return file; });  // a format the browser cannot draw (HEIC): send as is
  }

  // ---- The round screen ----
  function roundApp(root) {
    var config = JSON.parse(document.getElementById("team-app-config").textContent);
    var state = JSON.parse(localStorage.getItem(ROUND_KEY) || "null");
    var position = null;
    var sel = function (q) { return root.querySelector(q); };
    var categorySelect = sel("#signal-category");
    categorySelect.innerHTML = '<option value="">–</option>';
    config.categories.forEach(function (c) {
      var o = document.createElement("option"); o.value = c.id; o.textContent = c.name; categorySelect.appendChild(o);
    });
    function flash(message) {
      var el = sel("[data-flash]"); el.textContent = message; el.classList.remove("d-none");
      window.setTimeout(function () { el.classList.add("d-none"); }, 4000);
    }
    function render() {
      var active = !!(state && state.programme === config.programme);
      root.querySelectorAll("[data-when=idle]").forEach(function (el) { el.classList.toggle("d-none", active); });
      root.querySelectorAll("[data-when=active]").forEach(function (el) { el.classList.toggle("d-none", !active); });
      if (active) {
        sel("[data-started-at]").textContent = new Date(state.startedAt).toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" });
        sel("[data-round-counts]").textContent = state.signals + " " + text("signals") + " · " + state.conversations + " " + text("conversations");
      }
    }
    function save() { localStorage.setItem(ROUND_KEY, JSON.stringify(state)); render(); }
    var map = null, marker = null;
    function setupMap() {
      // A tap on the map gives the position; only with a connection and a tile server.
      var element = sel("[data-map]");
      if (map || !element || !window.L || !config.tiles || !navigator.onLine) return;
      element.classList.remove("d-none");
      L.Icon.Default.imagePath = "/static/vendor/leaflet/images/";
      map = L.map(element).setView([52.1, 5.3], 8);
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution }).addTo(map);
      map.on("click", function (e) {
        position = { latitude: e.latlng.lat.toFixed(6), longitude: e.latlng.lng.toFixed(6) };
        if (marker) { marker.setLatLng(e.latlng); } else { marker = L.marker(e.latlng).addTo(map); }
        sel("[data-location-status]").textContent = text("located");
      });
    }
    function showForm(name) {
      root.querySelectorAll("[data-form]").forEach(function (f) { f.classList.toggle("d-none", f.dataset.form !== name); });
      var form = sel('[data-form="' + name + '"]'); form.scrollIntoView({ behavior: "smooth" });
      form.querySelector("select, input, textarea").focus();
    }
    function formError(form, message) {
      var el = form.querySelector("[data-form-error]"); el.textContent = message || ""; el.classList.toggle("d-none", !message);
    }
    root.addEventListener("click", function (event) {
      var action = event.target.closest("[data-action]");
      if (!action) return;
      var name = action.dataset.action;
      if (name === "start") {
        var walkers = Array.prototype.map.call(root.querySelectorAll("[name=walkers]:checked"), function (box) { return Number(box.value); });
        state = { id: crypto.randomUUID(), programme: config.programme, startedAt: new Date().toISOString(), signals: 0, conversations: 0 };
        queue({ id: state.id, url: config.api.rounds, body: { id: state.id, programme: config.programme, started_at: state.startedAt, walkers: walkers } });
        save();
      } else if (name === "end") {
        if (!window.confirm(text("confirm-end"))) return;
        queue({ id: state.id + "-end", url: config.api.rounds + state.id + "/end/", body: { programme: config.programme, ended_at: new Date().toISOString() } });
        state = null; save(); flash(text("round-ended"));
      } else if (name === "show-signal") { showForm("signal"); setupMap(); }
      else if (name === "show-conversation") { showForm("conversation"); }
      else if (name === "locate") {
        var status = sel("[data-location-status]");
        navigator.geolocation.getCurrentPosition(function (p) {
          position = { latitude: p.coords.latitude.toFixed(6), longitude: p.coords.longitude.toFixed(6) };
          status.textContent = text("located");
          if (map) {
            var here = [p.coords.latitude, p.coords.longitude];
            map.setView(here, 17);
            if (marker) { marker.setLatLng(here); } else { marker = L.marker(here).addTo(map); }
          }
        }, function () { position = null; status.textContent = text("not-located"); }, { enableHighAccuracy: true, timeout: 15000 });
      }
    });
    sel('[data-form="signal"]').addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target, data = new FormData(form);
      if (!data.get("category")) return formError(form, text("category"));
      if (!String(data.get("description") || "").trim()) return formError(form, text("description"));
      if (!position && !String(data.get("street") || "").trim()) return formError(form, text("location"));
      formError(form, "");
      var id = crypto.randomUUID();
      var body = {
        id: id, programme: config.programme, round: state.id, category: Number(data.get("category")),
        description: String(data.get("description")).trim(), urgent: data.get("urgent") === "on",
        street: String(data.get("street") || "").trim(), house_number: String(data.get("house_number") || "").trim(),
        latitude: position ? position.latitude : null, longitude: position ? position.longitude : null,
        reported_at: new Date().toISOString()
      };
      var files = Array.prototype.slice.call(form.querySelector("[name=photos]").files);
      put({ id: id, url: config.api.signals, body: body }).then(function () {
        return files.reduce(function (p, file) {
          return p.then(function () { return shrink(file); }).then(function (blob) {
            var photoId = crypto.randomUUID();
            return put({ id: photoId, url: config.api.signals + id + "/photos/", photo: blob });
          });
        }, Promise.resolve());
      }).then(flush);
      state.signals += 1; save(); form.reset(); position = null;
      if (marker) { marker.remove(); marker = null; }
      form.classList.add("d-none"); flash(text("signal-saved"));
    });
    sel('[data-form="conversation"]').addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target, data = new FormData(form);
      if (!data.get("topic") || !data.get("outcome")) return formError(form, text("conversation"));
      formError(form, "");
      var id = crypto.randomUUID();
      queue({ id: id, url: config.api.conversations, body: {
        id: id, programme: config.programme, round: state.id, topic: data.get("topic"),
        outcome: data.get("outcome"), aggression: data.get("aggression") === "on",
        note: String(data.get("note") || "").trim(), reported_at: new Date().toISOString()
      } });
      state.conversations += 1; save(); form.reset(); form.classList.add("d-none"); flash(text("conversation-saved"));
    });
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-round-app]");
    if (root) roundApp(root);
    if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/team/sw.js", { scope: "/team/" }); }
    flush();
    window.addEventListener("online", flush);
    window.addEventListener("offline", function () { all().then(function (i) { showStatus(i.length); }); });
    window.setInterval(flush, 30000);
  });
  window.BewonersTeamOutbox = { flush: flush, all: all };
})();
