// The field pages' service worker, served at <scope>sw.js so its scope covers them all.
// Pages: from the network when there is one (and kept), else the kept copy (whatever the query).
// Styles and scripts: the kept copy first. The plan's API answer: network first, kept copy offline.
// Writes (POST) are never intercepted: the page's queue handles them.
"use strict";
var CACHE = "gridwork-field-1";
var scope = new URL(self.registration.scope).pathname;
var PAGES = ["", "visit/", "memo/", "report/"].map(function (p) { return scope + p; });

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(PAGES.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        // Not signed in: the login page came back; keep nothing rather than that.
        if (response.ok && !response.redirected) return cache.put(url, response);
        return null;
      }).catch(function () { return null; });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      var u = new URL(url, self.location.href);
      if (u.origin !== self.location.origin) return null;
      return fetch(u.href, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(u.pathname, response);
        return null;
      }).catch(function () { return null; });
    }));
  }));
});

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(key, { ignoreSearch: true }).then(function (kept) {
      return kept || caches.match(scope);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf(scope) === 0) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (url.pathname.indexOf("/api/v1/fieldwork/plan") === 0) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(url.pathname).then(function (kept) {
      return kept || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      });
    }));
  }
});
