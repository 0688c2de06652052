// Abandoned callers: call-backs posted in place, and the list refreshed when calls change.
(function () {
  "use strict";
  var list = document.getElementById("abandonadas");
  var result = document.getElementById("resultado");
  if (!list) return;
  var pending = null;

  function refresh() {
    return fetch(list.dataset.list, { headers: { accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) list.innerHTML = html; });
  }

  // Calls change often in a busy centre: refresh at most once every two seconds.
  function soon() {
    if (pending) return;
    pending = setTimeout(function () { pending = null; refresh(); }, 2000);
  }

  function say(ok, message) {
    var line = document.createElement("p");
    line.className = ok ? "notice" : "error";
    line.textContent = message;
    result.replaceChildren(line);
  }

  list.addEventListener("submit", function (event) {
    var form = event.target.closest("form.callback");
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    button.textContent = "Marcando…";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { accept: "application/json", "x-csrftoken": SUAC.csrf() },
      credentials: "same-origin"
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) { say(answer.ok, answer.message); })
      .catch(function () { say(false, "No se pudo enviar la devolución; revise la conexión."); })
      .then(refresh);
  });

  var url = document.body.dataset.abandonedStream;
  if (url) SUAC.live(url, { cambio: soon });
})();
