// The letter pages' small behaviours (no inline scripts: a CSP is coming).
// - The template editor's field picker: a click inserts the field at the cursor of the subject
//   or body (whichever was used last), then tells the live preview to refresh.
// - A <select data-autosubmit> submits its form when changed (the batch page's status filter).
(function () {
  "use strict";
  var last = null;
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.form && el.form.id === "template-form" && (el.name === "body" || el.name === "subject")) {
      last = el;
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-insert]");
    if (!button) return;
    var field = last || document.querySelector("#template-form textarea[name=body]");
    if (!field) return;
    var text = button.getAttribute("data-insert");
    var start = field.selectionStart || 0;
    var end = field.selectionEnd || start;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.selectionStart = field.selectionEnd = start + text.length;
    document.body.dispatchEvent(new CustomEvent("letters:inserted", { bubbles: true }));
  });
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });
})();
