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
  // A day of the month or list view keeps the time of day; an hour of the week or
  // day grid (data-hour) keeps the minutes and takes that hour.
  function dropTarget(target) {
    target.addEventListener("dragover", function (ev) {
      if (!dragged) { return; }
      ev.preventDefault();
      ev.stopPropagation();
      target.classList.add("cal-drop-over");
    });
    target.addEventListener("dragleave", function () { target.classList.remove("cal-drop-over"); });
    target.addEventListener("drop", function (ev) {
      target.classList.remove("cal-drop-over");
      if (!dragged) { return; }
      ev.preventDefault();
      ev.stopPropagation();
      var clock = dragged.getAttribute("data-clock");
      var hour = target.getAttribute("data-hour");
      if (hour) { clock = hour.slice(0, 3) + clock.slice(3); }
      var body = new URLSearchParams();
      body.set("at", target.getAttribute("data-date") + "T" + clock);
      body.set("next", window.location.pathname + window.location.search);
      // The answer is a redirect carrying the outcome as a flash message; reloading
      // shows it, whether the move was accepted or refused.
      fetch(dragged.getAttribute("data-schedule"), {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded" }
      }).then(function () { window.location.reload(); }, function () { window.location.reload(); });
    });
  }
  document.querySelectorAll(".cal-day[data-date], .cal-slot[data-hour]").forEach(dropTarget);

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

  // The editor's live checks, previews and uploads are in composer.js.

  // Put the keyboard on the first field in error.
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) { invalid.focus(); }
})();
