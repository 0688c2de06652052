// Account forms: a refused field takes the focus; the unit list shows only the chosen
// authority's units.
(function () {
  "use strict";
  var refused = document.querySelector('[aria-invalid="true"]');
  if (refused) refused.focus();
  var authority = document.getElementById("authority_code");
  var unit = document.getElementById("unit_code");
  if (!authority || !unit) return;
  function filter() {
    Array.prototype.forEach.call(unit.querySelectorAll("optgroup"), function (group) {
      var mine = group.dataset.authority === authority.value;
      group.hidden = !mine;
      group.disabled = !mine;
    });
    var chosen = unit.selectedOptions[0];
    if (chosen && chosen.parentElement.tagName === "OPTGROUP" && chosen.parentElement.disabled) {
      unit.value = "";
    }
  }
  authority.addEventListener("change", filter);
  filter();
})();
