// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // After a failed submit, move focus to the error summary so it is read out first.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  // Show conditional questions only when the answer they depend on is given.
  function currentValues(form, name) {
    var values = [];
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox")) {
        if (input.checked) { values.push(input.value); }
      } else if (input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function updateConditionals(form) {
    form.querySelectorAll(".conditional[data-condition-field]").forEach(function (block) {
      var wanted = JSON.parse(block.getAttribute("data-condition-values") || "[]").map(String);
      var given = currentValues(form, block.getAttribute("data-condition-field"));
      var parentBlock = form.querySelector('[name="' + block.getAttribute("data-condition-field") + '"]');
      var parentHidden = parentBlock && parentBlock.closest(".conditional[hidden]");
      var visible = !parentHidden && given.some(function (v) { return wanted.indexOf(v) !== -1; });
      block.hidden = !visible;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    document.querySelectorAll("form.registration-form").forEach(function (form) {
      // Nested conditions may need several passes to settle.
      var update = function () { for (var i = 0; i < 3; i++) { updateConditionals(form); } };
      form.addEventListener("change", update);
      update();
    });
  });
})();
