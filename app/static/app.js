// Boxes that scroll sideways on a small screen (wide tables) can be scrolled with the keyboard:
// they take the focus (tabindex=0) while they overflow. Nothing else depends on this script.
(function () {
  "use strict";
  var selector = "table.list, table.compact, table.data, .scroll, .kh-rows, .scroll > table";
  function mark() {
    document.querySelectorAll(selector).forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        if (!el.hasAttribute("tabindex")) {
          el.setAttribute("tabindex", "0");
          el.setAttribute("data-scroll-focus", "");
        }
      } else if (el.hasAttribute("data-scroll-focus")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-focus");
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  window.addEventListener("resize", mark);
})();

// Long text boxes say their limit and count what is typed; a paste longer than the limit is
// not cut silently: the box keeps what fits and says how much was left out.
(function () {
  "use strict";
  var vi = (document.documentElement.lang || "vi").indexOf("en") !== 0;
  function fmt(n) {
    return vi ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".") : n.toLocaleString("en");
  }
  function say(n, max) {
    return vi ? "Đã nhập " + fmt(n) + "/" + fmt(max) + " ký tự (tối đa " + fmt(max) + ")."
              : fmt(n) + "/" + fmt(max) + " characters (at most " + fmt(max) + ").";
  }
  function cut(pasted, kept, max) {
    return vi ? "Đoạn dán dài " + fmt(pasted) + " ký tự; ô này chỉ nhận tối đa " + fmt(max) +
                " ký tự nên chỉ giữ " + fmt(kept) + " ký tự đầu. Phần còn lại chưa được lưu."
              : "The pasted text has " + fmt(pasted) + " characters; this box takes at most " +
                fmt(max) + ", so only the first " + fmt(kept) + " were kept.";
  }
  function attach(el) {
    var max = parseInt(el.getAttribute("maxlength"), 10);
    if (!max || max < 200 || el.hasAttribute("data-counted")) { return; }
    el.setAttribute("data-counted", "");
    var note = document.createElement("p");
    note.className = "char-count";
    note.id = (el.id || el.name || "f") + "-count";
    note.setAttribute("aria-live", "polite");
    el.insertAdjacentElement("afterend", note);
    var described = el.getAttribute("aria-describedby");
    el.setAttribute("aria-describedby", (described ? described + " " : "") + note.id);
    var warning = "";
    function update() {
      note.textContent = say(el.value.length, max) + (warning ? " " + warning : "");
      note.classList.toggle("full", el.value.length >= max || !!warning);
    }
    el.addEventListener("input", function () { update(); });
    el.addEventListener("paste", function (e) {
      var text = (e.clipboardData || window.clipboardData).getData("text") || "";
      var room = max - el.value.length + (el.selectionEnd - el.selectionStart);
      warning = text.length > room ? cut(text.length, Math.max(room, 0), max) : "";
      setTimeout(update, 0);
    });
    update();
  }
  function all() {
    document.querySelectorAll("textarea[maxlength], input[type=text][maxlength]").forEach(attach);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
