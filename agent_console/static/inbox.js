// The inbox: the header's checkbox selects or clears every request of the page.
(function () {
  "use strict";
  var all = document.getElementById("todas");
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.selecciona"));
  function sync() {
    var checked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = checked === boxes.length && checked > 0;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
})();
