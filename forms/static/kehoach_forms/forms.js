/* Enhancements for forms rendered by kehoach_forms/render.html. Without this file everything still
   works through the server (the "Thêm dòng" / "Xóa dòng" buttons submit the form). With it:
   rows are added and removed in the page, and fields with data-visible-if are hidden while their
   condition is false. No framework, no network. */
(function () {
  "use strict";

  function escapeRe(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function inputsNamed(scope, name) {
    return Array.prototype.filter.call(
      scope.querySelectorAll("input, select, textarea"),
      function (el) { return el.name === name; }
    );
  }

  function valuesOf(inputs) {
    var out = [];
    inputs.forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { out.push(el.value); }
      } else if (el.value.trim() !== "") {
        out.push(el.value.trim());
      }
    });
    return out;
  }

  function toNumber(text) {
    var n = Number(String(text).replace(/[.\s](?=\d{3}(\D|$))/g, "").replace(",", "."));
    return isNaN(n) ? null : n;
  }

  function isShown(el, form, seen) {
    var raw = el.getAttribute("data-visible-if");
    if (!raw) { return true; }
    seen = seen || [];
    if (seen.indexOf(el) >= 0) { return true; }
    seen.push(el);
    var cond = JSON.parse(raw);
    var row = el.closest("[data-kh-row]");
    var scope = row || form;
    var prefix = row ? row.getAttribute("data-kh-row") : "";
    var refBox = Array.prototype.find.call(
      scope.querySelectorAll("[data-kh-field]"),
      function (box) { return box.getAttribute("data-kh-field") === cond.field; }
    );
    if (refBox && !isShown(refBox, form, seen)) { return false; }
    var values = valuesOf(inputsNamed(scope, prefix + cond.field));
    if (cond.not_empty) { return values.length > 0; }
    return values.some(function (v) {
      return cond["in"].some(function (w) {
        if (cond.numeric) { return toNumber(v) !== null && toNumber(v) === toNumber(w); }
        return v === w;
      });
    });
  }

  /* The hidden attribute alone is not enough: a page stylesheet giving the field a display
     (e.g. display:flex) wins over the browser's [hidden]{display:none}. So the display is also
     set through the CSSOM, which a CSP without 'unsafe-inline' for styles allows. A table cell
     keeps its place (the columns stay aligned) and only its content is hidden. */
  function setHidden(el, hide) {
    if (el.tagName === "TD") {
      el.style.visibility = hide ? "hidden" : "";
      el.setAttribute("aria-hidden", hide ? "true" : "false");
      return;
    }
    el.hidden = hide;
    el.style.display = hide ? "none" : "";
  }

  function refresh(form) {
    form.querySelectorAll("[data-visible-if]").forEach(function (el) {
      setHidden(el, !isShown(el, form));
    });
  }

  function renumber(tbody) {
    Array.prototype.forEach.call(tbody.rows, function (tr, i) {
      var cell = tr.querySelector(".kh-row-number");
      if (cell) { cell.textContent = String(i + 1); }
      /* the hidden labels say "<column> (dòng N)" */
      tr.querySelectorAll("label.visually-hidden, legend.visually-hidden").forEach(function (el) {
        el.textContent = el.textContent.replace(/\(dòng \d+\)\s*$/, "(dòng " + (i + 1) + ")");
      });
    });
  }

  function clearRow(tr) {
    tr.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") { el.checked = false; }
      else if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      else { el.value = ""; }
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
    });
    tr.querySelectorAll(".invalid-feedback").forEach(function (el) { el.textContent = ""; });
    tr.querySelectorAll("output").forEach(function (el) { el.textContent = ""; });
  }

  function addRow(group) {
    var name = group.getAttribute("data-kh-group");
    var tbody = group.querySelector("tbody");
    var rows = tbody.rows;
    var max = Number(group.getAttribute("data-kh-max-rows")) || Infinity;
    if (!rows.length || rows.length >= max) { return false; }
    var last = rows[rows.length - 1];
    var next = 0;
    Array.prototype.forEach.call(rows, function (tr) {
      var m = tr.getAttribute("data-kh-row").match(/-(\d+)-$/);
      if (m) { next = Math.max(next, Number(m[1]) + 1); }
    });
    var oldPrefix = last.getAttribute("data-kh-row");
    var newPrefix = name + "-" + next + "-";
    var pattern = new RegExp(escapeRe(oldPrefix), "g");
    var clone = last.cloneNode(true);
    clone.setAttribute("data-kh-row", newPrefix);
    clone.querySelectorAll("*").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v) { el.setAttribute(attr, v.replace(pattern, newPrefix)); }
      });
      if (el.classList.contains("kh-remove-row")) { el.value = newPrefix.slice(0, -1); }
    });
    clearRow(clone);
    tbody.appendChild(clone);
    renumber(tbody);
    var first = clone.querySelector("input, select, textarea");
    if (first) { first.focus(); }
    return true;
  }

  function removeRow(button) {
    var tr = button.closest("tr");
    var tbody = tr.parentNode;
    /* focus would be lost with the button: move it to the row that takes its place */
    var target = tr;
    if (tbody.rows.length <= 1) { clearRow(tr); } else {
      target = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
    }
    renumber(tbody);
    var first = target.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }

  function enhance(box) {
    var form = box.closest("form") || box;
    box.addEventListener("click", function (event) {
      var add = event.target.closest(".kh-add-row");
      var remove = event.target.closest(".kh-remove-row");
      if (add && addRow(add.closest("[data-kh-group]"))) {
        event.preventDefault();
        refresh(form);
      } else if (remove) {
        event.preventDefault();
        removeRow(remove);
        refresh(form);
      }
    });
    box.addEventListener("input", function () { refresh(form); });
    box.addEventListener("change", function () { refresh(form); });
    refresh(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-kh-form]").forEach(enhance);
  });
})();
