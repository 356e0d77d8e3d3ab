// Saves a plan or review form as you go: each change posts the whole form (the same request the
// Save button sends) and shows "Saved." or the problem next to the button. Without this script
// the Save button does the same.
(function () {
  "use strict";
  function setup(form) {
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var busy = false;
    var again = false;
    function show(text, isError) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("text-danger", !!isError);
    }
    // The problems of the last answer at their fields, as the page shows them after a Save:
    // the message in "<name>-error" under the input, which is marked invalid.
    function mark(problems) {
      var fields = (problems && problems.fields) || {};
      Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (input) {
        if (!fields[input.getAttribute("name") || input.id]) {
          input.removeAttribute("aria-invalid");
          var old = document.getElementById((input.getAttribute("name") || input.id) + "-error");
          if (old) old.hidden = true;
        }
      });
      Object.keys(fields).forEach(function (name) {
        var input = form.querySelector('[name="' + name + '"]');
        if (!input) return;
        var target = input.type === "radio" ? input.closest("fieldset") || input : input;
        var error = document.getElementById(name + "-error");
        if (!error) {
          error = document.createElement("p");
          error.className = "field__error";
          error.id = name + "-error";
          target.parentNode.insertBefore(error, target.nextSibling);
        }
        error.textContent = fields[name].join(" ");
        error.hidden = false;
        target.setAttribute("aria-invalid", "true");
        var described = (target.getAttribute("aria-describedby") || "").split(" ");
        if (described.indexOf(error.id) < 0) {
          target.setAttribute("aria-describedby", described.concat([error.id]).join(" ").trim());
        }
      });
    }
    function send() {
      if (busy) { again = true; return; }
      busy = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        var data = result.data || {};
        if (result.ok && data.ok) {
          Object.keys(data.ids || {}).forEach(function (row) {
            var input = form.querySelector('input[name="p-' + row + '-id"]');
            if (input) input.value = data.ids[row];
          });
        }
        show(data.message || "", !result.ok);
        mark(data.problems);
      }).catch(function () {
        show(form.getAttribute("data-offline") || "…", true);
      }).then(function () {
        busy = false;
        if (again) { again = false; send(); }
      });
    }
    form.addEventListener("change", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(send, 400);
    });
  }
  document.querySelectorAll("form[data-autosave]").forEach(setup);
})();
