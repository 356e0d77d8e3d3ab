// Unsaved changes: a form marked data-unsaved-guard asks before the page is left with edits that
// were not saved. Submitting the form itself is not asked about. Works as an enhancement only.
(function () {
  "use strict";
  var dirty = false;
  function watch(form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-unsaved-guard]");
    for (var i = 0; i < forms.length; i++) { watch(forms[i]); }
    var others = document.querySelectorAll("form:not([data-unsaved-guard])");
    for (var j = 0; j < others.length; j++) {
      others[j].addEventListener("submit", function (event) {
        if (dirty && !window.confirm(document.body.getAttribute("data-unsaved-message") ||
            "You have unsaved changes. Leave them?")) {
          event.preventDefault();
        }
      });
    }
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  });
})();
