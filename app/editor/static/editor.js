// Plan editor, optional enhancement. Without JavaScript every input is shown, every "+ Thêm",
// "Xóa", "Lên", "Xuống" posts the form and the server answers with the whole page (nothing typed
// is lost). With JavaScript:
// - only the inputs that matter for each field's type and for the schedule kind are shown;
// - those buttons post the same form in the background and only the part of the page they
//   change (section 3, 4 or 6) is replaced from the server's answer: no page load, the other
//   parts keep their focus, scroll and what is being typed;
// - every part, section, agency and field can be folded ("Thu gọn") and unfolded;
// - leaving the page with unsaved changes asks first (beforeunload), also after the server
//   refused a save (the page it answered with holds what was typed, not what is saved).
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  if (!form) { return; }
  var vi = (document.documentElement.lang || "vi").indexOf("en") !== 0;
  function t(v, e) { return vi ? v : e; }
  var NUM = ["integer", "decimal", "percentage"];
  var show = {
    "t-num": function (x) { return NUM.indexOf(x) >= 0; },
    "t-top": function (x) { return NUM.indexOf(x) >= 0 || x === "computed"; },
    "t-def": function (x) { return x !== "group" && x !== "file" && x !== "computed"; },
    "t-text": function (x) { return x === "text" || x === "textarea"; },
    "t-computed": function (x) { return x === "computed"; },
    "t-file": function (x) { return x === "file"; },
    "t-group": function (x) { return x === "group"; },
    "t-choice": function (x) { return x === "choice" || x === "multichoice"; }
  };

  // -- inputs by field type and schedule kind ---------------------------------------------------
  function own(fs, el) { return el.closest("[data-field]") === fs; }
  function refresh(fs) {
    var sel = fs.querySelector("select[id$='-type']");
    if (!sel || !own(fs, sel)) { return; }
    var x = sel.value;
    Object.keys(show).forEach(function (cls) {
      fs.querySelectorAll("." + cls).forEach(function (el) {
        if (!own(fs, el)) { return; }
        var keep = show[cls](x);
        if (cls === "t-num" && el.classList.contains("t-top")) { keep = show["t-top"](x); }
        if (el.querySelector("[aria-invalid=true]")) { keep = true; }
        el.classList.toggle("is-hidden", !keep);
      });
    });
  }
  function kinds() {
    var kind = document.getElementById("sch-kind");
    if (!kind) { return; }
    var once = kind.value === "once";
    document.querySelectorAll(".k-once").forEach(function (el) { el.classList.toggle("is-hidden", !once); });
    document.querySelectorAll(".k-periodic").forEach(function (el) { el.classList.toggle("is-hidden", once); });
  }
  form.addEventListener("change", function (e) {
    var el = e.target;
    if (el.id === "sch-kind") { kinds(); }
    if (el.matches && el.matches("select[id$='-type']")) {
      var fs = el.closest("[data-field]");
      if (fs) { refresh(fs); }
    }
  });

  // -- folding ------------------------------------------------------------------------------------
  // A part (section.card with an id) folds under its <h2>; a section, agency or field (fieldset)
  // under its <legend>. Folded content is only hidden: its inputs are still sent.
  var folded = {};  // id -> true
  function foldables(root) {
    var out = [];
    if (root.matches && root.matches("section.card[id], fieldset[id]")) { out.push(root); }
    root.querySelectorAll("section.card[id], fieldset.part[id], fieldset.fb-field[id]").forEach(function (el) { out.push(el); });
    return out.filter(function (el) { return form.contains(el); });
  }
  function head(box) {
    for (var i = 0; i < box.children.length; i++) {
      var c = box.children[i];
      if (c.tagName === "H2" || c.tagName === "LEGEND") { return c; }
    }
    return null;
  }
  function label(box) {  // the heading's own text, without the fold button
    var h = head(box);
    return h ? Array.prototype.filter.call(h.childNodes, function (n) { return n.nodeType === 3; })
      .map(function (n) { return n.textContent; }).join("").trim() : "";
  }
  function setFold(box, on) {
    var b = box.querySelector(":scope > .kh-fold, :scope > h2 > .kh-fold, :scope > legend > .kh-fold");
    if (on && box.querySelector("[aria-invalid=true]")) { on = false; }  // a problem stays in sight
    box.classList.toggle("is-folded", on);
    var h = head(box), sum = h && h.querySelector(".kh-sum");
    if (sum) { sum.remove(); }
    if (on && h && h.tagName === "LEGEND") {  // what the folded item is, when its heading does not say
      var sel = box.querySelector("select[id$='-agency']"), txt = box.querySelector("input[id$='-label']");
      var what = sel && sel.value ? sel.options[sel.selectedIndex].text : (txt && txt.value && h.textContent.indexOf(txt.value) < 0 ? txt.value : "");
      if (what) {
        sum = document.createElement("span");
        sum.className = "kh-sum";
        sum.textContent = " — " + what;
        h.appendChild(sum);
      }
    }
    if (on) { folded[box.id] = true; } else { delete folded[box.id]; }
    if (b) {
      b.setAttribute("aria-expanded", on ? "false" : "true");
      b.textContent = on ? t("▸ Mở ra", "▸ Expand") : t("▾ Thu gọn", "▾ Collapse");
      b.setAttribute("aria-label", (on ? t("Mở ra: ", "Expand: ") : t("Thu gọn: ", "Collapse: ")) + label(box));
    }
  }
  function addFold(box) {
    var h = head(box);
    if (!h || h.querySelector(".kh-fold")) { return; }
    var b = document.createElement("button");
    b.type = "button";
    b.className = "kh-fold secondary small";
    if (h.tagName === "LEGEND") { h.insertBefore(b, h.firstChild); } else { h.appendChild(b); }
    b.addEventListener("click", function () { setFold(box, !box.classList.contains("is-folded")); });
    setFold(box, !!folded[box.id]);
  }
  function unfoldTo(el) {
    var box = el && el.closest ? el.closest(".is-folded") : null;
    while (box) { setFold(box, false); box = box.parentElement && box.parentElement.closest(".is-folded"); }
  }
  function foldAll(on) {
    form.querySelectorAll("fieldset.part[id], fieldset.fb-field[id]").forEach(function (box) { setFold(box, on); });
  }

  // -- unsaved changes ----------------------------------------------------------------------------
  var dirty = form.hasAttribute("data-unsaved");
  var leaving = false;
  function markDirty() { dirty = true; form.setAttribute("data-unsaved", "1"); }
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  window.addEventListener("beforeunload", function (e) {
    if (!dirty || leaving) { return undefined; }
    e.preventDefault();
    e.returnValue = "";  // the browser shows its own "leave the page?" question
    return "";
  });

  // -- "+ Thêm", "Xóa", "Lên", "Xuống" without a page load ---------------------------------------
  var live = document.createElement("p");
  live.className = "visually-hidden kh-live";
  live.setAttribute("role", "status");
  live.setAttribute("aria-live", "polite");
  form.insertAdjacentElement("afterbegin", live);

  function listOf(box) {  // the positions of the top-level items of a part, for folding state
    return Array.prototype.map.call(
      box.querySelectorAll(":scope > fieldset[id]"),
      function (fs) { return !!folded[fs.id]; }
    );
  }
  function moved(states, op) {  // the folding of the items after the server applied ``op``
    var m = /^(\w+?)_(add|del|up|down)(?::(\d+))?$/.exec(op);
    if (!m) { return states; }
    var i = m[3] === undefined ? -1 : parseInt(m[3], 10), s = states.slice(), x;
    if (m[2] === "add") { s.push(false); }
    else if (m[2] === "del" && i >= 0) { s.splice(i, 1); }
    else if (m[2] === "up" && i > 0) { x = s[i - 1]; s[i - 1] = s[i]; s[i] = x; }
    else if (m[2] === "down" && i >= 0 && i < s.length - 1) { x = s[i + 1]; s[i + 1] = s[i]; s[i] = x; }
    return s;
  }
  function fallback(name, op) {  // post the form as without JavaScript
    leaving = true;
    var h = document.createElement("input");
    h.type = "hidden";
    h.name = name;
    h.value = op;
    form.appendChild(h);
    HTMLFormElement.prototype.submit.call(form);
  }
  var queue = Promise.resolve();
  function swap(button) {  // one at a time, in the order clicked
    var id = (button.closest("section.card[id]") || {}).id, name = button.name, op = button.value;
    if (!id) { return; }
    queue = queue.then(function () { return send(id, name, op); });
  }
  // parts whose inputs name the items of another part: moving or removing a section changes the
  // "In trong mục" choice of the assignment lines (the server keeps each line on its section)
  var ALSO = { section: ["phan-cong"] };
  function send(id, name, op) {
    var box = document.getElementById(id);
    if (!box) { return null; }
    var kind = op.split("_")[0];
    var ids = [id].concat((ALSO[kind] || []).filter(function (x) { return x !== id && document.getElementById(x); }));
    var states = listOf(box), prefix = null;
    var first = box.querySelector(":scope > fieldset[id]");
    if (first) { prefix = first.id.replace(/-\d+$/, ""); }
    var data = new FormData(form);
    data.append(name, op);
    ids.forEach(function (x) {  // nothing typed into a part while it is being replaced
      var el = document.getElementById(x);
      el.setAttribute("aria-busy", "true");
      el.inert = true;
    });
    return fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Kehoach-Partial": ids.join(" ") }
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = ids.map(function (x) { return doc.getElementById(x); });
      if (fresh.some(function (f) { return !f; })) { throw new Error("no part"); }
      var y = box.getBoundingClientRect().top;
      folded = Object.keys(folded).reduce(function (acc, k) {
        if (!prefix || k.indexOf(prefix + "-") !== 0) { acc[k] = true; }
        return acc;
      }, {});
      if (prefix) {
        moved(states, op).forEach(function (on, i) { if (on) { folded[prefix + "-" + i] = true; } });
      }
      ids.forEach(function (x, i) {
        document.getElementById(x).replaceWith(fresh[i]);
        enhance(fresh[i]);
      });
      window.scrollBy(0, fresh[0].getBoundingClientRect().top - y);
      markDirty();
      focusAfter(fresh[0], op);
    }).catch(function () {
      ids.forEach(function (x) { var el = document.getElementById(x); if (el) { el.inert = false; } });
      fallback(name, op);
    });
  }
  function focusAfter(box, op) {
    var m = /^(\w+?)_(add|del|up|down)(?::([\d,]+))?$/.exec(op) || [];
    var what = m[2], idx = (m[3] || "").split(",").filter(Boolean).map(Number);
    var target = null, say = "";
    if (what === "add") {
      var items = box.querySelectorAll(m[1] === "col" ? "fieldset[data-field] fieldset[data-field]" : ":scope > fieldset[id]");
      if (m[1] === "col") {
        var parent = document.getElementById("f-" + idx[0]);
        items = parent ? parent.querySelectorAll("fieldset[data-field]") : items;
      }
      var last = items[items.length - 1];
      target = last && last.querySelector("input:not([type=hidden]), select, textarea");
      say = t("Đã thêm ", "Added ") + (last ? label(last) : "") + ".";
    } else if (what === "up" || what === "down") {
      var pos = idx[idx.length - 1] + (what === "up" ? -1 : 1);
      var id = m[1] === "col" ? "f-" + idx[0] + "-c-" + pos : (box.querySelector(":scope > fieldset[id]") || { id: "x-0" }).id.replace(/-\d+$/, "-" + pos);
      var fs = document.getElementById(id);
      target = fs && fs.querySelector("button[value^='" + m[1] + "_" + what + ":']:not([disabled])") ||
        (fs && fs.querySelector("button[value^='" + m[1] + "_']"));
      say = t("Đã chuyển ", "Moved ") + (fs ? label(fs) : "") + ".";
    } else if (what === "del") {
      target = box.querySelector(":scope > button[name=_op], .cols > button[name=_op]");
      say = t("Đã xóa.", "Removed.");
    }
    if (target) { target.focus({ preventScroll: false }); }
    live.textContent = say;
  }

  form.addEventListener("submit", function (e) {
    var b = e.submitter;
    var op = b && b.name === "_op" ? b.value : "";
    if (op === "noop") {  // Enter in a text box: nothing to send
      e.preventDefault();
      return;
    }
    if (op === "document" && window.fetch && window.DOMParser) {  // no page load: live from now on
      e.preventDefault();
      var first = !document.getElementById("van-ban");
      askDoc();
      if (first) { document.getElementById("van-ban").scrollIntoView({ behavior: "smooth" }); }
      return;
    }
    if (op && op !== "save" && op !== "preview" && op !== "document" && window.fetch && window.DOMParser) {
      e.preventDefault();
      swap(b);
      return;
    }
    leaving = true;  // saving or previewing: the page the server answers with is the next step
  });

  function enhance(root) {
    root.querySelectorAll("[data-field]").forEach(refresh);
    if (root.matches && root.matches("[data-field]")) { refresh(root); }
    foldables(root).forEach(addFold);
  }

  // the "fold all" switch next to the parts' links
  var steps = document.querySelector("nav.steps");
  if (steps) {
    [["Thu gọn các mục", "Collapse all", true], ["Mở tất cả", "Expand all", false]].forEach(function (x) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "secondary small kh-fold-all";
      b.textContent = t(x[0], x[1]);
      b.addEventListener("click", function () { foldAll(x[2]); });
      steps.appendChild(b);
    });
    steps.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a[href^='#']");
      if (a) { unfoldTo(document.getElementById(a.getAttribute("href").slice(1))); }
    });
  }
  document.addEventListener("click", function (e) {  // a link to a problem unfolds its place
    var a = e.target.closest && e.target.closest(".problems a[href^='#']");
    if (a) { unfoldTo(document.getElementById(a.getAttribute("href").slice(1))); }
  });
  window.addEventListener("hashchange", function () {
    unfoldTo(document.getElementById(window.location.hash.slice(1)));
  });

  // -- "Xem như sẽ in" under a text box, made again by the server as the clerk types ------------
  // (the one parser of the plan's markup is the server's: app/services/richtext.py)
  var TEXT_URL = form.getAttribute("data-text-url");
  var csrf = form.querySelector("input[name=csrf_token]");
  var textTimers = {}, textAsked = {};
  function shownFor(id) { return id ? document.getElementById(id + "-shown") : null; }
  function renderText(box) {
    var det = shownFor(box.id);
    if (!det || !TEXT_URL || !window.fetch) { return; }
    var data = new FormData(), kind = det.getAttribute("data-kind") || "body";
    data.append("csrf_token", csrf ? csrf.value : "");
    data.append("text", box.value);
    data.append("kind", kind);
    if (kind === "tasks") {
      var p = box.id.replace(/-tasks$/, "");
      ["due_text", "window"].forEach(function (k) {
        var el = document.getElementById(p + "-" + k);
        if (el) { data.append(k, el.value); }
      });
      var inl = document.getElementById(p + "-inline");
      if (inl && inl.checked) { data.append("inline", "1"); }
    }
    var n = (textAsked[box.id] || 0) + 1;
    textAsked[box.id] = n;
    fetch(TEXT_URL, { method: "POST", body: data, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.text();
    }).then(function (html) {
      if (textAsked[box.id] !== n) { return; }  // an answer to older text: a newer one comes
      var d = shownFor(box.id), out = d && d.querySelector(".rt-shown");
      if (!out) { return; }
      out.innerHTML = html;  // escaped by the server (richtext.to_html)
      d.hidden = !html.trim();
    }).catch(function () { /* the last preview stays; saving is unaffected */ });
  }
  function textBoxOf(el) {
    if (!el || !el.id) { return null; }
    if (shownFor(el.id)) { return el; }
    var m = /^(a-\d+)-(due_text|window|inline)$/.exec(el.id);
    return m ? document.getElementById(m[1] + "-tasks") : null;
  }
  function textChanged(e) {
    var box = textBoxOf(e.target);
    if (!box) { return; }
    var det = shownFor(box.id);
    if (det && !det.hasAttribute("data-opened")) {  // unfolded once, when typed into
      det.setAttribute("data-opened", "1");
      det.open = true;
    }
    clearTimeout(textTimers[box.id]);
    textTimers[box.id] = setTimeout(function () { renderText(box); }, 300);
  }
  form.addEventListener("input", textChanged);
  form.addEventListener("change", textChanged);

  // -- the plan document's preview: the worker makes it; live once asked for ----------------------
  // "Xem trước văn bản" asks for it in the background; from then on every change asks again a
  // moment after the typing stops (one request at a time; the pages shown stay until the new
  // ones are made).
  var DOC_DELAY = 2000, docBusy = false, docAgain = false, docTimer = null, docGen = 0;
  var action = form.getAttribute("action") || window.location.href;
  function docPanel() {
    var pv = document.getElementById("van-ban");
    if (pv) { return pv; }
    pv = document.createElement("section");
    pv.className = "card";
    pv.id = "van-ban";
    pv.setAttribute("aria-label", t("Xem trước văn bản kế hoạch", "Plan document preview"));
    var h = document.createElement("h2");
    h.textContent = t("Xem trước văn bản kế hoạch", "Plan document preview");
    pv.appendChild(h);
    var pages = document.createElement("div");
    pages.id = "van-ban-trang";
    pv.appendChild(pages);
    form.insertAdjacentElement("afterend", pv);
    return pv;
  }
  function docState(text, problems) {
    var pv = docPanel(), st = pv.querySelector(".kh-doc-state");
    if (!st) {
      st = document.createElement("div");
      st.className = "kh-doc-state note";
      st.setAttribute("role", "status");
      pv.insertBefore(st, pv.querySelector("h2").nextSibling);
    }
    st.textContent = text;
    if (problems) { st.appendChild(problems); }
    var bar = document.querySelector(".kh-doc-live");
    if (bar) { bar.textContent = text; bar.hidden = false; }
  }
  function pollDoc(url, gen) {
    var tries = 0;
    function poll() {
      if (gen !== docGen) { return; }
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
        if (gen !== docGen) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("van-ban-trang"), old = document.getElementById("van-ban-trang");
        var st = fresh ? fresh.getAttribute("data-state") : "";
        var shown = old && old.getAttribute("data-state") === "done";
        if (fresh && old && (st === "done" || st === "failed" || !shown)) { old.replaceWith(fresh); }
        if (st === "done" || st === "failed") {
          docBusy = false;
          docState(st === "done"
            ? t("Bản xem trước theo nội dung đang nhập, cập nhật lúc ", "Preview of what is typed, updated at ") + new Date().toLocaleTimeString(vi ? "vi-VN" : "en-GB")
            : t("Chưa tạo được bản xem trước.", "The preview could not be made."));
          if (docAgain) { docAgain = false; askDoc(); }
          return;
        }
        again();
      }).catch(again);
    }
    function again() {
      if (gen !== docGen) { return; }
      if (++tries < 120) { setTimeout(poll, 1000); return; }
      docBusy = false;
      docState(t("Bộ xử lý văn bản chưa trả lời sau 2 phút. Hãy bấm “Xem trước văn bản” lại sau ít phút.",
        "The document worker has not answered for 2 minutes. Press “Preview document” again in a few minutes."));
    }
    setTimeout(poll, 800);
  }
  function askDoc() {
    if (docBusy) { docAgain = true; return; }
    docBusy = true;
    docAgain = false;
    var gen = ++docGen;
    docState(t("Đang cập nhật bản xem trước…", "Updating the preview…"));
    var data = new FormData(form);
    data.append("_op", "document");
    fetch(action, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-Kehoach-Partial": "van-ban" }
    }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("van-ban");
      if (!fresh || !fresh.getAttribute("data-preview")) {  // refused: what the page must fix first
        docBusy = false;
        var box = doc.getElementById("loi");
        var list = box ? box.querySelector("ul.problems") : null;
        docState(t("Chưa cập nhật được bản xem trước: ", "The preview was not updated: ") +
          (box ? t("còn chỗ cần sửa.", "something needs fixing.") : t("máy chủ không trả lời.", "the server did not answer.")),
          list ? document.importNode(list, true) : null);
        return;
      }
      docPanel().setAttribute("data-preview", fresh.getAttribute("data-preview"));
      pollDoc(fresh.getAttribute("data-preview"), gen);
    }).catch(function () {
      docBusy = false;
      docState(t("Chưa cập nhật được bản xem trước: máy chủ không trả lời.", "The preview was not updated: the server did not answer."));
    });
  }
  function docChanged() {
    if (!document.getElementById("van-ban")) { return; }  // live once asked for
    clearTimeout(docTimer);
    docTimer = setTimeout(askDoc, DOC_DELAY);
  }
  form.addEventListener("input", docChanged);
  form.addEventListener("change", docChanged);
  var docButton = form.querySelector("button[name=_op][value=document]");
  if (docButton && window.fetch && window.DOMParser) {
    var liveDoc = document.createElement("a");  // where the pages are, and how fresh
    liveDoc.href = "#van-ban";
    liveDoc.hidden = true;
    liveDoc.className = "kh-doc-live note";
    liveDoc.setAttribute("aria-live", "polite");
    docButton.insertAdjacentElement("afterend", liveDoc);
  }
  var pv0 = document.getElementById("van-ban");
  if (pv0 && pv0.getAttribute("data-preview") && window.fetch) {  // the page the button posted
    docBusy = true;
    pollDoc(pv0.getAttribute("data-preview"), docGen);
  }

  enhance(form);
  kinds();
  var anchor = form.getAttribute("data-anchor");
  var target = document.getElementById("loi") || (anchor && document.getElementById(anchor));
  if (target) { target.scrollIntoView(); }
}());
