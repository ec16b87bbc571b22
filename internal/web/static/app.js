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

  // Put the keyboard on the first field in error.
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) { invalid.focus(); }
})();
