// The Markdown editor's live preview: the server renders and sanitizes, exactly as for learners.
// Progressive enhancement only: without this file the "Preview" button does the same.
(function () {
  "use strict";
  var DELAY_MS = 400;

  function setup(form) {
    var url = form.getAttribute("data-preview-url");
    var tokenInput = form.querySelector('input[name="csrf_token"]');
    if (!url || !tokenInput || !window.fetch) {
      return;
    }
    var areas = form.querySelectorAll("textarea[data-preview-target]");
    Array.prototype.forEach.call(areas, function (area) {
      var target = document.getElementById(area.getAttribute("data-preview-target"));
      if (!target) {
        return;
      }
      var timer = null;
      var sent = 0;
      function render() {
        var number = ++sent;
        var body = new URLSearchParams();
        body.append("markdown", area.value);
        target.setAttribute("aria-busy", "true");
        fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
            "X-CSRFToken": tokenInput.value
          },
          body: body.toString()
        })
          .then(function (response) {
            return response.json().then(function (data) {
              return { ok: response.ok, data: data };
            });
          })
          .then(function (result) {
            if (number !== sent) {
              return;
            }
            target.removeAttribute("aria-busy");
            if (result.ok && typeof result.data.html === "string") {
              // The HTML comes from the server's sanitizer, the same that learners' pages use.
              target.innerHTML = result.data.html;
            } else {
              target.textContent = result.data.error || "";
            }
          })
          .catch(function () {
            target.removeAttribute("aria-busy");
          });
      }
      area.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(render, DELAY_MS);
      });
      if (area.value.trim() && target.querySelector(".muted")) {
        render();
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-preview-url]"), setup);
})();
