/* Upload page: poll each unfinished recording's job until it is READY or FAILED. */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var rows = Array.prototype.slice.call(document.querySelectorAll(".job-row"));

  function unfinished(row) {
    var s = row.dataset.state;
    return s !== "ready" && s !== "failed";
  }

  function refresh(row) {
    return fetch("/api/v1/videos/" + row.dataset.videoId, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (video) {
        if (!video) return;
        var job = video.job || { progress: 0, error: null };
        row.dataset.state = video.state;
        row.querySelector(".state").textContent = video.state;
        row.querySelector(".job-progress").value = job.progress;
        row.querySelector(".pct").textContent = Math.round(job.progress) + "%";
        if (video.state === "failed") row.querySelector(".error").textContent = job.error || "";
        if (video.state === "ready") {
          var cell = row.cells[0];
          var link = document.createElement("a");
          link.href = "/videos/" + video.id;
          link.textContent = video.title;
          cell.textContent = "";
          cell.appendChild(link);
        }
      })
      .catch(function () { /* try again on the next tick */ });
  }

  function tick() {
    var open = rows.filter(unfinished);
    if (!open.length) return;
    Promise.all(open.map(refresh)).then(function () { setTimeout(tick, POLL_MS); });
  }

  setTimeout(tick, POLL_MS);
})();
