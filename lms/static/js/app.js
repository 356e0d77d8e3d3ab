// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Keep a double click from sending a form twice; the server is idempotent anyway.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    window.setTimeout(function () { form.dataset.submitting = ""; }, 4000);
  });
})();
