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

  // The question builder: only the chosen kind's settings, only the chosen question's
  // answers for a condition (hidden answers are disabled, so they are not sent).
  function updateBuilder(form) {
    var kind = form.querySelector("#kind");
    if (kind) {
      var shown = 0;
      form.querySelectorAll("[data-kinds]").forEach(function (block) {
        var visible = block.getAttribute("data-kinds").split(" ").indexOf(kind.value) !== -1;
        block.hidden = !visible;
        if (visible) { shown++; }
      });
      var settings = form.querySelector(".kind-settings");
      if (settings) { settings.hidden = shown === 0; }
    }
    var parent = form.querySelector("#condition_parent");
    if (parent) {
      form.querySelectorAll(".condition-values").forEach(function (group) {
        var visible = group.getAttribute("data-parent") === parent.value;
        group.hidden = !visible;
        group.querySelectorAll("input").forEach(function (input) { input.disabled = !visible; });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    document.querySelectorAll(".print-button").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form.question-form").forEach(function (form) {
      form.addEventListener("change", function () { updateBuilder(form); });
      updateBuilder(form);
    });
    document.querySelectorAll("form.registration-form").forEach(function (form) {
      // Nested conditions may need several passes to settle.
      var update = function () { for (var i = 0; i < 3; i++) { updateConditionals(form); } };
      form.addEventListener("change", update);
      update();
    });
  });
})();

// == Registrations list: "select all on this page" (the row checkboxes work without it) ==
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form;
    if (!form) { return; }
    var name = all.getAttribute("data-select-all");
    var boxes = form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    function sync() {
      var ticked = 0;
      boxes.forEach(function (box) { if (box.checked) { ticked++; } });
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  });
});
