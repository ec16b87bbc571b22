// Passerelle: the composer. While one types, the form is posted to the post's check
// endpoint (debounced); the answer gives the findings by field, each publication's
// length counted by the server's own rule, the glossary names of the source with their
// renderings, and each publication as the phone shows it. Images are uploaded from the
// composer and the WeChat cover crops follow the focus inputs. Nothing here is needed
// to write a post: without scripts the form still saves and the page shows the checks.
(function () {
  "use strict";
  var editor = document.querySelector("form.editor");
  if (!editor) { return; }

  var byId = function (id) { return document.getElementById(id); };
  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  };
  var thumbOf = function (id) {
    var input = editor.querySelector('.media-pick input[value="' + id + '"]');
    var img = input ? input.parentNode.querySelector("img.thumb") : null;
    return img ? img.getAttribute("src") : "";
  };

  // --- Cover crops: the preview follows the cover and the focus as they change. ---
  var cropPreview = function (fs) {
    var pub = fs.getAttribute("data-pub");
    var sel = editor.querySelector('select.cover-select[data-pub="' + pub + '"]');
    var img = fs.querySelector("img.crop-img");
    var cover = sel ? sel.value : "";
    if (!cover) {
      if (img) { img.hidden = true; }
      return;
    }
    var inputs = fs.querySelectorAll("input[type=number]");
    var x = inputs[0] && inputs[0].value !== "" ? inputs[0].value : "0.5";
    var y = inputs[1] && inputs[1].value !== "" ? inputs[1].value : "0.5";
    if (!img) {
      img = el("img", "crop-img crop-img-" + fs.getAttribute("data-spec"));
      img.alt = fs.getAttribute("data-alt") || "";
      fs.insertBefore(img, fs.querySelector(".grid-2"));
    }
    var src = "/media/" + encodeURIComponent(cover) + "/" + fs.getAttribute("data-spec") + "?x=" + encodeURIComponent(x) + "&y=" + encodeURIComponent(y);
    if (img.getAttribute("src") !== src) { img.setAttribute("src", src); }
    img.hidden = false;
  };
  var crops = editor.querySelectorAll("fieldset.crop[data-spec]");
  var refreshCrops = function () { crops.forEach(cropPreview); };
  editor.addEventListener("change", function (ev) {
    if (ev.target.closest && (ev.target.closest("fieldset.crop") || ev.target.classList.contains("cover-select"))) { refreshCrops(); }
  });

  // --- The credit line of an article's images goes at the end of its body. ---
  editor.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.credit-insert");
    if (!b) { return; }
    var body = byId(b.getAttribute("data-target")), line = byId(b.getAttribute("data-credit"));
    if (!body || !line) { return; }
    var p = document.createElement("p");
    p.textContent = line.value;
    if (body.value.indexOf(p.outerHTML) < 0) {
      body.value = body.value.replace(/\s+$/, "") + (body.value.trim() ? "\n" : "") + p.outerHTML;
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  // --- Upload from the composer: one request per file, with its progress. ---
  var up = byId("composer-upload");
  var files = byId("upload-files");
  if (up && files && window.FormData && window.XMLHttpRequest) {
    up.hidden = false;
    var bar = byId("upload-progress"), status = byId("upload-status");
    var addAsset = function (a) {
      editor.querySelectorAll(".media-pick[data-name]").forEach(function (group) {
        if (group.querySelector('input[value="' + a.id + '"]')) { return; }
        var label = el("label", "pick");
        var box = el("input");
        box.type = "checkbox";
        box.name = group.getAttribute("data-name");
        box.value = String(a.id);
        // A file uploaded here is meant for the post.
        box.checked = group.getAttribute("data-name") === "media_ids";
        label.appendChild(box);
        if (a.image) {
          var img = el("img", "thumb");
          img.src = "/media/" + a.id + "/ui_thumb";
          img.alt = "";
          label.appendChild(img);
        } else {
          var v = el("span", "thumb thumb-video", "▶");
          v.setAttribute("aria-hidden", "true");
          label.appendChild(v);
        }
        label.appendChild(el("span", "pick-name", a.filename || "#" + a.id));
        group.appendChild(label);
      });
      var none = byId("no-media");
      if (none) { none.hidden = true; }
      if (!a.image || !a.width) { return; }
      editor.querySelectorAll("select.cover-select").forEach(function (sel) {
        if (sel.querySelector('option[value="' + a.id + '"]')) { return; }
        var o = el("option", "", (a.filename || "#" + a.id) + " (" + a.width + "×" + a.height + ")");
        o.value = String(a.id);
        sel.appendChild(o);
        // The first image of an article without a cover becomes its cover.
        if (!sel.value) { sel.value = o.value; }
      });
      refreshCrops();
    };
    var queue = [], done = [], failed = [];
    var next = function () {
      var f = queue.shift();
      if (!f) {
        bar.hidden = true;
        var parts = [];
        if (done.length) { parts.push(up.getAttribute("data-done") + " " + done.join(", ")); }
        if (failed.length) { parts.push(up.getAttribute("data-failed") + " " + failed.join(" ; ")); }
        status.textContent = parts.join(" — ");
        status.className = failed.length ? "hint upload-error" : "hint";
        files.value = "";
        editor.dispatchEvent(new Event("input", { bubbles: true }));
        return;
      }
      if ((files.getAttribute("accept") || "").split(",").indexOf(f.type) < 0) {
        failed.push(f.name + " : " + up.getAttribute("data-unsupported"));
        next();
        return;
      }
      var body = new FormData();
      body.append("file", f, f.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", up.getAttribute("data-upload"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) { bar.value = Math.round(100 * ev.loaded / ev.total); }
      });
      xhr.addEventListener("load", function () {
        var a = null;
        try { a = JSON.parse(xhr.responseText); } catch (e) { a = null; }
        if (xhr.status === 201 && a && a.id) {
          addAsset(a);
          done.push(f.name);
        } else {
          failed.push(f.name + (a && a.error ? " : " + a.error : ""));
        }
        next();
      });
      xhr.addEventListener("error", function () { failed.push(f.name); next(); });
      bar.value = 0;
      bar.hidden = false;
      status.textContent = f.name;
      xhr.send(body);
    };
    files.addEventListener("change", function () {
      queue = Array.prototype.slice.call(files.files);
      done = [];
      failed = [];
      next();
    });
  }

  // --- Live checks, counts, glossary names and phone previews. ---
  var url = editor.getAttribute("data-check");
  if (!url || !window.fetch) { return; }
  var timer = null, seq = 0;
  var sevLabel = {};
  document.querySelectorAll(".finding .sev").forEach(function (s) {
    var li = s.closest(".finding");
    if (li.classList.contains("finding-error")) { sevLabel.error = s.textContent; }
    if (li.classList.contains("finding-warning")) { sevLabel.warning = s.textContent; }
  });

  var renderCounts = function (data) {
    var list = byId("live-counts");
    if (list) { list.textContent = ""; }
    editor.querySelectorAll(".live-count").forEach(function (p) { p.textContent = ""; p.classList.remove("over"); });
    data.counts.forEach(function (c) {
      var over = c.length > c.limit;
      var target = byId(c.target);
      if (target) {
        target.textContent = c.label;
        target.classList.toggle("over", over);
      }
      if (list) {
        var li = el("li", over ? "over" : "", c.account + " — " + c.label);
        list.appendChild(li);
      }
    });
  };

  var renderFindings = function (data) {
    editor.querySelectorAll("ul.findings").forEach(function (ul) { ul.remove(); });
    var lists = {};
    data.findings.forEach(function (f) {
      var input = byId(f.field);
      var box = input ? input.closest(".field") || input.parentNode : null;
      if (!box || !editor.contains(box)) { return; }
      var ul = lists[f.field];
      if (!ul) {
        ul = el("ul", "findings live-findings");
        ul.id = f.field + "-live";
        box.appendChild(ul);
        lists[f.field] = ul;
      }
      var li = el("li", "finding finding-" + f.severity);
      li.appendChild(el("span", "sev", sevLabel[f.severity] || f.severity));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "finding-msg", f.message));
      ul.appendChild(li);
    });
  };

  // The Chinese field a rendering goes into: the last one used, else the post's.
  var lastZH = byId("f-text_zh");
  editor.addEventListener("focusin", function (ev) {
    var t = ev.target;
    if (t && t.tagName === "TEXTAREA" && t.getAttribute("lang") === "zh-Hans") { lastZH = t; }
  });
  var insert = function (text) {
    var area = lastZH || byId("f-text_zh");
    if (!area) { return; }
    var s = area.selectionStart, e = area.selectionEnd;
    if (typeof s !== "number") { s = e = area.value.length; }
    area.value = area.value.slice(0, s) + text + area.value.slice(e);
    area.focus();
    area.setSelectionRange(s + text.length, s + text.length);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  };

  var renderTerms = function (data) {
    var box = byId("term-offers"), view = byId("source-view"), list = byId("term-list");
    if (!box || !view || !list) { return; }
    view.textContent = "";
    list.textContent = "";
    if (!data.terms.length) { box.hidden = true; return; }
    box.hidden = false;
    // The source with its glossary names marked (offsets are in characters).
    var chars = Array.from(data.source || ""), at = 0, seen = {};
    data.terms.forEach(function (t) {
      if (t.start < at) { return; }
      view.appendChild(document.createTextNode(chars.slice(at, t.start).join("")));
      var m = el("mark", t.rendered ? "term term-ok" : "term term-missing", chars.slice(t.start, t.end).join(""));
      m.title = t.zh;
      view.appendChild(m);
      at = t.end;
      if (seen[t.zh]) { return; }
      seen[t.zh] = true;
      var li = el("li", t.rendered ? "term-ok" : "term-missing");
      li.appendChild(el("span", "term-source", t.source));
      li.appendChild(document.createTextNode(" → "));
      [t.zh].concat(t.accepted || []).forEach(function (z) {
        var b = el("button", "btn btn-sm term-insert", z);
        b.type = "button";
        b.lang = "zh-Hans";
        b.setAttribute("data-zh", z);
        b.title = (box.getAttribute("data-insert") || "%s").replace("%s", z);
        li.appendChild(b);
        li.appendChild(document.createTextNode(" "));
      });
      li.appendChild(el("span", "term-state", box.getAttribute(t.rendered ? "data-rendered" : "data-missing")));
      if (t.note) { li.appendChild(el("span", "term-note hint", t.note)); }
      list.appendChild(li);
    });
    view.appendChild(document.createTextNode(chars.slice(at).join("")));
  };
  byId("term-offers") && byId("term-offers").addEventListener("click", function (ev) {
    var b = ev.target.closest("button.term-insert");
    if (b) { insert(b.getAttribute("data-zh")); }
  });

  // A Weibo text: #topics# in Weibo's link colour.
  var withTopics = function (parent, text) {
    var re = /#[^#\n]+#/g, at = 0, m;
    while ((m = re.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(at, m.index)));
      parent.appendChild(el("span", "wb-topic", m[0]));
      at = m.index + m[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(at)));
  };
  var fillMedia = function (box, ids) {
    if (!box) { return; }
    box.textContent = "";
    box.className = box.className.replace(/\bwb-grid-\d+\b/g, "").trim();
    if (box.classList.contains("wb-grid")) { box.classList.add("wb-grid-" + ids.length); }
    ids.forEach(function (id) {
      var src = thumbOf(id);
      if (!src) { return; }
      var img = el("img");
      img.src = src;
      img.alt = "";
      box.appendChild(img);
    });
  };
  var writeFrame = function (frame, html) {
    var doc = frame.contentDocument;
    if (!doc || !doc.body || doc.readyState !== "complete") {
      frame.setAttribute("data-pending", "1");
      frame._pending = html;
      return;
    }
    if (frame._shown !== html) {
      doc.body.innerHTML = html;
      frame._shown = html;
    }
    frame.style.height = doc.documentElement.scrollHeight + "px";
  };
  editor.querySelectorAll("iframe.wx-live").forEach(function (frame) {
    frame.addEventListener("load", function () {
      if (frame._pending !== undefined) { writeFrame(frame, frame._pending); }
    });
  });

  var renderPreviews = function (data) {
    var shown = {};
    data.previews.forEach(function (p) {
      var box = byId("phone-pub_" + p.account);
      if (!box) { return; }
      shown[box.id] = true;
      box.hidden = false;
      if (p.platform === "weibo") {
        var shownText = box.querySelector(".wb-shown"), rest = box.querySelector(".wb-rest"), fold = box.querySelector(".wb-fold");
        var chars = Array.from(p.text);
        shownText.textContent = "";
        rest.textContent = "";
        var open = box.getAttribute("data-open") === "1";
        if (p.fold >= 0) {
          withTopics(shownText, chars.slice(0, p.fold).join(""));
          withTopics(rest, chars.slice(p.fold).join(""));
          rest.hidden = !open;
          fold.hidden = open;
        } else {
          withTopics(shownText, p.text);
          rest.hidden = true;
          fold.hidden = true;
        }
        fillMedia(box.querySelector(".live-media"), p.media);
      } else if (p.platform === "wechat") {
        box.querySelector(".wx-title").textContent = p.title || "—";
        box.querySelector(".wx-author").textContent = p.author || "";
        box.querySelector(".wx-digest").textContent = p.digest || "";
        var cover = box.querySelector(".wx-cover");
        if (p.cover) {
          if (cover.getAttribute("src") !== p.cover) { cover.setAttribute("src", p.cover); }
          cover.hidden = false;
        } else {
          cover.hidden = true;
        }
        var frame = box.querySelector("iframe.wx-live");
        if (frame) { writeFrame(frame, p.body || ""); }
      } else {
        box.querySelector(".note-title").textContent = p.title || "";
        box.querySelector(".note-text").textContent = p.text || "";
        fillMedia(box.querySelector(".live-media"), p.media);
      }
    });
    // A publication no longer ticked has no preview.
    editor.querySelectorAll(".live-phone").forEach(function (box) {
      if (!shown[box.id]) { box.hidden = true; }
    });
  };
  editor.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.wb-fold");
    if (!b) { return; }
    var box = b.closest(".live-phone");
    box.setAttribute("data-open", "1");
    box.querySelector(".wb-rest").hidden = false;
    b.hidden = true;
  });

  // Image rights: the warnings follow the images picked.
  var renderRights = function (data) {
    var panel = byId("checks");
    if (!panel) { return; }
    var ul = byId("rights-warnings");
    if (!data.rights.length) {
      if (ul) { ul.hidden = true; }
      return;
    }
    if (!ul) {
      ul = el("ul", "findings");
      ul.id = "rights-warnings";
      panel.appendChild(ul);
    }
    ul.hidden = false;
    ul.textContent = "";
    data.rights.forEach(function (m) {
      var li = el("li", "finding finding-warning");
      li.appendChild(el("span", "sev", panel.getAttribute("data-warning") || ""));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "finding-msg", m));
      ul.appendChild(li);
    });
  };

  var run = function (first) {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(editor));
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" }
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data || mine !== seq) { return; }
      renderCounts(data);
      renderTerms(data);
      renderPreviews(data);
      renderRights(data);
      // On load the lists the server wrote are current (with their excerpts).
      if (first !== true) { renderFindings(data); }
      editor.setAttribute("data-checked", String(mine));
    }, function () {});
  };
  var schedule = function () {
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  };
  editor.addEventListener("input", schedule);
  editor.addEventListener("change", schedule);
  run(true);
})();

