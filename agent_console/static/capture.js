// The capture form's search-as-you-type for the category (the classifier's catalogue search),
// a suggestion from the description (the classifier), and the colonias of the chosen alcaldía.
// Without this script the form still works: the category is a plain <select> and the server
// checks the colonia against the alcaldía.
(function () {
  "use strict";
  var form = document.getElementById("captura");
  if (!form) return;
  var search = document.getElementById("buscar");
  var list = document.getElementById("categoria-resultados");
  var select = document.getElementById("categoria");
  var alcaldia = document.getElementById("alcaldia");
  var colonia = document.getElementById("colonia");
  var datalist = document.getElementById("colonias");
  var timer = null, active = -1, asked = 0;

  document.querySelectorAll("[data-enhanced]").forEach(function (el) { el.hidden = false; });
  var warning = document.getElementById("duplicados");
  if (warning) warning.focus();

  function show(results) {
    list.textContent = "";
    active = -1;
    results.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = "categoria-opcion-" + index;
      option.setAttribute("role", "option");
      option.dataset.code = item.code;
      option.textContent = item.name + " ";
      var code = document.createElement("span");
      code.className = "code";
      code.textContent = "(" + item.code + ") · " + item.tema.toLowerCase();
      option.appendChild(code);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item.code); });
      list.appendChild(option);
    });
    list.hidden = results.length === 0;
    search.setAttribute("aria-expanded", String(results.length > 0));
  }

  function choose(code) {
    select.value = code;
    select.dispatchEvent(new Event("change"));
    show([]);
    search.removeAttribute("aria-activedescendant");
    select.focus();
  }

  function move(step) {
    var options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    if (active >= 0) options[active].setAttribute("aria-selected", "false");
    active = (active + step + options.length) % options.length;
    options[active].setAttribute("aria-selected", "true");
    options[active].scrollIntoView({ block: "nearest" });
    search.setAttribute("aria-activedescendant", options[active].id);
  }

  function fetchJson(url, options) {
    return fetch(url, Object.assign({ credentials: "same-origin" }, options || {}))
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  function lookup() {
    var text = search.value;
    var ticket = ++asked;
    if (!text.trim()) { show([]); return; }
    fetchJson("/api/catalogue/search?limit=8&q=" + encodeURIComponent(text)).then(function (data) {
      if (data && ticket === asked) show(data.results);
    });
  }

  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 120);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    else if (event.key === "Escape") { show([]); }
    else if (event.key === "Enter") {
      event.preventDefault();  // Enter picks a category; it never submits the form from here
      var options = list.querySelectorAll("[role=option]");
      if (options.length) choose(options[Math.max(active, 0)].dataset.code);
    }
  });
  search.addEventListener("blur", function () { setTimeout(function () { show([]); }, 150); });

  document.getElementById("sugerir").addEventListener("click", function () {
    var text = document.getElementById("descripcion").value.trim();
    if (!text) { document.getElementById("descripcion").focus(); return; }
    fetchJson("/api/classify", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrftoken": window.SUAC.csrf() },
      body: JSON.stringify({ texto: text.slice(0, 1000) })
    }).then(function (data) {
      if (!data) return;
      show(data.candidates);
      search.focus();
      if (data.alcaldia && !alcaldia.value) { alcaldia.value = data.alcaldia; loadColonias(); }
      if (data.colonia && !colonia.value) colonia.value = data.colonia;
    });
  });

  function loadColonias() {
    var chosen = alcaldia.value;
    datalist.textContent = "";
    if (!chosen) return;
    fetchJson("/api/colonias?alcaldia=" + encodeURIComponent(chosen)).then(function (data) {
      if (!data || data.alcaldia !== alcaldia.value) return;
      data.colonias.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        datalist.appendChild(option);
      });
    });
  }
  alcaldia.addEventListener("change", loadColonias);
})();
