// Passerelle: the inbox's reply form (conversation page). A canned answer or a
// glossary rendering is inserted into the reply with one click, at the cursor; the
// glossary's suggestions follow the draft as it is written. Without scripts the
// suggestions the server wrote for the follower's messages stay on the page.
(function () {
  "use strict";
  var form = document.getElementById("reply-form");
  if (!form) { return; }
  var input = form.querySelector("[name=text]");
  var box = document.getElementById("glossary-suggestions");
  if (!input) { return; }

  var insert = function (text) {
    var start = input.selectionStart, end = input.selectionEnd;
    if (typeof start !== "number") { start = end = input.value.length; }
    input.setRangeText(text, start, end, "end");
    input.focus();
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };
  form.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-insert]");
    if (!btn) { return; }
    ev.preventDefault();
    insert(btn.getAttribute("data-insert"));
  });

  var url = form.getAttribute("data-suggest");
  if (!url || !box) { return; }
  var list = box.querySelector("ul");
  var seq = 0, timer = null;
  var render = function (items) {
    list.textContent = "";
    items.forEach(function (s) {
      var li = document.createElement("li");
      li.setAttribute("data-suggestion", s.zh);
      var found = document.createElement("span");
      found.textContent = s.found + (s.variant ? " (" + (box.getAttribute("data-variant") || "") + ")" : "") + " →";
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "btn btn-sm btn-quiet";
      btn.setAttribute("data-insert", s.zh);
      btn.setAttribute("lang", "zh-Hans");
      btn.textContent = s.zh;
      li.appendChild(found);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(btn);
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
    form.setAttribute("data-suggested", String(seq));
  };
  var run = function () {
    var mine = ++seq;
    var body = new URLSearchParams();
    body.set("text", input.value);
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (data && mine === seq) { render(data.items || []); }
    }, function () {});
  };
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  });
})();
