// The flows editor: line numbers, check-as-you-type (debounced), try it, publish, roll back.
// Texts from the server go in with textContent, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root) return;
  var text = document.getElementById("editor-text");
  var gutter = document.getElementById("editor-gutter");
  var list = document.getElementById("editor-problems");
  var status = document.getElementById("editor-status");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var file = root.dataset.file;
  var timer = null, seq = 0, bad = {};

  function el(tag, cls, t) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (t !== undefined && t !== null) e.textContent = t;
    return e;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {})
    }).then(function (r) { return r.json().then(function (d) { d._status = r.status; return d; }); });
  }
  function drawGutter() {
    var n = text.value.split("\n").length;
    gutter.textContent = "";
    for (var i = 1; i <= n; i++) {
      var s = el("span", bad[i] ? "bad " + bad[i] : null, String(i));
      if (bad[i]) s.title = bad[i + ":msg"];
      gutter.appendChild(s);
      gutter.appendChild(document.createTextNode("\n"));
    }
    gutter.scrollTop = text.scrollTop;
  }
  function goTo(line) {
    var lines = text.value.split("\n"), at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(at, at + (lines[line - 1] || "").length);
    var lh = text.scrollHeight / Math.max(lines.length, 1);
    text.scrollTop = Math.max(0, (line - 3) * lh);
  }
  function show(problems) {
    list.textContent = ""; bad = {};
    (problems || []).forEach(function (p) {
      var mine = p.file === file;
      var li = el("li", "editor-problem " + p.severity);
      li.dataset.line = p.line;
      li.dataset.file = p.file;
      var where = el(mine ? "button" : "span", "where", (mine ? "" : p.file + " ") + root.dataset.line + " " + p.line);
      if (mine) {
        where.type = "button";
        where.addEventListener("click", function () { goTo(p.line); });
        if (!bad[p.line] || p.severity === "error") { bad[p.line] = p.severity; bad[p.line + ":msg"] = p.message; }
      }
      li.appendChild(where);
      li.appendChild(el("span", "msg", p.message));
      list.appendChild(li);
    });
    drawGutter();
  }
  function check() {
    var mine = ++seq;
    status.textContent = root.dataset.checking;
    post(root.dataset.check, { file: file, text: text.value, tests: true }).then(function (d) {
      if (mine !== seq) return;  // a newer check is on its way
      show(d.problems);
      status.textContent = (d.problems || []).length ? "" : root.dataset.ok;
    }).catch(function () { status.textContent = root.dataset.failed; });
  }
  text.addEventListener("input", function () {
    drawGutter();
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, 600);
  });
  text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });

  function settle() {  // a publish or a try answers for the text as it is: no check after it
    if (timer) { clearTimeout(timer); timer = null; }
    seq++;
  }
  document.getElementById("editor-try").addEventListener("click", function () {
    settle();
    post(root.dataset.draft, { file: file, text: text.value }).then(function (d) {
      if (d.ok && d.url) { window.open(d.url, "_blank"); return; }
      show(d.problems); status.textContent = root.dataset.refused;
    }).catch(function () { status.textContent = root.dataset.failed; });
  });
  document.getElementById("editor-publish").addEventListener("click", function () {
    settle();
    status.textContent = root.dataset.checking;
    post(root.dataset.publish, { file: file, text: text.value }).then(function (d) {
      show(d.problems);
      if (d.ok) { status.textContent = root.dataset.published; window.location.reload(); }
      else status.textContent = root.dataset.refused;
    }).catch(function () { status.textContent = root.dataset.failed; });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".editor-rollback"), function (b) {
    b.addEventListener("click", function () {
      if (!window.confirm(root.dataset.confirm)) return;
      settle();
      status.textContent = root.dataset.checking;
      post(root.dataset.rollback.replace("HID", b.dataset.id), {}).then(function (d) {
        show(d.problems);
        if (d.ok) {
          status.textContent = root.dataset.rolled;
          if (d.file === file) { text.value = d.text; drawGutter(); }
          window.location.reload();
        } else status.textContent = root.dataset.refused;
      }).catch(function () { status.textContent = root.dataset.failed; });
    });
  });
  drawGutter();
  check();
})();
