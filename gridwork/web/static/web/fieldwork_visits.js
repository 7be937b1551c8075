// The field pages' offline queue: each visit, memo or case report is kept on the phone (IndexedDB)
// with its own time, GPS fix and an id made here (a UUID), and sent to the one sync endpoint when
// there is a connection. The server stores each id once, so sending again is always safe.
// A static file (the content security policy refuses inline scripts); its texts come translated
// in the data- attributes of its own <script> element.
(function () {
  "use strict";
  var script = document.currentScript;
  var t = script.dataset;
  var DB = "gridwork-fieldwork", STORE = "queue", BATCH = 50;
  var ID_FIELDS = { person_id: 1, household_id: 1, building_id: 1, about_case_id: 1 };
  var sending = false;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function allEntries() { return withStore("readonly", function (s) { return s.getAll(); }); }
  function putEntry(entry) { return withStore("readwrite", function (s) { return s.put(entry); }); }
  function dropEntry(id) { return withStore("readwrite", function (s) { return s.delete(id); }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function say(text) {
    var out = document.querySelector("[data-queue-message]");
    if (out) out.textContent = text;
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  }

  // --- showing the queue ---------------------------------------------------------------------

  function show() {
    var online = document.querySelector("[data-online]");
    if (online) online.textContent = navigator.onLine ? t.online : t.offline;
    return allEntries().then(function (entries) {
      var waiting = entries.filter(function (e) { return !e.refused; });
      var count = document.querySelector("[data-queue-count]");
      if (count) count.textContent = String(waiting.length);
      var list = document.querySelector("[data-refused]");
      if (!list) return;
      list.textContent = "";
      entries.filter(function (e) { return e.refused; }).forEach(function (e) {
        var item = document.createElement("li");
        item.textContent = t.refused + " " + e.kind + " " + (e.at || "").slice(0, 16) + ": " + e.refused + " ";
        var drop = document.createElement("button");
        drop.type = "button";
        drop.textContent = t.discard;
        drop.addEventListener("click", function () { dropEntry(e.id).then(show); });
        item.appendChild(drop);
        list.appendChild(item);
      });
    });
  }

  function showConflicts() {
    var box = document.querySelector("[data-conflicts]");
    if (!box || !navigator.onLine) return Promise.resolve();
    return api("GET", t.sync + "/conflicts").then(function (r) { return r.ok ? r.json() : []; }).then(function (rows) {
      box.textContent = "";
      rows.forEach(function (row) {
        var p = document.createElement("p");
        p.className = "notice conflict";
        var data = (row.payload && row.payload.data) || {};
        p.textContent = t.conflict + " " + row.kind + " · " + (data.findings || data.text || data.title || "") + " — " + row.reason + " ";
        [[true, t.keep], [false, t.discard]].forEach(function (choice) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = choice[1];
          button.addEventListener("click", function () {
            api("POST", t.sync + "/conflicts/" + row.client_id + "/settle", { keep: choice[0] }).then(showConflicts);
          });
          p.appendChild(button);
        });
        box.appendChild(p);
      });
    }).catch(function () { /* offline again: shown next time */ });
  }

  // --- sending -------------------------------------------------------------------------------

  function send() {
    if (sending || !navigator.onLine) return show();
    sending = true;
    return allEntries().then(function (entries) {
      var batch = entries.filter(function (e) { return !e.refused; }).slice(0, BATCH);
      if (!batch.length) return null;
      var body = batch.map(function (e) { return { id: e.id, kind: e.kind, at: e.at, lon: e.lon, lat: e.lat, data: e.data }; });
      return api("POST", t.sync, { entries: body }).then(function (response) {
        if (response.status === 401 || response.status === 403) { say(t.signin); return null; }
        if (!response.ok) return null;
        return response.json().then(function (answer) {
          var byId = {};
          batch.forEach(function (e) { byId[e.id] = e; });
          // Stored, already stored, or kept by the server as a conflict: off the phone's queue.
          // Refused: kept here with its reason, for the worker to correct or discard.
          return answer.results.reduce(function (done, result) {
            return done.then(function () {
              var entry = byId[result.id];
              if (!entry) return null;
              if (result.status === "refused") { entry.refused = result.reason || "?"; return putEntry(entry); }
              return dropEntry(entry.id);
            });
          }, Promise.resolve()).then(function () {
            say(t.sent);
            return batch.length === BATCH ? "more" : null;
          });
        });
      });
    }).catch(function () { return null; }).then(function (more) {
      sending = false;
      if (more === "more") return send();
      return show().then(showConflicts);
    });
  }

  // --- the forms -----------------------------------------------------------------------------

  function fix() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(
        function (pos) { resolve(pos.coords); },
        function () { resolve(null); },
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
      );
    });
  }

  function entryFrom(form, coords) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.type === "button") return;
      if (["csrfmiddlewaretoken", "lon", "lat"].indexOf(el.name) >= 0 || el.value === "") return;
      data[el.name] = ID_FIELDS[el.name] ? parseInt(el.value, 10) : el.value;
    });
    var lon = form.elements.lon && form.elements.lon.value, lat = form.elements.lat && form.elements.lat.value;
    if ((!lon || !lat) && coords) { lon = coords.longitude; lat = coords.latitude; }
    return {
      id: uuid(),
      kind: form.dataset.entryKind,
      at: new Date().toISOString(),
      lon: lon ? Number(lon) : null,
      lat: lat ? Number(lat) : null,
      data: data
    };
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-entry-kind]");
    if (!form) return;
    var photo = form.querySelector("input[type=file]");
    var hasPhoto = photo && photo.files && photo.files.length;
    if (hasPhoto && navigator.onLine) return; // sent with its photo, straight to the page
    event.preventDefault();
    var at = new Date().toISOString();
    fix().then(function (coords) {
      var entry = entryFrom(form, coords);
      entry.at = at; // the moment of saving, not of the fix
      return putEntry(entry);
    }).then(function () {
      form.reset();
      say(t.saved + (hasPhoto ? " " + t.nophoto : ""));
      return send();
    });
  });

  // A form opened from a stop of the plan (?person_id=…&grid=…): filled from the address, and the
  // name from the plan kept on the phone (the page itself may come from the offline cache).
  function prefill() {
    var form = document.querySelector("form[data-entry-kind]");
    if (!form) return;
    var params = new URLSearchParams(location.search);
    ["person_id", "grid", "about_case_id"].forEach(function (name) {
      if (params.get(name) && form.elements[name]) form.elements[name].value = params.get(name);
    });
    var title = form.querySelector("[data-stop-title]");
    var stops = JSON.parse(localStorage.getItem("gridwork-plan") || "[]");
    var person = params.get("person_id");
    stops.forEach(function (stop) {
      if (title && person && String(stop.person_id) === person) title.textContent = stop.title;
    });
  }

  function keepPlan() {
    var data = document.getElementById("plan-data");
    if (!data) return;
    localStorage.setItem("gridwork-plan", data.textContent);
    // Ordered from where the worker is: ask the phone once, then the page again with the position.
    var params = new URLSearchParams(location.search);
    if (!params.get("lon") && navigator.onLine && navigator.geolocation) {
      fix().then(function (coords) {
        if (!coords) return;
        params.set("lon", coords.longitude.toFixed(6));
        params.set("lat", coords.latitude.toFixed(6));
        location.replace(location.pathname + "?" + params.toString());
      });
    }
  }

  function register() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(t.sw, { scope: t.scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // What this page needs offline: itself and its styles and scripts.
      var urls = [location.pathname];
      document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=manifest], link[rel=icon]").forEach(function (el) {
        urls.push(el.src || el.href);
      });
      if (registration.active) registration.active.postMessage({ keep: urls });
    }).catch(function () { /* no offline pages: the forms still queue */ });
  }

  function start() {
    prefill();
    keepPlan();
    register();
    send();
  }

  window.addEventListener("online", send);
  window.addEventListener("offline", show);
  // The script sits above the forms and the plan in the page: start once they are parsed.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
