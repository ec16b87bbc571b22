// Passerelle: the little behaviour the pages need. Everything works without it; this
// file only makes some actions quicker (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Language switches submit as soon as a language is chosen.
  document.querySelectorAll("form.js-autosubmit select").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });

  // Destructive buttons ask first.
  document.querySelectorAll("form.js-confirm").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var msg = form.getAttribute("data-confirm");
      if (msg && !window.confirm(msg)) { ev.preventDefault(); }
    });
  });

  // Copy buttons copy the value of the input they name.
  document.querySelectorAll("button.js-copy").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var input = document.getElementById(btn.getAttribute("data-copy"));
      if (!input) { return; }
      var done = function () {
        var label = btn.textContent;
        btn.textContent = btn.getAttribute("data-copied") || label;
        setTimeout(function () { btn.textContent = label; }, 2000);
      };
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          document.execCommand("copy"); done();
        });
      } else {
        document.execCommand("copy"); done();
      }
    });
  });

  // Calendar: drag a publication onto another day to move it there at the same time
  // of day. It posts the same form as the item's Reschedule button, which stays the
  // way to do it from the keyboard.
  var dragged = null;
  document.querySelectorAll(".cal-item[draggable=true]").forEach(function (item) {
    item.addEventListener("dragstart", function (ev) {
      dragged = item;
      item.classList.add("cal-dragging");
      ev.dataTransfer.effectAllowed = "move";
      ev.dataTransfer.setData("text/plain", item.getAttribute("data-schedule"));
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("cal-dragging");
      dragged = null;
    });
  });
  document.querySelectorAll(".cal-day[data-date]").forEach(function (day) {
    day.addEventListener("dragover", function (ev) {
      if (!dragged) { return; }
      ev.preventDefault();
      day.classList.add("cal-drop-over");
    });
    day.addEventListener("dragleave", function () { day.classList.remove("cal-drop-over"); });
    day.addEventListener("drop", function (ev) {
      day.classList.remove("cal-drop-over");
      if (!dragged) { return; }
      ev.preventDefault();
      var body = new URLSearchParams();
      body.set("at", day.getAttribute("data-date") + "T" + dragged.getAttribute("data-clock"));
      body.set("next", window.location.pathname + window.location.search);
      // The answer is a redirect carrying the outcome as a flash message; reloading
      // shows it, whether the move was accepted or refused.
      fetch(dragged.getAttribute("data-schedule"), {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded" }
      }).then(function () { window.location.reload(); }, function () { window.location.reload(); });
    });
  });

  // WeChat previews: the article body is a sandboxed same-origin frame (its inline
  // styles need a policy of their own); size it to its content.
  document.querySelectorAll("iframe.wx-body").forEach(function (frame) {
    var fit = function () {
      var doc = frame.contentDocument;
      if (doc && doc.documentElement) { frame.style.height = doc.documentElement.scrollHeight + "px"; }
    };
    frame.addEventListener("load", fit);
    fit();
  });

  // Editor: the checks run again while one types (debounced). The server counts each
  // Weibo text by its own rule and answers the findings by field; they replace the
  // lists shown beside the fields. Nothing is saved.
  var editor = document.querySelector("form.editor[data-check]");
  if (editor && window.fetch) {
    var timer = null, seq = 0;
    var sevLabel = {};
    document.querySelectorAll(".finding .sev").forEach(function (el) {
      var li = el.closest(".finding");
      if (li.classList.contains("finding-error")) { sevLabel.error = el.textContent; }
      if (li.classList.contains("finding-warning")) { sevLabel.warning = el.textContent; }
    });
    var render = function (data, countsOnly) {
      var counts = document.getElementById("live-counts");
      if (counts) {
        counts.textContent = "";
        data.counts.forEach(function (c) {
          var li = document.createElement("li");
          li.textContent = c.account + " : " + c.length + " / " + c.limit;
          if (c.length > c.limit) { li.className = "over"; }
          counts.appendChild(li);
        });
      }
      // On load the lists the server wrote are current (with their excerpts).
      if (countsOnly) { return; }
      editor.querySelectorAll("ul.findings").forEach(function (ul) { ul.remove(); });
      var lists = {};
      data.findings.forEach(function (f) {
        var input = document.getElementById(f.field);
        var box = input ? input.closest(".field") || input.parentNode : null;
        if (!box || !editor.contains(box)) { return; }
        var ul = lists[f.field];
        if (!ul) {
          ul = document.createElement("ul");
          ul.className = "findings live-findings";
          ul.id = f.field + "-live";
          box.appendChild(ul);
          lists[f.field] = ul;
        }
        var li = document.createElement("li");
        li.className = "finding finding-" + f.severity;
        var sev = document.createElement("span");
        sev.className = "sev";
        sev.textContent = sevLabel[f.severity] || f.severity;
        var msg = document.createElement("span");
        msg.className = "finding-msg";
        msg.textContent = f.message;
        li.appendChild(sev);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(msg);
        ul.appendChild(li);
      });
    };
    var run = function (countsOnly) {
      var mine = ++seq;
      var body = new URLSearchParams(new FormData(editor));
      fetch(editor.getAttribute("data-check"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (data && mine === seq) { render(data, countsOnly === true); }
      }, function () {});
    };
    editor.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 400);
    });
    run(true);
  }

  // Put the keyboard on the first field in error.
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) { invalid.focus(); }
})();
