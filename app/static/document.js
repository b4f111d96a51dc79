/* Polls the render status of a document and moves the progress bar. No framework. */
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var state = box.getAttribute("data-state");
  if (state !== "queued" && state !== "running") { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector(".render-label");
  var tries = 0;
  function poll() {
    tries += 1;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", box.getAttribute("data-status-url"));
    xhr.onload = function () {
      if (xhr.status !== 200) { return; }
      var s = JSON.parse(xhr.responseText);
      bar.value = s.progress || 0;
      bar.textContent = (s.progress || 0) + "%";
      label.textContent = s.label;
      if (s.state === "done" || s.state === "failed") {
        var note = document.querySelector(".reload-note");
        if (note) { note.hidden = false; }
        return;
      }
      if (tries < 300) { window.setTimeout(poll, 2000); }
    };
    xhr.send();
  }
  window.setTimeout(poll, 1000);
}());
