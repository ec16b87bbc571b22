// The kiosk's service worker (its first line, written by the server, sets KIOSK:
// version, cache name, the prefix of this kiosk's caches and the files it needs). It
// caches every file at install, answers them from the cache (with ranges for audio),
// and deletes the caches of older versions once active. Its scope is the kiosk's path.
"use strict";
var FILES = {};
KIOSK.files.forEach(function (u) { FILES[u] = true; });

self.addEventListener("install", function (ev) {
  ev.waitUntil(caches.open(KIOSK.cache).then(function (c) {
    return c.addAll(KIOSK.files.map(function (u) { return new Request(u, { cache: "reload", credentials: "omit" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (ev) {
  ev.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf(KIOSK.prefix) === 0 && k !== KIOSK.cache;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// partial answers a Range request from a whole cached response.
function partial(res, range) {
  return res.arrayBuffer().then(function (buf) {
    var size = buf.byteLength;
    var m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    var start, end;
    if (m && m[1] === "" && m[2] !== "") {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    } else if (m && m[1] !== "") {
      start = Number(m[1]);
      end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    }
    if (start === undefined || start > end || start >= size) {
      return new Response(null, { status: 416, headers: { "Content-Range": "bytes */" + size } });
    }
    return new Response(buf.slice(start, end + 1), {
      status: 206,
      headers: {
        "Content-Type": res.headers.get("Content-Type") || "application/octet-stream",
        "Content-Range": "bytes " + start + "-" + end + "/" + size,
        "Content-Length": String(end - start + 1),
        "Accept-Ranges": "bytes"
      }
    });
  });
}

self.addEventListener("fetch", function (ev) {
  var req = ev.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || !FILES[url.pathname]) return;
  ev.respondWith(caches.open(KIOSK.cache).then(function (c) {
    return c.match(url.pathname, { ignoreVary: true, ignoreSearch: true });
  }).then(function (res) {
    if (!res) return fetch(req);
    var range = req.headers.get("Range");
    return range ? partial(res, range) : res;
  }));
});
