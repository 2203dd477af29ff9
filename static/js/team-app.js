/* The team member's phone app: an outbox in IndexedDB and the round screen.
 *
 * Every record gets an id made here (crypto.randomUUID), is stored in the outbox first and
 * sent when there is a connection: at once, on page load, on the `online` event and every
 * 30 seconds. The server stores a record once per id, so sending again is always safe.
 * Records leave the outbox in the order they were made (a signal after its round).
 *
 * One record never holds up the rest. The server says in each refusal whether waiting helps
 * (`permanent`): a record it will never take (a category switched off, a member who left the
 * team, bad input) is SET ASIDE: it stays on the phone with the reason, shown to the member
 * until they remove it (they can copy their text first), and the records after it are sent.
 * A refusal that is not permanent (not ready for rounds yet), a server error, a login page or
 * no connection keep the record in line and stop until the next try.
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
  function setAside(item, reason) {
    // Kept in the same store, marked: nothing the member typed is lost.
    var marked = Object.assign({}, item, { refused: { reason: reason, at: new Date().toISOString() } });
    return tx("readwrite", function (s) { s.put(marked); });
  }
  function isWaiting(item) { return !item.refused; }
  function waiting() { return all().then(function (items) { return items.filter(isWaiting); }); }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function text(key) {
    // The words come from the page (in the member's language): the round screen's texts and
    // the outbox's own, which every page of the app has.
    var found = null;
    ["team-app-text", "team-outbox-text"].forEach(function (id) {
      var t = document.getElementById(id);
      var el = !found && t && t.content.querySelector('[data-key="' + key + '"]');
      if (el) found = el.textContent;
    });
    return found === null ? key : found;
  }

  // The kinds the server takes as a photo's body (what the file holds is checked there).
  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/heic", "image/heif"];
  var flushing = false, flushAgain = false;
  function showStatus(count) {
    // The banner comes and goes above an open form: keep the form where the member sees it.
    var open = document.querySelector("[data-form]:not(.d-none)");
    var before = open ? open.getBoundingClientRect().top : 0;
    document.querySelectorAll("[data-outbox-count]").forEach(function (el) { el.textContent = count; });
    document.querySelectorAll("[data-outbox-banner]").forEach(function (el) {
      el.classList.toggle("d-none", count === 0);
    });
    document.querySelectorAll("[data-outbox-offline]").forEach(function (el) {
      el.classList.toggle("d-none", navigator.onLine);
    });
    if (open && window.scrollY > 0) window.scrollBy(0, open.getBoundingClientRect().top - before);
  }
  function problem(message) {
    document.querySelectorAll("[data-outbox-problem]").forEach(function (el) {
      el.textContent = message; el.classList.toggle("d-none", !message);
    });
  }
  function send(item) {
    var options = { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" } };
    if (item.photo) {
      // The photo is the body itself, its id in the address (…/photos/<id>/): the server
      // parses no form. A photo queued by an older page of the app has the same record (the
      // signal's …/photos/ address, the id, the picture), so it goes this way too.
      var url = item.url + item.id + "/";
      var type = item.photo.type;
      options.headers["Content-Type"] = PHOTO_TYPES.indexOf(type) !== -1 ? type : "image/jpeg";
      options.body = item.photo;
      return fetch(url, options);
    } else {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(item.body);
    }
    return fetch(item.url, options);
  }
  function answer(response) {
    // The server's JSON answer about a record, or null when the answer is not about it (a
    // login page, a proxy's error page).
    if (response.redirected) return Promise.resolve(null);
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("application/json") === -1) return Promise.resolve(null);
    return response.json().catch(function () { return null; });
  }
  function flush() {
    // A record queued while a flush runs is picked up by one more pass right after it.
    if (flushing) { flushAgain = true; return Promise.resolve(); }
    flushing = true;
    return all().then(function (items) {
      var pending = items.filter(isWaiting);
      // A record that belongs to one set aside (the photos of a refused signal, the end of a
      // refused round: their address names it) is set aside with it, unsent.
      var asideReasons = {};
      items.forEach(function (item) { if (item.refused) asideReasons[item.id] = item.refused.reason; });
      function asideParent(item) {
        return Object.keys(asideReasons).filter(function (id) { return item.url.indexOf(id) !== -1; })[0];
      }
      showStatus(pending.length);
      var chain = Promise.resolve(true);
      pending.forEach(function (item) {
        chain = chain.then(function (go) {
          if (!go) return false;
          var parent = asideParent(item);
          if (parent) {
            return setAside(item, asideReasons[parent]).then(function () { return true; });
          }
          return send(item).then(function (response) {
            if (response.redirected) {
              // Sent to the login page (which answers 200): not stored, keep it for later.
              problem(text("login"));
              return false;
            }
            if (response.ok || response.status === 409) {
              return remove(item.seq).then(function () { return true; });
            }
            return answer(response).then(function (data) {
              if (data && data.permanent === true) {
                // The server will never take it: set it aside with the reason, go on.
                var reason = data.reason || text("refused-unknown");
                asideReasons[item.id] = reason;
                return setAside(item, reason).then(function () { problem(""); return true; });
              }
              if (data && data.permanent === false) {
                // Refused for now (e.g. not ready for rounds yet): show why and keep the
                // record, so it goes out once the member may walk rounds.
                var box = document.querySelector("[data-not-ready]");
                if (box && data.reason) {
                  // The page already says why: only add that the record waits for it.
                  box.querySelectorAll("[data-not-ready-outbox]").forEach(function (el) { el.classList.remove("d-none"); });
                  problem("");
                } else {
                  problem(data.reason || text("try-later"));
                }
                return false;
              }
              if (response.status === 403) { problem(text("login")); }  // e.g. the CSRF check
              return false;  // server trouble or logged out: keep it, try again later
            });
          }, function () { return false; });  // no connection
        });
      });
      return chain;
    }).then(function () { return all(); }).then(function (rest) {
      showStatus(rest.filter(isWaiting).length);
      renderAside(rest);
    }).finally(function () {
      flushing = false;
      if (flushAgain) { flushAgain = false; flush(); }
    });
  }

  // ---- Records set aside: what, the reason, and the member's text to copy ----
  function kindOf(item) {
    if (item.url.indexOf("/photos/") !== -1) return "photo";
    if (item.url.indexOf("/end/") !== -1) return "round-end";
    if (item.url.indexOf("/api/rounds/") !== -1) return "round-start";
    if (item.url.indexOf("/api/conversations/") !== -1) return "conversation";
    return "signal";
  }
  function typedText(item) {
    var b = item.body || {};
    var lines = [b.description || b.note || ""];
    var place = [b.street, b.house_number].filter(Boolean).join(" ");
    if (place) lines.push(place);
    return lines.filter(Boolean).join("\n");
  }
  function renderAside(items) {
    var aside = items.filter(function (i) { return i.refused; });
    // A record set aside with the one it belongs to (its photos, a round's end) is shown and
    // removed with it.
    var shown = aside.filter(function (i) { return !aside.some(function (p) { return p !== i && i.url.indexOf(p.id) !== -1; }); });
    document.querySelectorAll("[data-outbox-aside]").forEach(function (box) {
      var list = box.querySelector("[data-outbox-aside-list]");
      list.innerHTML = "";
      shown.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "card card-body border-danger-subtle mb-2 p-2";
        var title = document.createElement("p");
        title.className = "fw-semibold mb-1";
        title.textContent = text("kind-" + kindOf(item)) + (item.label ? ": " + item.label : "");
        var at = item.body && (item.body.reported_at || item.body.started_at || item.body.ended_at);
        if (at) {
          var when = document.createElement("span");
          when.className = "fw-normal text-body-secondary small ms-1";
          when.textContent = new Date(at).toLocaleString(document.documentElement.lang || "nl", { weekday: "short", hour: "2-digit", minute: "2-digit" });
          title.appendChild(when);
        }
        li.appendChild(title);
        var typed = typedText(item);
        if (typed) {
          var quote = document.createElement("p");
          quote.className = "mb-1 text-break aside-text";
          quote.style.whiteSpace = "pre-line";
          quote.textContent = typed;
          li.appendChild(quote);
        }
        var photos = aside.filter(function (p) { return p !== item && kindOf(p) === "photo" && p.url.indexOf(item.id) !== -1; }).length;
        if (photos) {
          var photoLine = document.createElement("p");
          photoLine.className = "mb-1 small";
          photoLine.textContent = text(photos === 1 ? "with-photo" : "with-photos").replace("%n", photos);
          li.appendChild(photoLine);
        }
        var reason = document.createElement("p");
        reason.className = "mb-2 small text-danger-emphasis";
        reason.setAttribute("data-aside-reason", "");
        reason.textContent = item.refused.reason;
        li.appendChild(reason);
        var actions = document.createElement("div");
        actions.className = "d-flex flex-wrap gap-2";
        if (typed && navigator.clipboard) {
          var copy = document.createElement("button");
          copy.type = "button"; copy.className = "btn btn-outline-brand btn-sm";
          copy.dataset.asideAction = "copy"; copy.dataset.seq = item.seq;
          copy.textContent = text("copy");
          actions.appendChild(copy);
        }
        var dismiss = document.createElement("button");
        dismiss.type = "button"; dismiss.className = "btn btn-outline-secondary btn-sm";
        dismiss.dataset.asideAction = "dismiss"; dismiss.dataset.seq = item.seq;
        dismiss.textContent = text("dismiss");
        actions.appendChild(dismiss);
        li.appendChild(actions);
        list.appendChild(li);
      });
      box.classList.toggle("d-none", !shown.length);
    });
  }
  function asideActions() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-aside-action]");
      if (!button) return;
      all().then(function (items) {
        var item = items.filter(function (i) { return String(i.seq) === button.dataset.seq; })[0];
        if (!item) return;
        if (button.dataset.asideAction === "copy") {
          navigator.clipboard.writeText(typedText(item)).then(function () {
            button.textContent = text("copied");
          }, function () {
            // No clipboard: select the text so the member can copy it by hand.
            var quote = button.closest("li").querySelector(".aside-text");
            if (quote) window.getSelection().selectAllChildren(quote);
          });
          return;
        }
        if (!window.confirm(text("confirm-dismiss"))) return;
        // With it go the records that belong to it (its photos).
        var gone = items.filter(function (i) { return i === item || (i.refused && i.url.indexOf(item.id) !== -1); });
        gone.reduce(function (p, i) { return p.then(function () { return remove(i.seq); }); }, Promise.resolve())
          .then(function () { return all(); }).then(renderAside);
      });
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
    var sel = function (q) { return root.querySelector(q); };
    var signalForm = sel('[data-form="signal"]');
    var locationStatus = sel("[data-location-status]");
    // position: {latitude, longitude, manual}; photos: files chosen for the open signal.
    var position = null, watchId = null, photos = [];

    function flash(message, link) {
      var box = sel("[data-flash-box]");
      sel("[data-flash]").textContent = message;
      sel("[data-flash-link]").classList.toggle("d-none", !link);
      box.classList.remove("d-none");
      window.clearTimeout(flash.timer);
      flash.timer = window.setTimeout(function () { box.classList.add("d-none"); }, link ? 10000 : 4000);
    }
    function render() {
      var active = !!(state && state.programme === config.programme);
      root.querySelectorAll("[data-when=idle]").forEach(function (el) { el.classList.toggle("d-none", active); });
      root.querySelectorAll("[data-when=active]").forEach(function (el) { el.classList.toggle("d-none", !active); });
      if (active) {
        sel("[data-started-at]").textContent = new Date(state.startedAt).toLocaleTimeString(document.documentElement.lang || "nl", { hour: "2-digit", minute: "2-digit" });
        sel("[data-round-counts]").textContent = state.signals + " " + text(state.signals === 1 ? "signal" : "signals") + " · " + state.conversations + " " + text(state.conversations === 1 ? "conversation" : "conversations");
      }
    }
    function save() { localStorage.setItem(ROUND_KEY, JSON.stringify(state)); render(); }

    // ---- Categories as tiles: main categories first, a tap on one with children shows them ----
    var mains = [], children = {};
    config.categories.forEach(function (c) { if (c.parent) { (children[c.parent] = children[c.parent] || []).push(c); } });
    config.categories.forEach(function (c) {
      // A sub-category whose main category is switched off is offered as a main one.
      var parentShown = c.parent && config.categories.some(function (p) { return p.id === c.parent; });
      if (!parentShown) mains.push(c);
    });
    function tile(category, hint) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn btn-outline-brand category-tile";
      b.dataset.category = category.id;
      var label = document.createElement("span"); label.textContent = category.label || category.name; b.appendChild(label);
      if (hint) { var sub = document.createElement("span"); sub.className = "category-sub"; sub.textContent = hint; b.appendChild(sub); }
      return b;
    }
    var mainGrid = sel('[data-category-step="main"]'), subStep = sel('[data-category-step="sub"]');
    mains.forEach(function (c) {
      var kids = children[c.id] || [];
      mainGrid.appendChild(tile(c, kids.map(function (k) { return k.label; }).join(", ")));
    });
    function showCategoryStep(step) {
      mainGrid.classList.toggle("d-none", step !== "main");
      subStep.classList.toggle("d-none", step !== "sub");
      var chosen = sel("[data-category-chosen]");
      chosen.classList.toggle("d-none", step !== "chosen"); chosen.classList.toggle("d-flex", step === "chosen");
    }
    function chooseCategory(category) {
      var parent = config.categories.filter(function (p) { return p.id === category.parent; })[0];
      sel("[data-category-input]").value = category.id;
      sel("[data-category-chosen-label]").textContent = parent ? parent.label + " › " + category.label : category.label;
      showCategoryStep("chosen");
      formError(signalForm, "");
      checkSame();
    }
    function openMain(category) {
      var kids = children[category.id] || [];
      if (!kids.length) { chooseCategory(category); return; }
      var box = sel("[data-category-children]"); box.innerHTML = "";
      kids.forEach(function (k) { box.appendChild(tile(k)); });
      sel("[data-category-parent]").textContent = category.label;
      showCategoryStep("sub");
      box.querySelector("button").focus();
    }
    function resetCategory() { sel("[data-category-input]").value = ""; showCategoryStep("main"); checkSame(); }
    function categoryById(id) { return config.categories.filter(function (c) { return String(c.id) === String(id); })[0]; }

    // ---- The position: asked for at round start and taken while the form is open ----
    var map = null, marker = null;
    function showLocation(key) { locationStatus.textContent = text(key); }
    function placeMarker(latlng, zoom) {
      if (!map) return;
      if (zoom) map.setView(latlng, zoom);
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    }
    function setupMap() {
      // A tap on the map gives the position; only with a connection and a tile server.
      var element = sel("[data-map]");
      if (map || !element || !window.L || !config.tiles || !navigator.onLine) return;
      element.classList.remove("d-none");
      L.Icon.Default.imagePath = "/static/vendor/leaflet/images/";
      map = L.map(element).setView([52.1, 5.3], 8);
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution }).addTo(map);
      map.on("click", function (e) {
        position = { latitude: e.latlng.lat.toFixed(6), longitude: e.latlng.lng.toFixed(6), manual: true };
        placeMarker(e.latlng);
        showLocation("map-located");
        seen(position);
      });
    }
    function startLocating() {
      if (position) { showLocation(position.manual ? "map-located" : "located"); }
      else { showLocation(navigator.geolocation ? "locating" : "not-located"); }
      if (!navigator.geolocation || watchId !== null) return;
      watchId = navigator.geolocation.watchPosition(function (p) {
        if (position && position.manual) return;  // the member's own tap wins
        position = { latitude: p.coords.latitude.toFixed(6), longitude: p.coords.longitude.toFixed(6), manual: false };
        showLocation("located");
        placeMarker([p.coords.latitude, p.coords.longitude], 17);
        seen(position);
      }, function () {
        if (!position) showLocation("not-located");
      }, { enableHighAccuracy: true, maximumAge: 30000, timeout: 20000 });
    }
    function stopLocating() {
      if (watchId !== null && navigator.geolocation) navigator.geolocation.clearWatch(watchId);
      watchId = null;
    }
    function askOnce() {
      // At the start of a round: the browser asks for permission once, not in the middle of a signal.
      if (navigator.geolocation) navigator.geolocation.getCurrentPosition(function () {}, function () {}, { maximumAge: 60000, timeout: 20000 });
    }

    // ---- Open signals of the area: listed on the round screen, and offered as "same as this
    // one" when a new signal of their category is close by. Without a connection the list last
    // loaded is used; without one at all the screen works as before. ----
    var OPEN_KEY = "bewonersteam.openSignals." + config.programme;
    var openSignals = [], sameMetres = 50, sameSignal = null, lastSeen = null;
    try {
      var kept = JSON.parse(localStorage.getItem(OPEN_KEY) || "null");
      if (kept) { openSignals = kept.signals || []; sameMetres = kept.same_place_metres || sameMetres; }
    } catch (e) { openSignals = []; }
    function metres(a, b) {
      var rad = Math.PI / 180, lat1 = Number(a.latitude), lat2 = Number(b.latitude);
      var x = (Number(b.longitude) - Number(a.longitude)) * rad * Math.cos((lat1 + lat2) / 2 * rad);
      var y = (lat2 - lat1) * rad;
      return Math.sqrt(x * x + y * y) * 6371000;
    }
    function fill(template, key, value) { return template.replace("{" + key + "}", value); }
    function loadOpen() {
      if (!config.api.open_signals || !window.fetch) return;
      fetch(config.api.open_signals, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) {
          openSignals = data.signals || []; sameMetres = data.same_place_metres || sameMetres;
          try { localStorage.setItem(OPEN_KEY, JSON.stringify(data)); } catch (e) { /* full: keep it in memory */ }
          renderOpen(); checkSame();
        })
        .catch(function () { renderOpen(); });
    }
    function describe(item, from) {
      var parts = [item.street, new Date(item.reported_at).toLocaleDateString(document.documentElement.lang || "nl", { day: "numeric", month: "short" })];
      if (from) parts.push(fill(text("metres"), "m", Math.round(metres(from, item))));
      if (item.confirmed) parts.push(fill(text("times-confirmed"), "n", item.confirmed));
      return parts.filter(Boolean).join(" · ");
    }
    function renderOpen() {
      var box = sel("[data-open-signals]"), list = sel("[data-open-list]");
      if (!box) return;
      var from = position || lastSeen, rows = openSignals.slice();
      if (from) rows.sort(function (a, b) { return metres(from, a) - metres(from, b); });
      list.innerHTML = "";
      rows.slice(0, 5).forEach(function (item) {
        var li = document.createElement("li"); li.className = "border-start border-3 ps-2"; li.dataset.openSignal = item.id;
        var strong = document.createElement("strong"); strong.textContent = item.label;
        var sub = document.createElement("span"); sub.className = "d-block text-body-secondary"; sub.textContent = describe(item, from);
        li.appendChild(strong); li.appendChild(sub); list.appendChild(li);
      });
      box.classList.toggle("d-none", !rows.length);
    }
    function checkSame() {
      var box = sel("[data-same-box]"), category = sel("[data-category-input]").value;
      sameSignal = null;
      if (category && position) {
        var best = null;
        openSignals.forEach(function (item) {
          if (String(item.category) !== String(category)) return;
          var m = metres(position, item);
          if (m <= sameMetres && (!best || m < best.m)) best = { item: item, m: m };
        });
        sameSignal = best && best.item;
      }
      if (sameSignal) sel("[data-same-text]").textContent = sameSignal.label + " · " + describe(sameSignal, position);
      box.classList.toggle("d-none", !sameSignal);
    }
    function seen(p) { lastSeen = p; checkSame(); renderOpen(); }
    function confirmSame() {
      if (!sameSignal || !state) return;
      var id = crypto.randomUUID();
      var note = String(signalForm.querySelector("[name=description]").value || "").trim();
      queue({ id: id, url: config.api.confirmations, label: sameSignal.label, body: {
        id: id, programme: config.programme, round: state.id, signal: sameSignal.id,
        note: note, confirmed_at: new Date().toISOString()
      } });
      sameSignal.confirmed = (sameSignal.confirmed || 0) + 1;
      resetSignalForm(); showForm(null); renderOpen();
      window.scrollTo(0, 0); flash(text("confirmed"));
    }

    // ---- Photos: the camera opens at once; each shot is added to the signal ----
    var photoInput = sel("[data-photo-input]"), photoList = sel("[data-photo-list]");
    function renderPhotos() {
      photoList.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
      photoList.innerHTML = "";
      photos.forEach(function (file, index) {
        var li = document.createElement("li"); li.className = "photo-thumb d-flex flex-column align-items-center";
        var img = document.createElement("img"); img.alt = text("photo") + " " + (index + 1); img.src = URL.createObjectURL(file);
        var remove = document.createElement("button"); remove.type = "button"; remove.className = "btn btn-link btn-sm p-0";
        remove.dataset.action = "remove-photo"; remove.dataset.index = index; remove.textContent = "✕";
        remove.setAttribute("aria-label", text("remove-photo") + " " + (index + 1));
        li.appendChild(img); li.appendChild(remove); photoList.appendChild(li);
      });
      sel("[data-photo-box]").classList.toggle("d-none", !photos.length);
      var count = sel("[data-photo-count]");
      count.textContent = photos.length; count.classList.toggle("d-none", !photos.length);
    }
    photoInput.addEventListener("change", function () {
      Array.prototype.forEach.call(photoInput.files, function (file) {
        if (file.type && file.type.indexOf("image/") !== 0) { formError(signalForm, text("bad-photo")); return; }
        if (photos.length < 5) photos.push(file);
      });
      photoInput.value = "";
      renderPhotos();
    });

    // ---- Opening, closing and saving the forms ----
    function showForm(name) {
      root.querySelectorAll("[data-round-menu]").forEach(function (el) { el.classList.toggle("d-none", !!name); });
      root.querySelectorAll("[data-form]").forEach(function (f) { f.classList.toggle("d-none", f.dataset.form !== name); });
      if (!name) { stopLocating(); return; }
      var form = sel('[data-form="' + name + '"]');
      if (name === "signal") setupMap();  // before scrolling: the map makes the page taller
      form.scrollIntoView({ block: "start" });
      var first = form.querySelector(".category-tile, select, input:not([type=hidden]), textarea");
      if (first) first.focus({ preventScroll: true });
    }
    function resetSignalForm() {
      signalForm.reset(); resetCategory(); formError(signalForm, "");
      photos = []; renderPhotos(); position = null;
      sel("[data-address]").open = false;
      if (marker) { marker.remove(); marker = null; }
    }
    function formError(form, message) {
      var el = form.querySelector("[data-form-error]"); el.textContent = message || ""; el.classList.toggle("d-none", !message);
    }
    root.addEventListener("click", function (event) {
      var action = event.target.closest("[data-action], [data-category]");
      if (!action) return;
      if (action.dataset.category) {
        var category = categoryById(action.dataset.category);
        if (category && category.parent && categoryById(category.parent)) { chooseCategory(category); }
        else if (category) { openMain(category); }
        return;
      }
      var name = action.dataset.action;
      if (name === "start") {
        var walkers = Array.prototype.map.call(root.querySelectorAll("[name=walkers]:checked"), function (box) { return Number(box.value); });
        state = { id: crypto.randomUUID(), programme: config.programme, startedAt: new Date().toISOString(), signals: 0, conversations: 0 };
        queue({ id: state.id, url: config.api.rounds, body: { id: state.id, programme: config.programme, started_at: state.startedAt, walkers: walkers } });
        save(); askOnce(); loadOpen();
      } else if (name === "end") {
        // Ending asks how it went: "nothing to report" (ticked when nothing was recorded on
        // this round) is a round like any other; a remark is optional.
        var endForm = sel('[data-form="end"]');
        endForm.reset();
        endForm.querySelector("[data-end-nothing]").checked = !state.signals && !state.conversations;
        showForm("end");
      } else if (name === "show-signal") { resetSignalForm(); showForm("signal"); startLocating(); }
      else if (name === "show-conversation") { showForm("conversation"); }
      else if (name === "cancel") { showForm(null); }
      else if (name === "change-category") { resetCategory(); mainGrid.querySelector("button").focus(); }
      else if (name === "category-back") { showCategoryStep("main"); mainGrid.querySelector("button").focus(); }
      else if (name === "photo") { photoInput.click(); }
      else if (name === "same") { confirmSame(); }
      else if (name === "remove-photo") { photos.splice(Number(action.dataset.index), 1); renderPhotos(); }
    });
    signalForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target, data = new FormData(form);
      if (!data.get("category")) { formError(form, text("category")); mainGrid.scrollIntoView({ block: "center" }); return; }
      formError(form, "");
      var id = crypto.randomUUID();
      var body = {
        id: id, programme: config.programme, round: state.id, category: Number(data.get("category")),
        description: String(data.get("description") || "").trim(), urgent: data.get("urgent") === "on",
        street: String(data.get("street") || "").trim(), house_number: String(data.get("house_number") || "").trim(),
        latitude: position ? position.latitude : null, longitude: position ? position.longitude : null,
        reported_at: new Date().toISOString()
      };
      var files = photos.slice();
      var chosen = categoryById(body.category), parent = chosen && categoryById(chosen.parent);
      var label = chosen ? (parent ? parent.label + " › " : "") + chosen.label : "";
      put({ id: id, url: config.api.signals, body: body, label: label }).then(function () {
        return files.reduce(function (p, file) {
          return p.then(function () { return shrink(file); }).then(function (blob) {
            var photoId = crypto.randomUUID();
            return put({ id: photoId, url: config.api.signals + id + "/photos/", photo: blob });
          });
        }, Promise.resolve());
      }).then(flush);
      state.signals += 1; save(); resetSignalForm(); showForm(null);
      window.scrollTo(0, 0); flash(text("signal-saved"), true);
    });
    sel('[data-form="end"]').addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target, data = new FormData(form);
      queue({ id: state.id + "-end", url: config.api.rounds + state.id + "/end/", body: {
        programme: config.programme, ended_at: new Date().toISOString(),
        outcome: data.get("nothing") === "on" ? "nothing" : "",
        remark: String(data.get("remark") || "").trim().slice(0, 500)
      } });
      form.reset(); showForm(null);
      state = null; save(); flash(text("round-ended"));
    });
    sel('[data-form="conversation"]').addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target, data = new FormData(form);
      if (!data.get("topic") || !data.get("outcome")) return formError(form, text("conversation-incomplete"));
      formError(form, "");
      var id = crypto.randomUUID();
      var topic = form.querySelector("[name=topic]");
      queue({ id: id, url: config.api.conversations, label: topic.options[topic.selectedIndex].text, body: {
        id: id, programme: config.programme, round: state.id, topic: data.get("topic"),
        outcome: data.get("outcome"), aggression: data.get("aggression") === "on",
        note: String(data.get("note") || "").trim(), reported_at: new Date().toISOString()
      } });
      state.conversations += 1; save(); form.reset(); showForm(null); flash(text("conversation-saved"));
    });
    render();
    renderOpen();
    loadOpen();
    window.addEventListener("online", loadOpen);
  }

  // ---- Pages that need a connection (my signals): say so instead of failing when offline ----
  function connectionPages() {
    function staleNotice() {
      document.querySelectorAll("[data-stale-notice]").forEach(function (el) { el.classList.toggle("d-none", navigator.onLine); });
    }
    staleNotice();
    window.addEventListener("online", staleNotice);
    window.addEventListener("offline", staleNotice);
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-needs-connection]");
      if (!link || navigator.onLine) return;
      event.preventDefault();
      // A copy kept by the service worker is shown (marked as not fresh); otherwise say why not.
      var found = window.caches ? caches.match(link.href, { ignoreVary: true }) : Promise.resolve(null);
      found.then(function (hit) {
        if (hit) { window.location.href = link.href; return; }
        document.querySelectorAll("[data-offline-notice]").forEach(function (el) {
          el.classList.remove("d-none"); el.focus();
        });
      }, function () { window.location.href = link.href; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-round-app]");
    if (root) roundApp(root);
    connectionPages();
    asideActions();
    all().then(renderAside, function () {});
    if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/team/sw.js", { scope: "/team/" }); }
    flush();
    window.addEventListener("online", flush);
    window.addEventListener("offline", function () { waiting().then(function (i) { showStatus(i.length); }); });
    window.setInterval(flush, 30000);
  });
  window.BewonersTeamOutbox = { flush: flush, all: all, waiting: waiting };
})();
