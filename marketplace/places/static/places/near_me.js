// "Near me": the browser's location is asked for only when the button is clicked; the form
// then submits the coordinates. Without JavaScript the province list does the same job.
(function () {
  "use strict";
  var button = document.getElementById("near-me");
  var form = document.getElementById("point-filters");
  if (!button || !form || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var status = document.getElementById("near-me-status");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lng.value = position.coords.longitude.toFixed(6);
        if (form.elements.province) form.elements.province.value = "";
        form.submit();
      },
      function () {
        if (status) status.textContent = button.dataset.denied;
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
    );
  });
})();
