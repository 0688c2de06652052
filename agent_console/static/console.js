// Shared behaviour of the console pages: keyboard shortcuts and the live stream.
// A control with data-shortcut="Alt+P" is clicked (or focused, for fields) by that key.
(function () {
  "use strict";
  function keyName(event) {
    var parts = [];
    if (event.altKey) parts.push("Alt");
    if (event.ctrlKey) parts.push("Ctrl");
    if (event.shiftKey) parts.push("Shift");
    parts.push(event.key.length === 1 ? event.key.toUpperCase() : event.key);
    return parts.join("+");
  }
  document.addEventListener("keydown", function (event) {
    if (!event.altKey && !event.ctrlKey && event.key !== "Escape" && !/^F\d+$/.test(event.key)) return;
    var target = document.querySelector('[data-shortcut="' + keyName(event) + '"]');
    if (!target) return;
    event.preventDefault();
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) target.focus(); else target.click();
  });
  var stream = null;
  // SUAC.live(url, {eventName: handler}) opens an EventSource; the browser reconnects by itself.
  window.SUAC = {
    live: function (url, handlers) {
      var source = new EventSource(url);
      Object.keys(handlers).forEach(function (name) {
        source.addEventListener(name, function (message) { handlers[name](JSON.parse(message.data)); });
      });
      return source;
    },
    csrf: function () { return document.querySelector('meta[name="csrf-token"]').content; },
    // SUAC.stream(): the page's one EventSource on <body data-stream>, opened on first use and
    // shared by every script of the page (null when the page has no stream).
    stream: function () {
      var url = document.body.dataset.stream;
      if (!url) return null;
      if (!stream) stream = new EventSource(url);
      return stream;
    }
  };
})();
