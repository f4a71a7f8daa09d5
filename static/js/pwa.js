// Registers the service worker of the phone pages (templates/core/sw.js, served at /sw.js),
// and drops the pages it kept for this user when they log out (the next user of the phone
// must not open them offline).
(function () {
  "use strict";
  var el = document.getElementById("pwa-url");
  if (!el || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(JSON.parse(el.textContent), { scope: "/" }).catch(function () {});
  var logout = document.querySelector("form.logout");
  if (!logout || !window.caches) return;
  logout.addEventListener("submit", function (event) {
    if (logout.dataset.cleared) return;
    event.preventDefault();
    caches.delete("hz-pages").catch(function () {}).then(function () {
      logout.dataset.cleared = "1";
      logout.submit();
    });
  });
})();
