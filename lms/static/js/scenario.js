// The drill player as a chat: answers are sent with fetch and the conversation is swapped in
// place. Progressive enhancement only: without this file every answer is a plain form POST.
(function () {
  "use strict";

  var player = document.querySelector("[data-player]");
  if (!player || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.querySelector("[data-player-status]");
  var busy = false;
  var draftTimer = null;
  var draftSent = null;

  function say(message, category) {
    if (!status) {
      return;
    }
    status.textContent = message || "";
    status.className = "player-status" + (message ? " flash flash--" + (category || "info") : "");
  }

  function focusNow() {
    var now = player.querySelector("#now");
    if (!now) {
      return;
    }
    var target = now.querySelector("textarea, .choice") || now;
    now.scrollIntoView({ block: "start", behavior: "smooth" });
    target.focus({ preventScroll: true });
  }

  function swap(html) {
    player.innerHTML = html;
    bindDraft();
    focusNow();
  }

  function post(url, form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    });
  }

  function setDisabled(form, disabled) {
    Array.prototype.forEach.call(form.querySelectorAll("button, textarea"), function (el) {
      if (el.tagName === "TEXTAREA") {
        el.readOnly = disabled;
      } else {
        el.disabled = disabled;
      }
    });
  }

  player.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-player-form")) {
      return;
    }
    var submitter = event.submitter || null;
    var isDraft = submitter && submitter.hasAttribute("data-save-draft");
    if (!isDraft && !form.checkValidity()) {
      return; // the browser shows why
    }
    event.preventDefault();
    event.stopPropagation();
    if (busy) {
      return;
    }
    if (isDraft) {
      saveDraft(form, true);
      return;
    }
    busy = true;
    window.clearTimeout(draftTimer);
    setDisabled(form, true);
    post(form.action, form, submitter)
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (answer) {
        busy = false;
        if (answer.body.html) {
          swap(answer.body.html);
        } else {
          setDisabled(form, false);
        }
        say(answer.body.message, answer.body.category);
      })
      .catch(function () {
        busy = false;
        // Let the browser send the form itself: the server refuses a step twice.
        form.removeAttribute("data-player-form");
        if (submitter && submitter.name) {
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = submitter.name;
          hidden.value = submitter.value;
          form.appendChild(hidden);
        }
        setDisabled(form, false);
        form.submit();
      });
  }, true);

  function saveDraft(form, announce) {
    var url = form.getAttribute("data-draft-url");
    var box = form.querySelector("textarea");
    var note = form.querySelector("[data-draft-status]");
    if (!url || !box || box.value === draftSent) {
      if (announce && note) {
        note.textContent = note.getAttribute("data-saved") || note.textContent;
      }
      return;
    }
    var sent = box.value;
    post(url, form, null)
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (answer) {
        if (answer.status === 409 && answer.body.html) {
          swap(answer.body.html);
          say(answer.body.message, answer.body.category);
          return;
        }
        if (answer.status === 200) {
          draftSent = sent;
          if (note) {
            var time = new Date(answer.body.saved_at + "Z");
            var text = (player.getAttribute("data-saved-label") || "Draft saved at") + " " +
              time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
            note.textContent = text;
            note.setAttribute("data-saved", text);
          }
        }
      })
      .catch(function () { /* the next keystroke tries again */ });
  }

  function bindDraft() {
    var form = player.querySelector("form[data-draft-url]");
    if (!form) {
      return;
    }
    var box = form.querySelector("textarea");
    draftSent = box.value;
    box.addEventListener("input", function () {
      window.clearTimeout(draftTimer);
      draftTimer = window.setTimeout(function () { saveDraft(form, false); }, 1200);
    });
  }

  bindDraft();
})();
