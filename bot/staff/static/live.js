// Live updates for every workspace page: one short poll of /staff/live.json every 1.5 s
// (why not Server-Sent Events: see LIVE_INTERVAL in bot/staff/queue_pages.py).
// Counts go on the nav and the title; a new handoff rings, notifies (permission is asked
// once, at the first click) and tells the queue page to redraw; on a conversation page the
// new messages come rendered and escaped by the server and are appended to the log.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.fetch) return;
  var interval = (parseFloat(root.dataset.interval) || 1.5) * 1000;
  var badge = document.getElementById("nav-waiting");
  var log = document.getElementById("messages");
  var baseTitle = document.title.replace(/^\(\d+\) /, "");
  var handoff = 0, stamp = null, timer = null, busy = false, audio = null, worker = null;

  // Notifications go through the service worker where there is one: a phone allows no
  // other kind. The nav gets data-worker-state="ready" once it is active.
  if (navigator.serviceWorker && root.dataset.worker) {
    try {
      navigator.serviceWorker.register(root.dataset.worker, { scope: root.dataset.scope })
        .then(function () { return navigator.serviceWorker.ready; })
        .then(function (reg) { worker = reg; root.dataset.workerState = "ready"; })
        .catch(function () { /* no worker (an old browser, private mode): page notifications */ });
    } catch (e) { /* the same */ }
  }

  function askOnce() {
    // the browser lets a page ask for notifications and play sound after a user gesture
    try {
      if (!audio && (window.AudioContext || window.webkitAudioContext)) {
        audio = new (window.AudioContext || window.webkitAudioContext)();
      }
      if (window.Notification && Notification.permission === "default" &&
          !localStorage.getItem("barta-notify-asked")) {
        localStorage.setItem("barta-notify-asked", "1");
        Notification.requestPermission();
      }
    } catch (e) { /* private mode: no storage, no sound */ }
  }
  document.addEventListener("click", askOnce, { once: true });
  document.addEventListener("keydown", askOnce, { once: true });

  function ring() {
    if (!audio) return;
    try {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.4);
    } catch (e) { /* no sound */ }
  }

  function toast(item) {
    var box = document.getElementById("live-toast");
    if (!box) {
      box = document.createElement("div");
      box.id = "live-toast";
      box.className = "live-toast";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.textContent = root.dataset.new + ": ";
    var a = document.createElement("a");
    a.href = item.url;
    a.textContent = item.name;
    box.appendChild(a);
    box.hidden = false;
    setTimeout(function () { box.hidden = true; }, 8000);
  }

  function announce(items) {
    ring();
    toast(items[items.length - 1]);
    if (window.Notification && Notification.permission === "granted") items.forEach(notify);
  }

  function notify(item) {
    var options = { body: item.name, tag: "barta-" + item.id, data: { url: item.url } };
    function inPage() {
      try {
        var n = new Notification(root.dataset.new, options);
        n.onclick = function () { window.focus(); location.href = item.url; };
      } catch (e) { /* a phone without a service worker: the toast and the sound remain */ }
    }
    if (worker && worker.showNotification) {
      worker.showNotification(root.dataset.new, options).catch(inPage);
    } else {
      inPage();
    }
  }

  function counts(data) {
    if (badge) {
      badge.textContent = data.waiting ? String(data.waiting) : "";
      badge.hidden = !data.waiting;
    }
    var n = data.waiting + data.unread;
    document.title = (n ? "(" + n + ") " : "") + baseTitle;
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 120;
  }

  function appendMessages(data) {
    if (!log || !data.messages_html) return;
    var stick = nearBottom();
    var empty = log.querySelector(".empty-log");
    if (empty) empty.remove();
    var last = parseInt(log.dataset.last || "0", 10);
    var tmp = document.createElement("ol");
    tmp.innerHTML = data.messages_html;  // rendered and escaped by the server's template
    Array.prototype.slice.call(tmp.children).forEach(function (li) {
      if (parseInt(li.dataset.id || "0", 10) <= last) return;  // already drawn
      li.classList.add("fresh");
      log.appendChild(li);
    });
    log.dataset.last = String(data.last);
    if (stick) log.scrollTop = log.scrollHeight;
    document.dispatchEvent(new CustomEvent("barta:messages", { detail: data }));
  }

  function poll() {
    timer = null;
    if (busy) return schedule();
    busy = true;
    var q = "?h=" + handoff;
    if (log && log.dataset.cid) {
      q += "&c=" + log.dataset.cid + "&m=" + (log.dataset.last || "0");
      q += "&seen=" + (document.hidden ? "0" : "1");
    }
    fetch(root.dataset.url + q, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        counts(data);
        if (handoff && data.new && data.new.length) announce(data.new);
        handoff = Math.max(handoff, data.handoff);
        appendMessages(data);
        if (stamp !== null && stamp !== data.stamp) {
          document.dispatchEvent(new CustomEvent("barta:changed", { detail: data }));
        }
        stamp = data.stamp;
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { busy = false; schedule(); });
  }
  function schedule(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(poll, ms === undefined ? interval : ms);
  }
  window.bartaLive = { poll: function () { schedule(0); } };
  document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(0); });
  poll();
})();
