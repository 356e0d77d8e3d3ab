// Quiz player, progressive enhancement: every answer is saved the moment it changes, and a
// countdown shows the time left. Without this file the form buttons save and move on.
(function () {
  "use strict";

  var GRACE_MS = 31000;

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function setStatus(form, text, isError) {
    var status = form.querySelector("[data-save-status]");
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("quiz-save-status--error", !!isError);
  }

  function save(form) {
    var data = new FormData(form);
    data.delete("go");
    setStatus(form, form.dataset.msgSaving, false);
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 409) {
        return response.json().then(function (body) { window.location.assign(body.result_url); });
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      setStatus(form, form.dataset.msgSaved, false);
    }).catch(function () {
      setStatus(form, form.dataset.msgFailed, true);
    });
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "answer") { save(form); }
    });
  });

  document.querySelectorAll("[data-deadline]").forEach(function (timer) {
    var deadline = Date.parse(timer.dataset.deadline);
    var serverNow = Date.parse(timer.dataset.now);
    if (isNaN(deadline) || isNaN(serverNow)) { return; }
    var offset = Date.now() - serverNow;
    var left = timer.querySelector(".quiz-timer__left");
    function tick() {
      var remaining = deadline - (Date.now() - offset);
      if (remaining <= -GRACE_MS) { window.location.reload(); return; }
      var seconds = Math.max(0, Math.floor(remaining / 1000));
      var text = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
      if (left) { left.textContent = text; }
      timer.classList.toggle("quiz-timer--low", seconds < 60);
      window.setTimeout(tick, 1000);
    }
    tick();
  });
})();
