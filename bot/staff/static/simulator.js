// The simulator: post what the "customer" does, poll the bot's replies, draw them.
// Every text from the server goes in with textContent, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("sim");
  if (!root) return;
  var log = document.getElementById("sim-log");
  var quick = document.getElementById("sim-quick");
  var typing = document.getElementById("sim-typing");
  var form = document.getElementById("sim-form");
  var input = document.getElementById("sim-text");
  var langSel = document.getElementById("sim-lang");
  var start = document.getElementById("sim-start");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var after = 0, busyUntil = 0, timer = null, pendingEls = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function post(url, body) {
    busyUntil = Date.now() + 6000;
    var name = document.getElementById("sim-name");  // offline, the customer's name
    if (name && name.value.trim()) { body = body || {}; body.name = name.value.trim(); }
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {})
    }).then(function (r) { schedule(150); return r.json(); });
  }
  function safeUrl(u) { return /^https?:\/\//i.test(u || "") ? u : null; }
  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function showChat() {  // on a phone the panel is below the chat: bring the answer into view
    var phone = root.querySelector(".phone");
    var box = phone && phone.getBoundingClientRect();
    if (box && (box.bottom < 240 || box.top > window.innerHeight)) phone.scrollIntoView({ block: "end" });
  }

  function tapButton(b) {
    if (b.type === "web_url" && safeUrl(b.url)) { window.open(b.url, "_blank", "noopener"); return; }
    if (b.payload) post(root.dataset.send, { postback: b.payload, text: b.title });
  }
  function buttonRow(buttons) {
    var row = el("div", "sim-buttons");
    (buttons || []).forEach(function (b) {
      var btn = el("button", "sim-button", b.title);
      btn.type = "button";
      if (b.type === "web_url") btn.textContent = b.title + " ↗";
      btn.addEventListener("click", function () { tapButton(b); });
      row.appendChild(btn);
    });
    return row;
  }
  function image(url) {
    var box = el("div", "sim-image");
    var ok = safeUrl(url);
    if (ok) {
      var img = el("img");
      img.alt = root.dataset.picture; img.loading = "lazy"; img.src = ok;
      img.addEventListener("error", function () { img.remove(); box.classList.add("broken"); box.textContent = "[" + root.dataset.picture + "]"; });
      box.appendChild(img);
    } else { box.textContent = "[" + root.dataset.picture + "]"; }
    return box;
  }
  function drawMessage(bubble, msg) {
    if (msg.text) bubble.appendChild(el("p", "text", msg.text));
    var att = msg.attachment || {};
    var p = att.payload || {};
    if (att.type === "image") bubble.appendChild(image(p.url));
    if (p.template_type === "button") {
      bubble.appendChild(el("p", "text", p.text));
      bubble.appendChild(buttonRow(p.buttons));
    }
    if (p.template_type === "generic") {
      bubble.classList.add("carousel-wrap");
      var cards = el("div", "sim-cards");
      (p.elements || []).forEach(function (c) {
        var card = el("div", "sim-card");
        if (c.image_url) card.appendChild(image(c.image_url));
        card.appendChild(el("strong", null, c.title));
        if (c.subtitle) card.appendChild(el("p", "small", c.subtitle));
        card.appendChild(buttonRow(c.buttons));
        cards.appendChild(card);
      });
      bubble.appendChild(cards);
    }
  }
  function showQuick(replies) {
    quick.textContent = "";
    (replies || []).forEach(function (q) {
      if (q.content_type !== "text") {
        var hint = el("button", "chip ghost", q.content_type === "user_phone_number" ? root.dataset.phone : root.dataset.email);
        hint.type = "button";
        hint.addEventListener("click", function () { input.focus(); });
        quick.appendChild(hint);
        return;
      }
      var chip = el("button", "chip", q.title);
      chip.type = "button";
      chip.addEventListener("click", function () {
        quick.textContent = "";
        post(root.dataset.send, { quick: q.payload, text: q.title });
      });
      quick.appendChild(chip);
    });
  }
  function drawLine(line) {
    var mine = line.sender === "customer";
    var li = el("li", "msg " + (mine ? "out customer" : "in " + line.sender));
    var bubble = el("div", "bubble");
    if (line.message) drawMessage(bubble, line.message);
    else if (line.text) bubble.appendChild(el("p", "text", line.text));
    else return;
    li.appendChild(bubble);
    if (line.sender === "staff") li.appendChild(el("div", "meta", line.author || root.dataset.staff));
    log.appendChild(li);
    if (!mine) showQuick(line.message && line.message.quick_replies);
    else quick.textContent = "";
  }
  function drawLead(lead) {
    var stage = document.getElementById("lead-stage");
    if (!lead) return;
    stage.textContent = lead.stage_name || "–";
    document.getElementById("lead-score").textContent = lead.score_text || "–";
    document.getElementById("lead-labels").textContent = (lead.labels || []).join(", ") || "–";
    document.getElementById("lead-state").textContent = lead.bot_paused ? root.dataset.paused : root.dataset.active;
    var dl = document.getElementById("lead-answers");
    dl.textContent = "";
    // The workspace's words, made by the server: the question, the chosen label, numbers
    // and phone numbers as the conversation page shows them (a phone number is a tel: link).
    var rows = lead.rows || [];
    if (!rows.length) {  // a <dl> holds only dt/dd groups
      var none = el("div");
      none.appendChild(el("dt", "muted small", root.dataset.none));
      none.appendChild(el("dd"));
      dl.appendChild(none);
    }
    rows.forEach(function (r) {
      var row = el("div");
      // a question that ends in its own ? or । takes no colon after it (staff.css)
      row.appendChild(el("dt", /[?।:!]$/.test(r.question) ? "asked" : null, r.question));
      var dd = el("dd");
      if (r.tel && /^tel:\+?[0-9]+$/.test(r.tel)) {
        var a = el("a", null, r.answer);
        a.href = r.tel;
        dd.appendChild(a);
      } else dd.textContent = r.answer;
      row.appendChild(dd);
      dl.appendChild(row);
    });
    var open = document.getElementById("sim-open");
    var convUrl = root.dataset.conv;
    if (open && convUrl) { open.href = convUrl.replace(/0$/, String(lead.id)); open.hidden = false; }
  }
  function drawWaiting(waiting) {
    pendingEls.forEach(function (e) { e.remove(); });
    pendingEls = [];
    (waiting || []).forEach(function (text) {
      if (!text) return;
      var li = el("li", "msg out customer waiting");
      var b = el("div", "bubble");
      b.appendChild(el("p", "text", text));
      li.appendChild(b);
      log.appendChild(li);
      pendingEls.push(li);
    });
    typing.hidden = !(waiting && waiting.length);
  }
  function poll() {
    timer = null;
    fetch(root.dataset.poll + "?after=" + after, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        document.getElementById("sim-psid").textContent = data.psid;
        var lines = data.lines || [];
        if (lines.length || (data.waiting || []).length) { if (start) start.hidden = true; }
        pendingEls.forEach(function (e) { e.remove(); });
        pendingEls = [];
        lines.forEach(function (line) { drawLine(line); after = Math.max(after, line.id); });
        drawWaiting(data.waiting);
        drawLead(data.lead);
        drawClock(data);
        if (lines.length || (data.waiting || []).length) scrollDown();
        schedule(((data.waiting || []).length || Date.now() < busyUntil) ? 400 : 2000);
      })
      .catch(function () { schedule(3000); });
  }
  function schedule(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    quick.textContent = "";
    if (start) start.hidden = true;
    post(root.dataset.send, { text: text });
  });
  function startOver() {
    var refIn = document.getElementById("sim-ref");
    var ref = refIn ? refIn.value.trim() : "";
    return post(root.dataset.reset, { lang: langSel.value, ref: ref || undefined }).then(function (data) {
      log.textContent = ""; quick.textContent = ""; pendingEls = []; after = 0; start = null;
      document.getElementById("sim-psid").textContent = data.psid;
      document.getElementById("lead-answers").textContent = "";
    });
  }
  document.getElementById("sim-get-started").addEventListener("click", startOver);
  document.getElementById("sim-reset").addEventListener("click", startOver);
  function getStartedWord() {  // Messenger's button speaks the customer's language
    var button = document.getElementById("sim-get-started");
    var option = langSel.options[langSel.selectedIndex];
    if (!button || !option || !option.dataset.getStarted) return;
    button.textContent = option.dataset.getStarted;
    button.lang = option.value;
  }
  function offers() {  // ice breakers and the menu, too, in the customer's language
    Array.prototype.forEach.call(document.querySelectorAll(".sim-offers"), function (box) {
      box.hidden = box.dataset.lang !== langSel.value;
    });
  }
  getStartedWord();
  offers();
  langSel.addEventListener("change", function () {
    getStartedWord();
    offers();
    if (after === 0) return; // used by "Start over" and the first Get Started
    post(root.dataset.send, { postback: "LANG:" + langSel.value, text: langSel.options[langSel.selectedIndex].text });
  });
  // The session's clock, ice breakers, the menu, m.me refs, saving the conversation as a test.
  function drawClock(data) {
    var c = document.getElementById("sim-clock"), o = document.getElementById("sim-offset");
    if (c && data.clock) c.textContent = data.clock;
    if (o) o.textContent = data.offset_text ? "(" + data.offset_text + ")" : "";
  }
  Array.prototype.forEach.call(document.querySelectorAll(".sim-later"), function (b) {
    b.addEventListener("click", function () {
      post(root.dataset.later, { hours: Number(b.dataset.hours) }).then(drawClock);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".sim-postback"), function (b) {
    b.addEventListener("click", function () {
      if (start) start.hidden = true;
      post(root.dataset.send, { postback: b.dataset.payload, text: b.textContent });
      showChat();
    });
  });
  var refForm = document.getElementById("sim-ref-form");
  if (refForm) refForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var ref = document.getElementById("sim-ref").value.trim();
    if (!ref) return;
    if (after === 0) post(root.dataset.reset, { lang: langSel.value, ref: ref });
    else post(root.dataset.ref, { ref: ref });
  });
  var saveForm = document.getElementById("sim-save-form");
  if (saveForm) saveForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var name = document.getElementById("sim-save-name").value.trim();
    if (!name) return;
    post(root.dataset.save, { name: name }).then(function (d) {
      var box = document.getElementById("sim-saved");
      box.hidden = false;
      document.getElementById("sim-save-help").hidden = !d.yaml;
      box.value = d.yaml || (d.error && d.error.message) || "";
    });
  });
  poll();
})();
