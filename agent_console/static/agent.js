// The agent's state in the queue, as the telephony side reports it on the live stream
// ("estado"), the time in that state, and the queue actions posted without leaving the page
// (so a call on screen stays there). The forms work without this script too.
(function () {
  "use strict";
  var panel = document.getElementById("estado");
  if (!panel || !window.SUAC) return;
  var name = document.getElementById("estado-nombre");
  var reason = document.getElementById("estado-motivo");
  var time = document.getElementById("estado-tiempo");
  var messages = document.getElementById("cola-mensaje");
  var buttons = {
    entrar: document.getElementById("accion-entrar"),
    disponible: document.getElementById("accion-disponible"),
    pausa: document.getElementById("accion-pausa"),
    salir: document.getElementById("accion-salir")
  };

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var since = panel.dataset.since;
    if (!since) { time.textContent = ""; return; }
    var start = new Date(since);
    var seconds = Math.max(0, Math.floor((Date.now() - start.getTime()) / 1000));
    var clock = two(start.getHours()) + ":" + two(start.getMinutes()) + ":" + two(start.getSeconds());
    time.textContent = "desde las " + clock + " · " + Math.floor(seconds / 3600) + ":" +
      two(Math.floor(seconds / 60) % 60) + ":" + two(seconds % 60);
  }

  function enable(state) {
    var known = state !== "unknown", out = state === "logged_out";
    buttons.entrar.disabled = known && !out;
    buttons.disponible.disabled = known && state !== "paused";
    buttons.pausa.disabled = out;
    buttons.salir.disabled = out;
  }

  function show(status) {
    panel.dataset.state = status.state;
    panel.dataset.since = status.since || "";
    name.className = "state " + status.state;
    name.textContent = status.label;
    reason.textContent = status.reason ? "Motivo: " + status.reason : "";
    enable(status.state);
    tick();
    var sent = messages.querySelector(".notice");  // the request is answered by this report
    if (sent) sent.remove();
  }

  function say(text, kind) {
    var line = document.createElement("p");
    line.className = kind;
    line.setAttribute("role", kind === "error" ? "alert" : "status");
    line.textContent = text;
    messages.replaceChildren(line);
  }

  function fieldError(form, text) {
    var select = form.querySelector("select");
    var help = form.querySelector(".field-error");
    if (!select || !help) return;
    help.textContent = text || "";
    help.hidden = !text;
    if (text) {
      select.setAttribute("aria-invalid", "true");
      select.setAttribute("aria-describedby", help.id);
      select.focus();
    } else {
      select.removeAttribute("aria-invalid");
      select.removeAttribute("aria-describedby");
    }
  }

  document.querySelectorAll("form[data-cola]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "x-csrftoken": SUAC.csrf(), accept: "application/json" },
        body: new URLSearchParams(new FormData(form))
      }).then(function (response) {
        return response.json().then(function (body) {
          fieldError(form, body.campo ? body.mensaje : "");
          if (!body.campo) say(body.mensaje, response.ok ? "notice" : "error");
        });
      }).catch(function () {
        say("No se pudo enviar: revise la conexión e intente de nuevo.", "error");
      }).then(function () { enable(panel.dataset.state); });
    });
  });

  tick();
  setInterval(tick, 1000);
  var stream = SUAC.stream();
  if (stream) {
    stream.addEventListener("estado", function (message) { show(JSON.parse(message.data)); });
  }
})();
