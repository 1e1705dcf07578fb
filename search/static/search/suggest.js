/* Suggestions for the header search box, as the buyer types. Without JavaScript the box is a
   plain form that submits to /tim-kiem/. Requests are debounced and an answer that arrives
   after a newer one is ignored; the list follows the ARIA combobox pattern (arrows, Enter,
   Escape). The server escapes every title; <mark> is the only markup in "highlight". */
(function () {
  "use strict";
  var DELAY = 180;
  var MIN_CHARS = 2;

  function init(form) {
    var input = form.querySelector("input[name=q]");
    var list = form.querySelector("[role=listbox]");
    var url = form.getAttribute("data-suggest-url");
    if (!input || !list || !url || !window.fetch) return;
    var timer = null;
    var latest = 0;
    var active = -1;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function show(items) {
      list.innerHTML = "";
      active = -1;
      if (!items.length) { close(); return; }
      items.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = "site-search-option-" + index;
        li.setAttribute("role", "option");
        li.className = "suggestion suggestion-" + item.kind;
        var link = document.createElement("a");
        link.href = item.url;
        link.tabIndex = -1;
        var title = document.createElement("span");
        title.className = "suggestion-title";
        title.innerHTML = item.highlight;
        link.appendChild(title);
        if (item.subtitle) {
          var sub = document.createElement("span");
          sub.className = "suggestion-subtitle";
          sub.textContent = item.subtitle;
          link.appendChild(sub);
        }
        li.appendChild(link);
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function move(step) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      if (active >= 0) options[active].removeAttribute("aria-selected");
      active = (active + step + options.length) % options.length;
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
    }

    function ask() {
      var q = input.value.trim();
      if (q.length < MIN_CHARS) { close(); return; }
      var ticket = ++latest;
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) { if (ticket === latest) show(data.suggestions || []); })
        .catch(function () { if (ticket === latest) close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        var link = list.querySelectorAll("[role=option] a")[active];
        if (link) { event.preventDefault(); window.location.href = link.href; }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() {
    var forms = document.querySelectorAll("form.site-search[data-suggest-url]");
    for (var i = 0; i < forms.length; i++) init(forms[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
