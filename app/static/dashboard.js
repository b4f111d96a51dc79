/* Dashboard: stacked bar charts from the JSON block #dashboard-data, and progress bars of
   documents being generated (polls each document's status.json). No inline script (CSP). */
(function () {
  "use strict";
  var COLORS = {on_time: "#2e7d32", late: "#ef8f00", overdue: "#b00020", not_yet_due: "#9aa5b1"};

  function charts() {
    var block = document.getElementById("dashboard-data");
    if (!block || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(block.textContent || "{}");
    (data.charts || []).forEach(function (c) {
      var canvas = document.getElementById(c.id);
      if (!canvas) { return; }
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: c.labels,
          datasets: c.series.map(function (s) {
            return {label: s.label, data: s.data, backgroundColor: COLORS[s.key] || "#607080",
                    borderWidth: 0, maxBarThickness: 56};
          })
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: {
            x: {stacked: true},
            y: {stacked: true, beginAtZero: true, ticks: {precision: 0},
                title: {display: true, text: "Số báo cáo"}}
          },
          plugins: {legend: {position: "bottom"}}
        }
      });
    });
  }

  function poll(item, tries) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", item.getAttribute("data-job-url"));
    xhr.onload = function () {
      if (xhr.status !== 200) { return; }
      var s = JSON.parse(xhr.responseText);
      var bar = item.querySelector("progress");
      var label = item.querySelector(".job-label");
      bar.value = s.progress || 0;
      bar.textContent = (s.progress || 0) + "%";
      label.textContent = s.label;
      if (s.state === "done" || s.state === "failed") { return; }
      if (tries < 300) { window.setTimeout(function () { poll(item, tries + 1); }, 2000); }
    };
    xhr.send();
  }

  charts();
  Array.prototype.forEach.call(document.querySelectorAll("[data-job-url]"), function (item) {
    window.setTimeout(function () { poll(item, 0); }, 1000);
  });
}());
