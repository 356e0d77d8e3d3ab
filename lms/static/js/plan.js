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
