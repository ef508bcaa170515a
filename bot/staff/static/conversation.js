// Canned replies fill the reply box; the history opens at its newest message.
(function () {
  "use strict";
  var box = document.querySelector("#reply textarea");
  document.querySelectorAll(".canned-btn").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!box || box.disabled) return;
      box.value = b.dataset.text;
      box.focus();
    });
  });
  var log = document.getElementById("messages");
  if (log) log.scrollTop = log.scrollHeight;
})();
