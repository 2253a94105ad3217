/* Upload page: resumable direct uploads with Uppy (S3 multipart through /api/v1/uploads),
 * and polling of each unfinished recording's transcode job until it is READY or FAILED.
 * Without JavaScript (or without the Uppy bundle) the plain form on the page still works:
 * Uppy's ES module (#uppy[data-module]) is imported only once the polling runs, and a
 * failure to load it leaves the plain form.
 */
import { csrfToken, request } from "./request.js";

const POLL_MS = 2000;
const MAX_PARTS = 10000;

const addRow = startPolling();

/* The page's translations (#upload-i18n, English text → shown text); English when one
 * is missing. `%(name)s` in a text is replaced from `vars`. */
function t(text, vars) {
  var node = document.getElementById("upload-i18n");
  var table = {};
  try { table = node ? JSON.parse(node.textContent) : {}; } catch (e) { table = {}; }
  var out = table[text] || text;
  if (!vars) return out;
  return out.replace(/%\((\w+)\)s/g, function (m, key) {
    return Object.prototype.hasOwnProperty.call(vars, key) ? String(vars[key]) : m;
  });
}
startUppy(addRow).catch(() => { /* no Uppy: the plain form stays */ });

/* Poll the unfinished recordings' jobs; returns the function that lists a new upload. */
function startPolling() {
  var tbody = document.querySelector("table.jobs tbody");
  var rows = Array.prototype.slice.call(document.querySelectorAll(".job-row"));
  var polling = false;

  // ------------------------------------------------------------------ job polling

  function unfinished(row) {
    var s = row.dataset.state;
    return s !== "ready" && s !== "failed";
  }

  function refresh(row) {
    return request("GET", "/api/v1/videos/" + row.dataset.videoId)
      .then(function (video) { if (video) showVideo(row, video); })
      .catch(function () { /* try again on the next tick */ });
  }

  function showVideo(row, video) {
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
  }

  function tick() {
    var open = rows.filter(unfinished);
    if (!open.length) { polling = false; return; }
    Promise.all(open.map(refresh)).then(function () { setTimeout(tick, POLL_MS); });
  }

  function poll() {
    if (polling) return;
    polling = true;
    setTimeout(tick, POLL_MS);
  }

  function cell(row, className) {
    var td = row.insertCell(-1);
    if (className) td.className = className;
    return td;
  }

  /* A row for a freshly uploaded recording, like the ones the server renders. */
  function addRow(video) {
    if (!tbody || tbody.querySelector('.job-row[data-video-id="' + video.id + '"]')) return;
    var empty = tbody.querySelector(".empty-row");
    if (empty) empty.remove();
    var row = tbody.insertRow(0);
    row.className = "job-row";
    row.dataset.videoId = video.id;
    cell(row).textContent = video.title;
    cell(row, "state");
    var progress = document.createElement("progress");
    progress.className = "job-progress";
    progress.max = 100;
    var pct = document.createElement("span");
    pct.className = "pct";
    var progressCell = cell(row);
    progressCell.appendChild(progress);
    progressCell.appendChild(document.createTextNode(" "));
    progressCell.appendChild(pct);
    cell(row, "error");
    showVideo(row, video);
    rows.push(row);
    poll();
  }

  poll();
  return addRow;
}

// ------------------------------------------------------------------ direct uploads

