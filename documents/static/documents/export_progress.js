// The admin's export page: polls the export's status until the file is ready or the job failed.
(function () {
  const bar = document.getElementById("export-progress");
  if (!bar || !bar.dataset.statusUrl) {
    return;
  }
  function poll() {
    fetch(bar.dataset.statusUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        document.getElementById("export-percent").textContent = job.percent + "%";
        document.getElementById("export-status").textContent = job.status;
        if (job.status === "ready") {
          document.getElementById("export-download").hidden = false;
        } else if (job.status === "failed") {
          const error = document.getElementById("export-error");
          error.textContent = job.error;
          error.hidden = false;
        } else {
          setTimeout(poll, 500);
        }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
