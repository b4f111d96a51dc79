// Plan editor, optional enhancement: show only the inputs that matter for each field's type
// and for the schedule kind. Without JavaScript every input is shown and works.
(function () {
  "use strict";
  var NUM = ["integer", "decimal", "percentage"];
  var show = {
    "t-num": function (t) { return NUM.indexOf(t) >= 0; },
    "t-top": function (t) { return NUM.indexOf(t) >= 0 || t === "computed"; },
    "t-def": function (t) { return t !== "group" && t !== "file" && t !== "computed"; },
    "t-text": function (t) { return t === "text" || t === "textarea"; },
    "t-computed": function (t) { return t === "computed"; },
    "t-file": function (t) { return t === "file"; },
    "t-group": function (t) { return t === "group"; },
    "t-choice": function (t) { return t === "choice" || t === "multichoice"; }
  };
  function own(fs, el) { return el.closest("[data-field]") === fs; }
  function refresh(fs) {
    var sel = fs.querySelector("select[id$='-type']");
    if (!sel) { return; }
    var t = sel.value;
    Object.keys(show).forEach(function (cls) {
      fs.querySelectorAll("." + cls).forEach(function (el) {
        if (!own(fs, el)) { return; }
        var keep = show[cls](t) || (cls === "t-top" ? false : false);
        if (cls === "t-num" && el.classList.contains("t-top")) { keep = show["t-top"](t); }
        if (el.querySelector("[aria-invalid=true]")) { keep = true; }
        el.classList.toggle("is-hidden", !keep);
      });
    });
  }
  document.querySelectorAll("[data-field]").forEach(function (fs) {
    refresh(fs);
    var sel = fs.querySelector("select[id$='-type']");
    if (sel) { sel.addEventListener("change", function () { refresh(fs); }); }
  });
  var kind = document.getElementById("sch-kind");
  function kinds() {
    var once = kind.value === "once";
    document.querySelectorAll(".k-once").forEach(function (el) { el.classList.toggle("is-hidden", !once); });
    document.querySelectorAll(".k-periodic").forEach(function (el) { el.classList.toggle("is-hidden", once); });
  }
  if (kind) { kind.addEventListener("change", kinds); kinds(); }
  var form = document.querySelector("form.editor");
  var anchor = form && form.getAttribute("data-anchor");
  var target = document.getElementById("loi") || (anchor && document.getElementById(anchor));
  if (target) { target.scrollIntoView(); }
}());
