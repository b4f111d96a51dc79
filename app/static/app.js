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
