// Counts plays of a stop (started; reached 90 % or the end) and views of an
// exhibition (opened; read to its last room) with an anonymous beacon: no cookie, no
// storage, no identifier. Reading the pages needs none of it.
(function () {
  "use strict";
  function send(url, data) {
    var body = new URLSearchParams(data);
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) return;
    if (window.fetch) fetch(url, { method: "POST", body: body, keepalive: true, credentials: "omit" }).catch(function () {});
  }
  document.querySelectorAll("audio[data-beacon]").forEach(function (a) {
    var started = false, done = false;
    var base = { k: "t", t: a.dataset.token, n: a.dataset.stop };
    function finish() {
      if (done || !started) return;
      done = true;
      send(a.dataset.beacon, Object.assign({ e: "end" }, base));
    }
    a.addEventListener("play", function () {
      if (started) return;
      started = true;
      send(a.dataset.beacon, Object.assign({ e: "start" }, base));
    });
    a.addEventListener("timeupdate", function () {
      if (a.duration > 0 && a.currentTime / a.duration >= 0.9) finish();
    });
    a.addEventListener("ended", finish);
  });
  var main = document.querySelector("main[data-beacon]");
  if (main) {
    var base = { k: "e", t: main.dataset.token };
    send(main.dataset.beacon, Object.assign({ e: "view" }, base));
    var rooms = main.querySelectorAll(".room");
    var last = rooms[rooms.length - 1];
    if (last && "IntersectionObserver" in window) {
      var seen = false;
      var io = new IntersectionObserver(function (entries) {
        entries.forEach(function (en) {
          if (en.isIntersecting && !seen) {
            seen = true;
            io.disconnect();
            send(main.dataset.beacon, Object.assign({ e: "end" }, base));
          }
        });
      });
      io.observe(last);
    }
  }
})();