// The media library's upload: several files at once, one request each, with a progress
// bar and the outcome of each file; the page reloads on the library when all are done.
// Without scripts the form uploads its first file.
(function () {
  "use strict";
  var takes = function (input, f) {
    var accept = (input.getAttribute("accept") || "").split(",");
    return accept.indexOf(f.type) >= 0;
  };
  var form = document.querySelector("form.bulk-upload");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var input = form.querySelector("input[type=file]");
  var bar = form.querySelector(".bulk-progress"), status = form.querySelector(".bulk-status"), list = form.querySelector(".bulk-files");
  var button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function (ev) {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) { return; }
    ev.preventDefault();
    button.disabled = true;
    list.textContent = "";
    var i = 0, failed = 0;
    var next = function () {
      if (i >= files.length) {
        bar.hidden = true;
        button.disabled = false;
        status.textContent = "";
        if (!failed) { window.location.reload(); }
        return;
      }
      var f = files[i++];
      var done = function (ok, msg) {
        var li = document.createElement("li");
        li.className = ok ? "bulk-ok" : "bulk-failed";
        li.textContent = (ok ? form.getAttribute("data-done") : form.getAttribute("data-failed")) + " " + f.name + (msg ? " : " + msg : "");
        list.appendChild(li);
        if (!ok) { failed++; }
        next();
      };
      // A kind of file the library does not take is named without sending it (the
      // server would refuse it the same way).
      if (!takes(input, f)) { done(false, form.getAttribute("data-unsupported")); return; }
      status.textContent = (form.getAttribute("data-progress") || "%d / %d").replace("%d", i).replace("%d", files.length) + " — " + f.name;
      bar.hidden = false;
      bar.value = 0;
      var body = new FormData();
      body.append("file", f, f.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.addEventListener("load", function () {
        var a = null;
        try { a = JSON.parse(xhr.responseText); } catch (e) { a = null; }
        done(xhr.status === 201 && a && a.id, a && a.error);
      });
      xhr.addEventListener("error", function () { done(false, ""); });
      xhr.send(body);
    };
    next();
  });
})();
