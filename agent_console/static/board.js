// The public board: each "fila" message of the page's stream puts a request's row in its place
// (newest received first, at most data-limit rows), replacing the row shown for that folio;
// "quitar" takes out a request whose new status no longer passes the page's filters.
(function () {
  "use strict";
  function rows() { return document.getElementById("tablero-filas"); }
  function shown(folio) { return rows().querySelector('tr[data-folio="' + folio + '"]'); }
  function updated() {
    var time = new Date().toLocaleTimeString("es-MX", { timeZone: "America/Mexico_City", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    document.getElementById("tablero-estado").textContent = "Actualizado a las " + time + ".";
  }
  function place(data) {
    var body = rows(), template = document.createElement("template");
    template.innerHTML = data.html.trim();
    var row = template.content.firstElementChild, old = shown(data.folio);
    if (old) { old.replaceWith(row); updated(); return; }
    var after = Array.prototype.find.call(body.rows, function (r) { return Number(r.dataset.received) < data.received; });
    var limit = Number(body.dataset.limit);
    if (!after && body.rows.length >= limit) return; // older than every row of a full table
    body.insertBefore(row, after || null);
    row.classList.add("nueva");
    while (body.rows.length > limit) body.deleteRow(-1);
    var empty = document.getElementById("tablero-vacio");
    if (empty) empty.remove();
    updated();
  }
  function remove(data) {
    var old = shown(data.folio);
    if (old) { old.remove(); updated(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var stream = SUAC.stream();
    if (!stream || !rows()) return;
    stream.addEventListener("fila", function (message) { place(JSON.parse(message.data)); });
    stream.addEventListener("quitar", function (message) { remove(JSON.parse(message.data)); });
  });
})();
