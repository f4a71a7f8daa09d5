// The service worker of the phone pages (core/pwa.py says what it keeps and why).
// Pages: network first (a few seconds at most), the cached copy when the network fails.
// Static files of those pages: cache first; a new version of any of them renames the cache.
"use strict";
var CONFIG = {{ config|safe }};
var STATIC_CACHE = "hz-static-" + CONFIG.version;
var PAGE_CACHE = "hz-pages";
var NETWORK_WAIT_MS = 4000;

function isPage(url) {
  return CONFIG.pages.indexOf(url.pathname) !== -1;
}

function keepable(response) {
  // Only a page really shown to the logged-in user: not a redirect to the login page.
  return response && response.ok && !response.redirected && response.type === "basic";
}

function cachePage(path) {
  return fetch(path, { credentials: "same-origin" }).then(function (response) {
    if (!keepable(response)) return;
    return caches.open(PAGE_CACHE).then(function (cache) {
      return cache.put(new URL(path, self.location.origin).href, response);
    });
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      .then(function (cache) { return cache.addAll(CONFIG.static); })
      .then(function () { return Promise.all(CONFIG.pages.map(cachePage)); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("hz-static-") === 0 && key !== STATIC_CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
      function (error) { clearTimeout(timer); reject(error); });
  });
}

function networkFirst(request, url) {
  var key = url.origin + url.pathname;
  var network = fetch(request);
  return withTimeout(network, NETWORK_WAIT_MS).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(PAGE_CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function (error) {
    return caches.open(PAGE_CACHE).then(function (cache) { return cache.match(key); }).then(function (cached) {
      if (cached) return cached;
      // No copy: wait for the network after all (a slow answer beats none).
      return network.catch(function () { throw error; });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === CONFIG.logout) {
    // Leaving: the pages kept for this user must not open for the next one.
    event.waitUntil(caches.delete(PAGE_CACHE));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(networkFirst(request, url));
    return;
  }
  if (CONFIG.static.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.open(STATIC_CACHE).then(function (cache) {
      return cache.match(url.pathname);
    }).then(function (cached) {
      return cached || fetch(request);
    }));
  }
});
