// The points of the page on a Leaflet map beside the list: progressive enhancement. The list
// works without JavaScript; the map draws its markers without tiles when no tile server is
// configured (tests, a kiosk without network).
(function () {
  "use strict";
  var container = document.getElementById("point-map");
  var data = document.getElementById("point-map-data");
  if (!container || !data || typeof L === "undefined") return;
  var points = JSON.parse(data.textContent);
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
  var markers = points.map(function (point) {
    var marker = L.marker([point.lat, point.lng], { title: point.name, alt: point.name });
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.name;
    marker.bindPopup(link);
    return marker.addTo(map);
  });
  if (markers.length) {
    map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2), { maxZoom: 14 });
  } else {
    map.setView([16.0, 106.0], 5); // Vietnam
  }
  container.dataset.markers = String(markers.length);
})();
