// Registers the service worker of the phone pages (templates/core/sw.js, served at /sw.js).
(function () {
  "use strict";
  var el = document.getElementById("pwa-url");
  if (!el || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(JSON.parse(el.textContent), { scope: "/" }).catch(function () {});
})();
