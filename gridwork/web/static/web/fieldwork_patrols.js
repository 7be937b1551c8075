// The patrol page: follows the phone's position while the patrol is under way and sends the fixes
// to the server in batches every ten seconds. Fixes wait in localStorage until the server has
// answered for them, so a dropped connection or a reload loses none; the server stores a fix
// sent twice once (its key is the phone's timestamp). Texts come translated in the data-
// attributes of this file's own <script> element (no inline script under the CSP).
(function () {
  "use strict";
  var script = document.currentScript;
  var live = document.getElementById("patrol-live");
  if (!live) return;
  var texts = script.dataset;
  var url = live.dataset.fixesUrl;
  var started = new Date(live.dataset.started);
  var storeKey = "gridwork.patrol.fixes." + url;
  var csrf = live.querySelector("[name=csrfmiddlewaretoken]").value;
  var out = {
    distance: live.querySelector("[data-distance]"),
    elapsed: live.querySelector("[data-elapsed]"),
    gps: live.querySelector("[data-gps]"),
    pending: live.querySelector("[data-pending]")
  };
  var findingForm = document.querySelector("[data-finding-form]");
  var endForm = live.querySelector("[data-end-form]");
  var sending = null;
  var BATCH = 500;
  var EVERY_MS = 10000;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    try { localStorage.setItem(storeKey, JSON.stringify(queue)); } catch (e) { /* private mode: memory only */ }
    out.pending.textContent = String(queue.length);
  }
  var queue = load();
  save(queue);

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var seconds = Math.max(0, Math.floor((Date.now() - started.getTime()) / 1000));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    out.elapsed.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
  }
  tick();
  setInterval(tick, 1000);

  function onPosition(pos) {
    var fix = {
      at: new Date(pos.timestamp || Date.now()).toISOString(),
      lon: Number(pos.coords.longitude.toFixed(7)),
      lat: Number(pos.coords.latitude.toFixed(7)),
      accuracy_m: Math.round(pos.coords.accuracy || 0)
    };
    var last = queue[queue.length - 1];
    if (!last || last.at !== fix.at) {
      queue.push(fix);
      save(queue);
    }
    out.gps.textContent = texts.accuracy.replace("{n}", String(fix.accuracy_m));
    if (findingForm) {
      findingForm.elements.lon.value = fix.lon;
      findingForm.elements.lat.value = fix.lat;
      findingForm.querySelector("[data-finding-place]").textContent =
        texts.place.replace("{place}", fix.lat + ", " + fix.lon);
    }
  }
  function onError() { out.gps.textContent = texts.denied; }

  function send() {
    if (sending) return sending;
    if (!queue.length) return Promise.resolve();
    var batch = queue.slice(0, BATCH);
    sending = fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({fixes: batch})
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (body) {
      // Stored, already there or refused with a reason: the server has answered for each of them.
      queue = load().filter(function (fix) {
        return !batch.some(function (sent) { return sent.at === fix.at; });
      });
      save(queue);
      out.distance.textContent = String(Math.round(body.patrol.length_m));
    }).catch(function () {
      out.gps.textContent = texts.offline;
    }).then(function () { sending = null; });
    return sending;
  }
  setInterval(send, EVERY_MS);

  if (navigator.geolocation) {
    out.gps.textContent = texts.waiting;
    navigator.geolocation.watchPosition(onPosition, onError, {enableHighAccuracy: true, maximumAge: 5000, timeout: 30000});
  } else {
    onError();
  }

  // Send what waits before the patrol ends, so its metrics count every fix.
  endForm.addEventListener("submit", function (event) {
    if (endForm.dataset.flushed) return;
    event.preventDefault();
    send().then(function () {
      if (!queue.length) localStorage.removeItem(storeKey);
      endForm.dataset.flushed = "1";
      endForm.submit();
    });
  });
  if (findingForm) findingForm.addEventListener("submit", function () { send(); });
})();
