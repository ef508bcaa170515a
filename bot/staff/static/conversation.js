// The conversation page: the history opens at its newest message; a ready reply goes in at
// the cursor (what staff typed stays); Ctrl/Cmd+Enter sends; Send posts in the background so
// the page keeps its place and the focus, and live.js draws the sent message; a stage move
// that messages the customer or is hard to undo asks first.
(function () {
  "use strict";
  var box = document.getElementById("reply-text");
  var form = document.getElementById("reply");
  var log = document.getElementById("messages");
  if (log) log.scrollTop = log.scrollHeight;

  document.querySelectorAll(".canned-btn").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!box || box.disabled) return;
      var text = b.dataset.text || "";
      var start = box.selectionStart || 0, end = box.selectionEnd || 0;
      var before = box.value.slice(0, start), after = box.value.slice(end);
      if (before && !/\s$/.test(before)) text = " " + text;
      box.value = before + text + after;
      box.focus();
      var at = before.length + text.length;
      box.setSelectionRange(at, at);
    });
  });

  if (box && form) {
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !box.value.trim()) return;  // the server says what is wrong
      e.preventDefault();
      var send = form.querySelector("button.primary");
      if (send) send.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) { form.submit(); return; }  // refused: the page shows why, with the text
          box.value = "";
          box.focus();
          if (window.bartaLive) window.bartaLive.poll();
          if (log) setTimeout(function () { log.scrollTop = log.scrollHeight; }, 600);
        })
        .catch(function () { form.submit(); })
        .then(function () { if (send) send.disabled = false; });
    });
  }
  document.addEventListener("barta:messages", function () {
    if (log) log.scrollTop = log.scrollHeight;
  });

  var stages = document.getElementById("stage-form");
  if (stages) {
    stages.addEventListener("submit", function (e) {
      var b = e.submitter;
      if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) e.preventDefault();
    });
  }
})();
