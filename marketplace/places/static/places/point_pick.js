// The operator's point form: pick the coordinates on a Leaflet map (a click, or dragging the
// marker) as well as typing them. Progressive enhancement: without JavaScript the two fields
// are typed as before; without tiles (tests, a kiosk offline) the map still takes clicks.
(function () {
  "use strict";
  var container = document.getElementById("point-pick-map");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  if (!container || !latitude || !longitude || typeof L === "undefined") return;
  container.hidden = false;
  container.removeAttribute("aria-hidden");
  L.Icon.Default.imagePath = container.dataset.images;
  var map = L.map(container, { scrollWheelZoom: false });
  if (container.dataset.tiles) {
    L.tileLayer(container.dataset.tiles, {
      maxZoom: 19,
      attribution: container.dataset.attribution || "",
    }).addTo(map);
  }
  var marker = null;

  function typed() {
    // The form accepts a decimal comma too (Vietnamese keyboards).
    var lat = parseFloat(latitude.value.replace(",", "."));
    var lng = parseFloat(longitude.value.replace(",", "."));
    return isNaN(lat) || isNaN(lng) ? null : L.latLng(lat, lng);
  }

  function write(position) {
    // Six decimals: about 10 cm, above the five the registry asks for.
    latitude.value = position.lat.toFixed(6);
    longitude.value = position.lng.toFixed(6);
    container.dataset.picked = latitude.value + "," + longitude.value;
  }

  function place(position) {
    if (marker) {
      marker.setLatLng(position);
      return;
    }
    marker = L.marker(position, { draggable: true, title: container.dataset.markerLabel });
    marker.on("dragend", function () {
      write(marker.getLatLng());
    });
    marker.addTo(map);
  }

  var start = typed();
  if (start) {
    place(start);
    map.setView(start, 15);
  } else {
    map.setView([16.0, 106.0], 5); // Vietnam
  }
  map.on("click", function (event) {
    place(event.latlng);
    write(event.latlng);
  });
  [latitude, longitude].forEach(function (field) {
    field.addEventListener("change", function () {
      var position = typed();
      if (position) {
        place(position);
        map.panTo(position);
      }
    });
  });
  container.dataset.ready = "1";
})();
