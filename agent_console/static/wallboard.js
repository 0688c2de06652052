// The supervisors' wallboard: each "tablero" message of the page's stream replaces the
// sections that changed (keeping the focus on the same control), and the clocks of waits
// and agents' states tick every second between messages.
(function () {
  "use strict";
  var SECTIONS = ["colas", "agentes", "graficas"];
  var shown = {};
  var skew = 0; // the browser's clock minus the server's, from the last message

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(seconds) {
    var s = Math.max(Math.round(seconds), 0), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    return h ? h + ":" + two(m) + ":" + two(s % 60) : Math.floor(s / 60) + ":" + two(s % 60);
  }
  function tick() {
    var now = Date.now() - skew;
    document.querySelectorAll(".clock[data-since]").forEach(function (el) {
      el.textContent = clock((now - Date.parse(el.dataset.since)) / 1000);
    });
  }
  function place(id, html) {
    var section = document.getElementById(id);
    if (!section || shown[id] === html) return;
    var focused = document.activeElement && section.contains(document.activeElement) ? document.activeElement.id : "";
    section.innerHTML = html;
    section.querySelectorAll('input[name="csrftoken"]').forEach(function (input) { input.value = SUAC.csrf(); });
    shown[id] = html;
    var again = focused && document.getElementById(focused);
    if (again) again.focus();
  }
  function apply(data) {
    skew = Date.now() - Date.parse(data.at);
    SECTIONS.forEach(function (id) { place(id, data.sections[id]); });
    var status = document.getElementById("tablero-estado");
    status.textContent = "Cifras de las " + data.hora +
      "; se actualizan solas con cada llamada y cada cambio de estado de los agentes.";
    document.body.dataset.version = data.version;
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var stream = SUAC.stream();
    if (!stream) return;
    stream.addEventListener("tablero", function (message) { apply(JSON.parse(message.data)); });
    window.setInterval(tick, 1000);
  });
})();
