// The queue and the inbox redraw when live.js says something changed (a new handoff, a
// claim, an unread message), and every 10 seconds for the waiting times; the server
// renders (and escapes) the list.
(function () {
  "use strict";
  var box = document.getElementById("queue");
  if (!box || !window.fetch) return;
  var stamp = document.getElementById("refreshed");
  var loading = false;
  function refresh() {
    if (loading) return;
    loading = true;
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        box.innerHTML = data.html;
        if (stamp) stamp.textContent = "↻ " + new Date().toLocaleTimeString();
      })
      .catch(function () { if (stamp) stamp.textContent = "↻ …"; })
      .then(function () { loading = false; });
  }
  document.addEventListener("barta:changed", refresh);
  setInterval(function () { if (!document.hidden) refresh(); }, (parseFloat(box.dataset.interval) || 10) * 1000);
  var filters = document.querySelector("form.filters");
  if (filters) {
    filters.querySelectorAll("select").forEach(function (s) {
      s.addEventListener("change", function () { filters.submit(); });
    });
  }
})();
