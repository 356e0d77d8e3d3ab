// Live checks in the drill editor: while a form is typed, it is sent to its check URL and the
// importer's messages are shown next to the fields. Saving works the same without this file.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) {
    return;
  }
  var forms = document.querySelectorAll("form[data-check-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var timer = null;
    var sent = 0;

    function show(result) {
      var fields = result.fields || {};
      Array.prototype.forEach.call(form.querySelectorAll("[data-errors-for]"), function (el) {
        var name = el.getAttribute("data-errors-for");
        var messages = name === "__all__" ? (result.general || []) : (fields[name] || []);
        el.textContent = messages.join(" ");
        el.hidden = messages.length === 0;
        var input = form.querySelector('[name="' + name + '"]');
        if (input) {
          if (messages.length) {
            input.setAttribute("aria-invalid", "true");
          } else {
            input.removeAttribute("aria-invalid");
          }
        }
      });
      var summary = form.querySelector("[data-check-summary]");
      if (summary) {
        summary.hidden = !result.count;
      }
    }

    function check() {
      var ticket = ++sent;
      fetch(form.getAttribute("data-check-url"), {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          if (result && ticket === sent) {
            show(result);
          }
        })
        .catch(function () { /* checked again on save */ });
    }

    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 600);
    });
    form.addEventListener("change", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 200);
    });
  });
})();
