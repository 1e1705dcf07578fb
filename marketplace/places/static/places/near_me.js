// "Near me": the browser's location is asked for only when the button is clicked; the form
// then submits the coordinates. Without JavaScript the "nearest to a place" province and
// commune do the same job from the place's centre. Used by /diem-ban/ (#point-filters) and the
// "buy in person near you" forms of the product and scan pages ([data-near-form]).
(function () {
  "use strict";
  var forms = document.querySelectorAll("#point-filters, form[data-near-form]");
  Array.prototype.forEach.call(forms, function (form) {
    var button = form.querySelector("#near-me, [data-near-me]");
    var status = form.querySelector("#near-me-status, [data-near-status]");
    // A picked province or commune replaces an earlier position from the browser.
    ["near", "commune", "province"].forEach(function (name) {
      var field = form.elements[name];
      if (!field || !form.elements.lat || field.tagName === "INPUT" && field.type === "hidden") return;
      field.addEventListener("change", function () {
        form.elements.lat.value = "";
        form.elements.lng.value = "";
      });
    });
    if (!button || !("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.lat.value = position.coords.latitude.toFixed(6);
          form.elements.lng.value = position.coords.longitude.toFixed(6);
          ["province", "near", "commune"].forEach(function (name) {
            var field = form.elements[name];
            if (field && form.id === "point-filters") field.value = "";
          });
          form.submit();
        },
        function () {
          if (status) status.textContent = button.dataset.denied;
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
      );
    });
  });
})();
