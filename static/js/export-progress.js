// Polls a background export's status and offers the file when it is ready (templates/cases/export_job.html).
(function () {
  "use strict";
  var box = document.querySelector(".export-job[data-status-url]");
  if (!box) { return; }
  var bar = document.getElementById("export-progress");
  var status = document.getElementById("export-status");
  var ready = document.getElementById("export-ready");
  var delay = 1000;

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + "%";
    var text = data.status_display;
    if (data.status === "pending" || data.status === "running") { text += " — " + data.progress + "%"; }
    if (data.error) { text += ": " + data.error; }
    status.textContent = text;
    ready.hidden = !data.ready;
    return data.status === "pending" || data.status === "running";
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (data) { if (show(data)) { window.setTimeout(poll, delay); } })
      .catch(function () {
        status.textContent = "Could not check the export's progress. Reload the page to try again.";
      });
  }
  window.setTimeout(poll, 300);
})();
