// Kiosk mode (data-kiosk) and its operator's page (data-kiosk-status). The kiosk shows
// one slide at a time, moves on after data-pace seconds (after the recording ends when
// one plays), follows swipes, taps on the screen's halves and the arrow keys, and goes
// back to its first page after data-idle seconds without a touch. Both pages register
// the service worker that keeps the kiosk working offline; the operator's page says,
// file by file, what its cache holds.
(function () {
  "use strict";
  var body = document.body;
  if (!body) return;

  function register() {
    if (!("serviceWorker" in navigator)) return Promise.resolve(null);
    return navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).catch(function () { return null; });
  }

  if (body.hasAttribute("data-kiosk")) kiosk();
  if (body.hasAttribute("data-kiosk-status")) status();

  function kiosk() {
    document.documentElement.classList.add("js");
    var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
    var position = document.querySelector(".controls .position");
    var pace = Math.max(5, Number(body.dataset.pace) || 20) * 1000;
    var idle = Math.max(15, Number(body.dataset.idle) || 120) * 1000;
    var current = -1, paceTimer = 0, idleTimer = 0, updated = false;

    // The first page opened (not through the language links) is where the kiosk
    // comes back to.
    try {
      if (sessionStorage.getItem("kiosk-lang") !== "1") sessionStorage.setItem("kiosk-start", location.pathname);
      sessionStorage.removeItem("kiosk-lang");
    } catch (e) { /* storage off: the kiosk returns to this page's first slide */ }
    var start = location.pathname;
    try { start = sessionStorage.getItem("kiosk-start") || start; } catch (e) { /* idem */ }

    function audioOf(i) { return slides[i] && slides[i].querySelector("audio"); }

    function show(i) {
      if (!slides.length) return;
      i = (i + slides.length) % slides.length;
      var old = audioOf(current);
      if (old && i !== current) old.pause();
      if (current >= 0) slides[current].classList.remove("active");
      current = i;
      slides[i].classList.add("active");
      if (position) position.textContent = (i + 1) + " / " + slides.length;
      if (history.replaceState) history.replaceState(null, "", "#" + slides[i].id);
      schedule();
    }

    function schedule() {
      clearTimeout(paceTimer);
      paceTimer = setTimeout(function () {
        var a = audioOf(current);
        if (a && !a.paused && !a.ended) {
          a.addEventListener("ended", function () { show(current + 1); }, { once: true });
          return;
        }
        show(current + 1);
      }, pace);
    }

    function home() {
      if (location.pathname !== start) {
        location.replace(start);
        return;
      }
      if (updated) {
        location.replace(start);
        return;
      }
      show(0);
    }

    function touched() {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(home, idle);
    }

    function fullscreen() {
      var el = document.documentElement;
      if (document.fullscreenElement || !el.requestFullscreen || !document.fullscreenEnabled) return;
      el.requestFullscreen().catch(function () { /* refused: the page still fills the window */ });
    }

    document.querySelectorAll("[data-go]").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        ev.stopPropagation();
        touched();
        show(current + (a.dataset.go === "next" ? 1 : -1));
      });
    });
    document.querySelectorAll("a[data-lang]").forEach(function (a) {
      a.addEventListener("click", function () {
        try { sessionStorage.setItem("kiosk-lang", "1"); } catch (e) { /* idem */ }
      });
    });

    var down = null;
    var main = document.getElementById("slides");
    main.addEventListener("pointerdown", function (ev) {
      down = { x: ev.clientX, y: ev.clientY, target: ev.target };
    });
    main.addEventListener("pointerup", function (ev) {
      touched();
      fullscreen();
      if (!down) return;
      var dx = ev.clientX - down.x, dy = ev.clientY - down.y, target = down.target;
      down = null;
      if (target.closest && target.closest("audio, a, button")) return;
      if (Math.abs(dx) > 60 && Math.abs(dx) > Math.abs(dy)) {
        show(current + (dx < 0 ? 1 : -1));
      } else if (Math.abs(dx) < 10 && Math.abs(dy) < 10) {
        show(current + (ev.clientX > window.innerWidth / 2 ? 1 : -1));
      } else {
        schedule();
      }
    });
    document.addEventListener("keydown", function (ev) {
      touched();
      if (ev.key === "ArrowRight" || ev.key === "PageDown" || ev.key === " ") { ev.preventDefault(); show(current + 1); }
      if (ev.key === "ArrowLeft" || ev.key === "PageUp") { ev.preventDefault(); show(current - 1); }
      if (ev.key === "Home") { ev.preventDefault(); show(0); }
    });
    slides.forEach(function (s) {
      var a = s.querySelector("audio");
      if (a) a.addEventListener("play", touched);
    });

    var first = slides.findIndex(function (s) { return "#" + s.id === location.hash; });
    show(first >= 0 ? first : 0);
    touched();

    register().then(function (reg) {
      if (!reg) return;
      // A republish changes the worker's script: look for it now and then, and load
      // the new version at the next return to the start.
      navigator.serviceWorker.addEventListener("controllerchange", function () { updated = true; });
      setInterval(function () { reg.update().catch(function () { /* offline */ }); }, 10 * 60 * 1000);
    });
  }

  function status() {
    var d = body.dataset;
    var lang = document.documentElement.lang || "en";
    var fmt = window.Intl ? new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }) : { format: String };
    function size(n) {
      if (n >= 1048576) return fmt.format(n / 1048576) + " MB";
      if (n >= 1024) return fmt.format(n / 1024) + " KB";
      return fmt.format(n) + " B";
    }
    function fill(s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v[k]; }); }
    document.querySelectorAll("[data-bytes]").forEach(function (el) { el.textContent = size(Number(el.dataset.bytes)); });
    var worker = document.getElementById("worker");
    var summary = document.getElementById("summary");
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-url]"));
    if (!("serviceWorker" in navigator) || !window.caches) {
      worker.textContent = d.tSwUnsupported;
      summary.textContent = d.tSwUnsupported;
      summary.className = "summary bad";
      return;
    }
    register();

    function check() {
      navigator.serviceWorker.getRegistration(d.scope).then(function (reg) {
        if (!reg) worker.textContent = d.tSwNone;
        else if (reg.active && !reg.installing && !reg.waiting) worker.textContent = d.tSwActive;
        else worker.textContent = d.tSwInstalling;
        return caches.has(d.cache);
      }).then(function (has) {
        if (!has) return rows.map(function () { return null; });
        return caches.open(d.cache).then(function (c) {
          return Promise.all(rows.map(function (r) {
            return c.match(r.dataset.url, { ignoreVary: true, ignoreSearch: true }).then(function (res) {
              return res ? res.blob().then(function (b) { return b.size; }) : null;
            });
          }));
        });
      }).then(function (sizes) {
        var missing = 0, total = 0;
        sizes.forEach(function (n, i) {
          var cell = rows[i].querySelector(".state");
          if (n === null) {
            missing++;
            cell.textContent = d.tMissing;
            cell.className = "state no";
          } else {
            total += n;
            cell.textContent = d.tCached + " · " + size(n);
            cell.className = "state yes";
          }
        });
        if (missing === 0) {
          summary.textContent = fill(d.tAll, { n: rows.length, size: size(total) });
          summary.className = "summary ok";
        } else {
          summary.textContent = fill(d.tSome, { missing: missing, n: rows.length });
          summary.className = "summary bad";
        }
        setTimeout(check, missing === 0 ? 5000 : 2000);
      }).catch(function () { setTimeout(check, 2000); });
    }
    check();
  }
})();
