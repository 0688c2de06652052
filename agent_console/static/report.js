// The citizen's report, enhanced: "usar mi ubicación" fills the point from the browser, the
// colonias follow the chosen alcaldía, and another category can be found by typing. Without
// this script the form still works: the coordinates can be typed, a button lists the
// alcaldía's colonias, and the category is a plain <select>.
(function () {
  "use strict";
  var form = document.getElementById("reporte");
  if (!form) return;
  document.querySelectorAll("[data-enhanced]").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll("[data-sin-js]").forEach(function (el) { el.hidden = true; });
  var warning = document.getElementById("duplicados");
  if (warning) warning.focus();

  // The point: the browser's position, rounded to about a metre.
  var locate = document.getElementById("usar-ubicacion");
  var status = document.getElementById("ubicacion-estado");
  if (!("geolocation" in navigator)) { locate.parentNode.hidden = true; }
  locate.addEventListener("click", function () {
    status.textContent = "Buscando su ubicación…";
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("latitud").value = position.coords.latitude.toFixed(6);
      document.getElementById("longitud").value = position.coords.longitude.toFixed(6);
      status.textContent = "Listo: se marcó su ubicación actual (precisión de unos "
        + Math.round(position.coords.accuracy) + " m).";
    }, function (error) {
      status.textContent = error.code === error.PERMISSION_DENIED
        ? "No dio permiso para usar su ubicación: escriba la colonia y la calle."
        : "No se pudo obtener su ubicación: escriba la colonia y la calle.";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // The colonias of the chosen alcaldía.
  var alcaldia = document.getElementById("alcaldia");
  var datalist = document.getElementById("colonias-lista");
  alcaldia.addEventListener("change", function () {
    fetch("/reportar/colonias?alcaldia=" + encodeURIComponent(alcaldia.value))
      .then(function (response) { return response.ok ? response.json() : { colonias: [] }; })
      .then(function (data) {
        datalist.textContent = "";
        data.colonias.forEach(function (name) {
          var option = document.createElement("option");
          option.value = name;
          datalist.appendChild(option);
        });
      });
  });

  // Another category, found by typing (the classifier's catalogue search).
  var search = document.getElementById("buscar-categoria");
  var list = document.getElementById("categoria-resultados");
  var select = document.getElementById("otra_categoria");
  var other = document.getElementById("categoria-otra");
  var timer = null;
  select.addEventListener("change", function () { if (select.value) other.checked = true; });
  function choose(code) {
    select.value = code;
    other.checked = true;
    list.hidden = true;
    search.setAttribute("aria-expanded", "false");
    select.focus();
  }
  function show(results) {
    list.textContent = "";
    results.forEach(function (item) {
      var option = document.createElement("li");
      option.setAttribute("role", "option");
      option.tabIndex = 0;
      option.textContent = item.name + " (" + item.tema.toLowerCase() + ")";
      option.addEventListener("click", function () { choose(item.code); });
      option.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(item.code); }
      });
      list.appendChild(option);
    });
    list.hidden = results.length === 0;
    search.setAttribute("aria-expanded", String(results.length > 0));
  }
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();  // never sends the form from here
    if (event.key === "ArrowDown" && list.firstChild) { event.preventDefault(); list.firstChild.focus(); }
  });
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!search.value.trim()) { show([]); return; }
      fetch("/api/catalogue/search?limit=8&q=" + encodeURIComponent(search.value))
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { show(data.results); });
    }, 200);
  });
})();
