// "Near me": the browser's location is asked for only when the button is clicked; the form
// then submits the coordinates. Without JavaScript the "nearest to a place" province and
// commune do the same job from the place's centre.
(function () {
  "use strict";
  var button = document.getElementById("near-me");
  var form = document.getElementById("point-filters");
  if (!form) return;
  // A picked province or commune replaces an earlier position from the browser.
  ["near", "commune"].forEach(function (name) {
    var field = form.elements[name];
    if (!field) return;
    field.addEventListener("change", function () {
      form.elements.lat.value = "";
      form.elements.lng.value = "";
    });
  });
  if (!button || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var status = document.getElementById("near-me-status");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lng.value = position.coords.longitude.toFixed(6);
        if (form.elements.province) form.elements.province.value = "";
        if (form.elements.near) form.elements.near.value = "";
        if (form.elements.commune) form.elements.commune.value = "";
        form.submit();
      },
      function () {
        if (status) status.textContent = button.dataset.denied;
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
    );
  });
})();
