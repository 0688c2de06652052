// The call the agent is on: the screen pop when a call is put through, the wrap-up form when
// it ends, and the pop's forms (back to the IVR's status reading, wrap-up) sent without
// leaving the console. Fragments come from /consola/llamadas/…; the stream is the console's.
(function () {
  "use strict";
  var section = document.getElementById("llamada");
  if (!section || !window.SUAC) return;
  var current = null;
  var loading = Promise.resolve();

  function base(callId) { return "/consola/llamadas/" + encodeURIComponent(callId); }

  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { accept: "text/html" } })
      .then(function (response) { return response.text(); });
  }

  function slot() { return document.getElementById("cierre") || section; }

  function pop(callId) {
    current = callId;
    loading = get(base(callId)).then(function (html) {
      if (current !== callId) return;
      section.innerHTML = html;
      var title = document.getElementById("pop-titulo");
      if (title) { title.tabIndex = -1; title.focus(); }
    });
  }

  function wrapUp(callId) {
    var target = slot();
    if (document.getElementById("cierre-form") || document.getElementById("cierre-hecho")) return;
    var ivr = document.getElementById("al-ivr");
    if (ivr) ivr.remove();
    get(base(callId) + "/cierre").then(function (html) {
      target.innerHTML = html;
      var code = document.getElementById("cierre-codigo");
      if (code) code.focus();
    });
  }

  // The pop's forms: posted with fetch, the answer replaces the form (errors stay in place).
  section.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-call-form")) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "x-csrftoken": SUAC.csrf(), accept: "text/html" },
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) { return response.text(); }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var replacement = holder.firstElementChild || holder;
      if (form.id === "al-ivr" && replacement.id === "cierre-form") {
        form.remove();
        slot().replaceChildren(replacement);
      } else {
        form.replaceWith(replacement);
      }
      var focus = ["[aria-invalid=true]", "select", "[role=alert]", "[role=status]"]
        .map(function (selector) { return replacement.querySelector(selector); })
        .filter(Boolean)[0];
      if (!focus) return;
      if (!/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(focus.tagName)) focus.tabIndex = -1;
      focus.focus();
    }).catch(function () {
      if (button) button.disabled = false;
      form.insertAdjacentHTML("beforeend", '<p class="error" role="alert">No se pudo enviar: revise la conexión e intente de nuevo.</p>');
    });
  });

  var stream = SUAC.stream ? SUAC.stream() : null;
  if (!stream) return;
  stream.addEventListener("llamada", function (message) {
    var data = JSON.parse(message.data);
    if (data.event === "connected") pop(data.call_id);
    else if (data.event === "ended" && data.call_id === current) {
      loading.then(function () { wrapUp(data.call_id); });
    }
  });
})();