/* Uppy's dashboard on #uppy; each finished upload is listed by `addRow`. */
async function startUppy(addRow) {
  var root = document.getElementById("uppy");
  if (!root || !root.dataset.module) return;
  var U = await import(root.dataset.module);
  // Uppy's own texts in the page's language (#uppy[data-locale]); English without it.
  var uppyLocale = null;
  if (root.dataset.locale) {
    uppyLocale = await import(root.dataset.locale).then(function (m) { return m.default; }, function () { return null; });
  }
  var csrf = csrfToken();
  var statusLine = document.getElementById("upload-status");
  var speedLine = document.getElementById("upload-speed");
  var partSize = Number(root.dataset.partSize);
  var replacing = root.dataset.replace || "";
  var topics = JSON.parse(root.dataset.topics || "[]");
  var levels = JSON.parse(root.dataset.levels || "[]");
  var errorList = document.getElementById("upload-errors");

  function say(message) { if (statusLine) statusLine.textContent = message; }

  /* A JSON call to the upload API; errors carry the server's message and status. */
  function api(method, path, body, signal) {
    return request(method, "/api/v1/uploads" + path, body || undefined, { signal: signal })
      .catch(function (err) {
        err.source = { status: err.status };  // Uppy reads the status from here
        throw err;
      });
  }

  function stem(name) { return name.replace(/\.[^.]+$/, ""); }

  function mb(bytes) { return (bytes / (1024 * 1024)).toFixed(1) + " MB"; }

  /* One file's refusal, listed beside its name (Uppy also marks the file itself). */
  function showError(file, message) {
    if (!errorList) return;
    var item = document.createElement("li");
    item.className = "error";
    item.textContent = file.name + ": " + message;
    errorList.appendChild(item);
  }

  /* A <select> meta field (topic, level, listed) for Uppy's file card. */
  function selectField(id, label, options) {
    return {
      id: id,
      name: label,
      render: function (field, h) {
        return h("select", {
          id: "uppy-Dashboard-FileCard-input-" + id,
          class: field.fieldCSSClasses.text,
          form: field.form,
          value: field.value || "",
          onChange: function (ev) { field.onChange(ev.target.value); }
        }, options.map(function (o) { return h("option", { value: o[0] }, o[1]); }));
      }
    };
  }

  var metaFields = replacing ? [] : [
    { id: "title", name: t("Title"), placeholder: t("What is this recording about?") },
    { id: "description", name: t("Description"), placeholder: t("Plain text") },
    selectField("topic", t("Topic"), topics),
    selectField("level", t("Level"), levels),
    { id: "tags", name: t("Tags"), placeholder: t("Comma-separated, e.g. python, statistics") },
    selectField("listed", t("Visibility"), [["yes", t("Listed in the library")], ["no", t("Unlisted")]])
  ];

  /* The create-upload body: the file and its own details (or the video it replaces). */
  function newUpload(file) {
    var body = { filename: file.name, type: file.type || "", size: file.size };
    if (replacing) {
      body.replaces_video_id = Number(replacing);
      return body;
    }
    var meta = file.meta;
    body.title = meta.title === undefined ? stem(file.name) : meta.title;
    if (meta.description) body.description = meta.description;
    if (meta.topic) body.topic = meta.topic;
    if (meta.level) body.level = meta.level;
    if (meta.tags) body.tags = meta.tags;
    body.listed = meta.listed !== "no";
    return body;
  }

  var options = {
    id: "learnstream-upload",
    autoProceed: false,
    restrictions: {
      maxFileSize: Number(root.dataset.maxBytes),
      maxNumberOfFiles: replacing ? 1 : null,
      allowedFileTypes: JSON.parse(root.dataset.extensions)
    }
  };
  if (uppyLocale) options.locale = uppyLocale;
  var uppy = new U.Uppy(options);

  uppy.use(U.Dashboard, {
    inline: true,
    target: root,
    height: 340,
    width: "100%",
    showProgressDetails: true,
    proudlyDisplayPoweredByUppy: false,
    note: root.dataset.note,
    metaFields: metaFields
  });

  // Uppy renders a lone file as role="listitem" in a container without role="list"
  // (axe: aria-required-parent, critical); give that container the role it lacks.
  function markFileList() {
    root.querySelectorAll(".uppy-Dashboard-files:not([role])").forEach(function (el) {
      el.setAttribute("role", "list");
    });
  }
  new MutationObserver(markFileList).observe(root, { childList: true, subtree: true });

  // Remembers unfinished uploads (and small files) across reloads and crashes; a large
  // file has to be chosen again, and then only its missing parts are sent.
  uppy.use(U.GoldenRetriever);

  uppy.use(U.AwsS3, {
    shouldUseMultipart: true,
    limit: 4,
    getChunkSize: function (file) { return Math.max(partSize, Math.ceil(file.size / MAX_PARTS)); },
    createMultipartUpload: function (file) {
      return api("POST", "", newUpload(file))
        .then(function (upload) { return { uploadId: upload.uploadId, key: upload.key }; });
    },
    listParts: function (file, opts) {
      return api("GET", "/" + opts.uploadId + "/parts", null, opts.signal);
    },
    signPart: function (file, opts) {
      var path = "/" + opts.uploadId + "/parts/" + opts.partNumber + "/url";
      return api("POST", path, null, opts.signal).then(function (target) {
        // Presigned store URLs must not get extra headers; the app's own route needs CSRF.
        return {
          method: "PUT",
          url: target.url,
          headers: target.direct ? {} : { "X-CSRFToken": csrf }
        };
      });
    },
    completeMultipartUpload: function (file, opts) {
      var parts = opts.parts.map(function (p) { return { PartNumber: p.PartNumber, ETag: p.ETag }; });
      return api("POST", "/" + opts.uploadId + "/complete", { parts: parts }, opts.signal)
        .then(function (done) {
          addRow(done.video);
          return { location: done.location, video_id: done.video.id };
        });
    },
    abortMultipartUpload: function (file, opts) {
      return api("DELETE", "/" + opts.uploadId, null, opts.signal).catch(function () { /* cleaned up later */ });
    }
  });

  uppy.on("file-added", function (file) {
    if (!replacing && file.meta.title === undefined) {
      uppy.setFileMeta(file.id, { title: stem(file.name), listed: "yes" });
    }
  });

  uppy.on("upload-progress", function (file, progress) {
    var started = file.progress && file.progress.uploadStarted;
    var seconds = started ? (Date.now() - started) / 1000 : 0;
    if (!speedLine || !progress.bytesTotal) return;
    var rate = seconds > 0 ? progress.bytesUploaded / seconds : 0;
    speedLine.textContent = file.name + ": " + (rate
      ? t("%(done)s of %(total)s at %(rate)s/s", { done: mb(progress.bytesUploaded), total: mb(progress.bytesTotal), rate: mb(rate) })
      : t("%(done)s of %(total)s", { done: mb(progress.bytesUploaded), total: mb(progress.bytesTotal) }));
  });

  uppy.on("upload-success", function (file) {
    say(t("“%(title)s” is uploaded; it is being transcoded.", { title: file.meta.title || file.name }));
  });

  uppy.on("upload-error", function (file, err) {
    var message = err && err.message ? err.message : t("the upload failed.");
    say((file ? file.name + ": " : "") + message);
    if (file) showError(file, message);
  });

  uppy.on("restore-confirmed", function () { say(t("Resuming your unfinished upload…")); });

  document.getElementById("direct-upload").hidden = false;
}
