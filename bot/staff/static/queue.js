// Refresh the queue every 10 seconds; the server renders (and escapes) the list.
(function () {
  "use strict";
  var box = document.getElementById("queue");
  if (!box || !window.fetch) return;
  var stamp = document.getElementById("refreshed");
  var base = document.title;
  function refresh() {
    if (document.hidden) return;
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        box.innerHTML = data.html;
        document.title = (data.waiting ? "(" + data.waiting + ") " : "") + base;
        if (stamp) stamp.textContent = "↻ " + new Date().toLocaleTimeString();
      })
      .catch(function () { if (stamp) stamp.textContent = "↻ …"; });
  }
  setInterval(refresh, (parseFloat(box.dataset.interval) || 10) * 1000);
  document.addEventListener("visibilitychange", refresh);
})();
