// The report form: fill the hidden latitude/longitude from the phone's position on request,
// and refuse more than 3 photos before sending.
(function () {
  "use strict";
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  if (button && navigator.geolocation) {
    button.addEventListener("click", function () {
      status.textContent = "…";
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lon.value = pos.coords.longitude.toFixed(6);
          status.textContent = lat.value + ", " + lon.value;
        },
        function () { status.textContent = "✕"; },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
  }
  var photos = document.getElementById("id_photos");
  if (photos) {
    photos.addEventListener("change", function () {
      photos.setCustomValidity(photos.files.length > 3 ? "≤ 3" : "");
    });
  }
})();
