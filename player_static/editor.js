/* Learnstream clip editor: cut clips, manage chapters, review suggestions.
 *
 * Everything the page needs comes from data-* attributes on #editor and from the JSON
 * API (no inline scripts, no inline styles: sizes and positions are set through
 * element.style). Times sent to the API are seconds of the whole recording. The stream,
 * the storyboard, the API calls and the times are the player's own modules.
 */
import { request } from "../static/js/request.js";
import { formatClock, parseClock } from "../static/js/time.js";
import { loadStoryboard as readStoryboard } from "./storyboard.js";
import { attachStream } from "./stream.js";

const POLL_MS = 1000;
const TILE_HEIGHT = 54;    // px, the strip's height
const MIN_TILE_WIDTH = 64; // px; longer recordings scroll sideways
const root = document.getElementById("editor");
if (root) startEditor();

/* The page's translations (#editor-i18n, English text → shown text); English when one
 * is missing. `%(name)s` in a text is replaced from `vars`. */
function t(text, vars) {
  var node = document.getElementById("editor-i18n");
  var table = {};
  try { table = node ? JSON.parse(node.textContent) : {}; } catch (e) { table = {}; }
  var out = table[text] || text;
  if (!vars) return out;
  return out.replace(/%\((\w+)\)s/g, function (m, key) {
    return Object.prototype.hasOwnProperty.call(vars, key) ? String(vars[key]) : m;
  });
}

/* Seconds as the editor shows them: `precise` adds hundredths. */
function formatTime(s, precise) {
  return formatClock(s, { precise: !!precise });
}

function startEditor() {
  var video = document.getElementById("editor-video");
  var api = root.dataset.api;
  var duration = parseFloat(root.dataset.duration || "0");
  var errorEl = document.getElementById("editor-error");
  var statusEl = document.getElementById("editor-status");
  var clock = document.getElementById("editor-time");
  var inInput = document.getElementById("clip-in");
  var outInput = document.getElementById("clip-out");
  var lengthEl = document.getElementById("clip-length");
  var timeline = document.getElementById("timeline");
  var track = document.getElementById("timeline-track");
  var rangeEl = document.getElementById("timeline-range");
  var headEl = document.getElementById("timeline-head");
  var clipList = document.getElementById("clip-list");
  var chapterList = document.getElementById("editor-chapter-list");
  var suggestionList = document.getElementById("suggestion-list");
  var exportsByClip = {};  // clip id → latest export JSON
  var polling = {};        // clip id → true while an export is being polled
  var chapters = [];
  var previewEnd = null;   // "Play selection" stops here

  /* ---- small helpers ---- */

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(text, action, label) {
    var node = make("button", "small", text);
    node.type = "button";
    node.dataset.action = action;
    if (label) node.setAttribute("aria-label", label);
    return node;
  }

  function say(text) {
    errorEl.textContent = "";
    statusEl.textContent = text;
  }

  function fail(err) {
    statusEl.textContent = "";
    errorEl.textContent = (err && err.message) || String(err);
  }

  /* Disable the control while its request runs; report failures. */
  function busy(control, promise) {
    if (control) control.disabled = true;
    return promise.catch(fail).then(function (result) {
      if (control) control.disabled = false;
      return result;
    });
  }

  /* ---- player ---- */

  function startPlayer() {
    attachStream(video, root.dataset.src, {
      fatal(details) {
        root.dataset.fatal = details;
        fail(new Error(details === "unsupported"
          ? t("This browser cannot play HLS video.")
          : t("The recording cannot be played: %(details)s", { details: details })));
      },
    });
  }

  function tick() {
    var t = video.currentTime || 0;
    clock.textContent = formatTime(t, true);
    if (previewEnd !== null && t >= previewEnd) {
      previewEnd = null;
      video.pause();
    }
    if (!duration) return;
    headEl.style.left = (100 * t / duration) + "%";
    // Keep the playhead in view on a strip that scrolls.
    var x = headEl.offsetLeft;
    if (x < timeline.scrollLeft || x > timeline.scrollLeft + timeline.clientWidth - 8) {
      timeline.scrollLeft = Math.max(0, x - timeline.clientWidth / 3);
    }
  }

  video.addEventListener("timeupdate", tick);
  video.addEventListener("seeked", tick);
  video.addEventListener("loadedmetadata", function () {
    if (!duration && isFinite(video.duration)) duration = video.duration;
    root.dataset.ready = "1";
    tick();
  });

  function seek(t) {
    video.currentTime = Math.max(0, Math.min(t, duration || t));
  }

  /* ---- storyboard timeline ---- */

  function drawTimeline(cues) {
    var total = duration || (cues.length ? cues[cues.length - 1].end : 0);
    if (!total || !cues.length) return;
    duration = total;
    // Sheet sizes follow from the cues: the right-most and bottom-most tile edges.
    var sheets = {};
    cues.forEach(function (c) {
      var s = sheets[c.url] || (sheets[c.url] = { w: 0, h: 0 });
      s.w = Math.max(s.w, c.x + c.w);
      s.h = Math.max(s.h, c.y + c.h);
    });
    var width = Math.max(timeline.clientWidth, cues.length * MIN_TILE_WIDTH);
    track.style.width = width + "px";
    var fragment = document.createDocumentFragment();
    cues.forEach(function (c) {
      var shown = (c.end - c.start) / total * width;
      // Cover the tile box with the thumbnail, centred (crop what does not fit).
      var scale = Math.max(TILE_HEIGHT / c.h, shown / c.w);
      var tile = make("div", "timeline-tile");
      tile.setAttribute("aria-hidden", "true");
      tile.title = formatTime(c.start);
      tile.style.left = (100 * c.start / total) + "%";
      tile.style.width = (100 * (c.end - c.start) / total) + "%";
      tile.style.backgroundImage = 'url("' + c.url + '")';
      tile.style.backgroundSize = (sheets[c.url].w * scale) + "px " + (sheets[c.url].h * scale) + "px";
      tile.style.backgroundPosition =
        (-c.x * scale - (c.w * scale - shown) / 2) + "px " +
        (-c.y * scale - (c.h * scale - TILE_HEIGHT) / 2) + "px";
      fragment.appendChild(tile);
    });
    track.insertBefore(fragment, track.firstChild);
    root.dataset.tiles = String(cues.length);
    drawMarks();
    drawRange();
    tick();
  }

  function loadStoryboard() {
    return request("GET", api).then(function (info) {
      if (!duration && info.duration) duration = info.duration;
      if (!info.storyboard_url) {
        track.classList.add("timeline-empty");
        return;
      }
      return readStoryboard(info.storyboard_url).then(drawTimeline, function () {
        throw new Error(t("The storyboard thumbnails could not be loaded."));
      });
    }).catch(fail);
  }

  track.addEventListener("click", function (event) {
    if (!duration) return;
    var box = track.getBoundingClientRect();
    seek((event.clientX - box.left) / box.width * duration);
  });

  /* Chapter ticks on the strip. */
  function drawMarks() {
    Array.prototype.slice.call(track.querySelectorAll(".timeline-mark")).forEach(function (n) {
      n.remove();
    });
    if (!duration) return;
    chapters.forEach(function (c) {
      var mark = make("div", "timeline-mark");
      mark.setAttribute("aria-hidden", "true");
      mark.title = c.title;
      mark.style.left = (100 * c.start / duration) + "%";
      track.appendChild(mark);
    });
  }

  /* ---- the new clip's range ---- */

  function readRange() {
    var start = parseClock(inInput.value);
    var end = parseClock(outInput.value);
    if (isNaN(start)) return { error: t("Set the in point (press I, or type m:ss or seconds)."), field: inInput };
    if (isNaN(end)) return { error: t("Set the out point (press O, or type m:ss or seconds)."), field: outInput };
    if (duration && end > duration + 0.001) {
      return { error: t("The out point is past the end of the recording (%(end)s).", { end: formatTime(duration, true) }), field: outInput };
    }
    if (end <= start) return { error: t("The out point must come after the in point."), field: outInput };
    return { start: Math.round(start * 1000) / 1000, end: Math.round(end * 1000) / 1000 };
  }

  function drawRange() {
    var r = readRange();
    [inInput, outInput].forEach(function (input) {
      input.setAttribute("aria-invalid", r.field === input && input.value.trim() !== "" ? "true" : "false");
    });
    if (r.error) {
      lengthEl.textContent = "–";
      rangeEl.hidden = true;
      return;
    }
    lengthEl.textContent = formatTime(r.end - r.start, true);
    if (!duration) return;
    rangeEl.hidden = false;
    rangeEl.style.left = (100 * r.start / duration) + "%";
    rangeEl.style.width = (100 * (r.end - r.start) / duration) + "%";
  }

  function setPoint(which) {
    var input = which === "in" ? inInput : outInput;
    input.value = formatTime(video.currentTime || 0, true);
    drawRange();
    say(which === "in" ? t("In point set at %(time)s.", { time: input.value })
      : t("Out point set at %(time)s.", { time: input.value }));
  }

  document.getElementById("set-in").addEventListener("click", function () { setPoint("in"); });
  document.getElementById("set-out").addEventListener("click", function () { setPoint("out"); });
  inInput.addEventListener("input", drawRange);
  outInput.addEventListener("input", drawRange);

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var key = (event.key || "").toLowerCase();
    if (key === "i" || key === "o") {
      event.preventDefault();
      setPoint(key === "i" ? "in" : "out");
    }
  });

  document.getElementById("preview-range").addEventListener("click", function () {
    var r = readRange();
    if (r.error) {
      fail(new Error(r.error));
      return;
    }
    previewEnd = r.end;
    seek(r.start);
    video.play().catch(function () { /* the user can press play */ });
  });

  document.getElementById("clip-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var r = readRange();
    if (r.error) {
      fail(new Error(r.error));
      r.field.focus();
      return;
    }
    var title = form.elements.title.value.trim();
    if (!title) {
      fail(new Error(t("Give the clip a title.")));
      form.elements.title.focus();
      return;
    }
    var body = {
      title: title,
      description: form.elements.description.value,
      topic: form.elements.topic.value,
      start: r.start,
      end: r.end,
    };
    busy(document.getElementById("save-clip"), request("POST", api + "/clips", body).then(function (clip) {
      form.elements.title.value = "";
      form.elements.description.value = "";
      say(t("Saved clip “%(title)s” (%(start)s–%(end)s).", { title: clip.title,
        start: formatTime(clip.start, true), end: formatTime(clip.end, true) }));
      return refreshClips();
    }));
  });

  /* ---- clips ---- */

  function clipItem(clip) {
    var li = make("li", "clip-item");
    li.dataset.clipId = String(clip.id);
    li.appendChild(make("span", "item-title", clip.title));
    li.appendChild(make("span", "item-meta", formatTime(clip.start, true) + "–" +
      formatTime(clip.end, true) + " · " + t("%(duration)s long", { duration: formatTime(clip.duration) }) +
      (clip.topic ? " · " + clip.topic : "")));
    var actions = make("span", "item-actions");
    var play = make("a", "small-link", t("Play"));
    play.href = clip.watch_url;
    play.setAttribute("aria-label", t("Play clip “%(title)s”", { title: clip.title }));
    actions.appendChild(play);
    actions.appendChild(button(t("Export MP4"), "export", t("Export MP4 of “%(title)s”", { title: clip.title })));
    actions.appendChild(button(t("Delete"), "delete", t("Delete clip “%(title)s”", { title: clip.title })));
    li.appendChild(actions);
    var state = make("div", "export-state");
    state.setAttribute("aria-live", "polite");
    li.appendChild(state);
    showExport(li, exportsByClip[clip.id]);
    return li;
  }

  function showExport(li, exp) {
    var box = li.querySelector(".export-state");
    box.textContent = "";
    li.dataset.exportState = exp ? exp.state : "";
    if (!exp) return;
    if (exp.state === "queued" || exp.state === "running") {
      var bar = make("progress", "export-progress");
      bar.max = 100;
      bar.value = exp.progress || 0;
      bar.setAttribute("aria-label", t("Export progress"));
      box.appendChild(bar);
      box.appendChild(make("span", "", exp.state === "queued"
        ? " " + t("Export queued…")
        : " " + t("Exporting… %(percent)s", { percent: Math.round(exp.progress || 0) + "%" })));
    } else if (exp.state === "ready" && exp.download_url) {
      var link = make("a", "download-link", t("Download MP4"));
      link.href = exp.download_url;
      box.appendChild(link);
      if (exp.size_bytes) {
        box.appendChild(make("span", "", " (" + (exp.size_bytes / 1048576).toFixed(1) + " MB)"));
      }
    } else if (exp.state === "failed") {
      box.appendChild(make("span", "error", t("Export failed: %(error)s", { error: exp.error || t("unknown error") })));
    }
  }

  function findItem(list, attr, id) {
    return list.querySelector("[data-" + attr + '="' + id + '"]');
  }

  function exportUrl(clipId) {
    return api + "/clips/" + clipId + "/export";
  }

  function trackExport(clipId, exp) {
    exportsByClip[clipId] = exp;
    var li = findItem(clipList, "clip-id", clipId);
    if (li) showExport(li, exp);
    if (!exp || (exp.state !== "queued" && exp.state !== "running") || polling[clipId]) return;
    polling[clipId] = true;
    setTimeout(function poll() {
      if (!findItem(clipList, "clip-id", clipId)) {
        delete polling[clipId];  // the clip was deleted
        return;
      }
      request("GET", exportUrl(clipId)).then(function (body) {
        var latest = body.export;
        exportsByClip[clipId] = latest;
        var item = findItem(clipList, "clip-id", clipId);
        if (item) showExport(item, latest);
        if (latest && (latest.state === "queued" || latest.state === "running")) {
          setTimeout(poll, POLL_MS);
        } else {
          delete polling[clipId];
          if (latest && latest.state === "ready") say(t("The MP4 of clip %(id)s is ready to download.", { id: clipId }));
        }
      }).catch(function (err) {
        delete polling[clipId];
        fail(err);
      });
    }, POLL_MS);
  }

  function renderClips(clips) {
    clipList.textContent = "";
    clips.forEach(function (clip) { clipList.appendChild(clipItem(clip)); });
    document.getElementById("clips-empty").hidden = clips.length > 0;
    root.dataset.clips = String(clips.length);
  }

  function refreshClips() {
    return request("GET", api + "/clips").then(function (body) {
      renderClips(body.clips);
      return body.clips;
    });
  }

  function loadExports(clips) {
    return Promise.all(clips.map(function (clip) {
      return request("GET", exportUrl(clip.id)).then(function (body) {
        if (body.export) trackExport(clip.id, body.export);
      });
    }));
  }

  clipList.addEventListener("click", function (event) {
    var control = event.target.closest("button[data-action]");
    if (!control) return;
    var id = control.closest("[data-clip-id]").dataset.clipId;
    if (control.dataset.action === "export") {
      busy(control, request("POST", exportUrl(id)).then(function (exp) {
        say(t("Export started."));
        trackExport(id, exp);
      }));
    } else if (control.dataset.action === "delete") {
      askDelete(control.closest("[data-clip-id]"));
    } else if (control.dataset.action === "cancel-delete") {
      cancelDelete(control.closest("[data-clip-id]"));
    } else if (control.dataset.action === "confirm-delete") {
      busy(control, request("DELETE", api + "/clips/" + id).then(function () {
        delete exportsByClip[id];
        say(t("Clip deleted."));
        return refreshClips();
      }));
    }
  });

  // A clip (and its MP4 export) goes only after a second, explicit click.
  function askDelete(li) {
    if (li.querySelector(".clip-confirm")) return;
    var title = li.querySelector(".item-title").textContent;
    var box = make("div", "clip-confirm");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", t("Confirm deleting “%(title)s”", { title: title }));
    box.appendChild(make("span", "", t("Delete “%(title)s” and its export?", { title: title }) + " "));
    var yes = button(t("Delete clip"), "confirm-delete", t("Yes, delete clip “%(title)s”", { title: title }));
    yes.classList.add("danger");
    box.appendChild(yes);
    box.appendChild(button(t("Cancel"), "cancel-delete", t("Keep clip “%(title)s”", { title: title })));
    li.insertBefore(box, li.querySelector(".export-state"));
    box.querySelector("[data-action=cancel-delete]").focus();
  }

  function cancelDelete(li) {
    li.querySelector(".clip-confirm").remove();
    li.querySelector("[data-action=delete]").focus();
  }

  clipList.addEventListener("keydown", function (event) {
    var box = event.target.closest && event.target.closest(".clip-confirm");
    if (box && event.key === "Escape") {
      event.preventDefault();
      cancelDelete(box.closest("[data-clip-id]"));
    }
  });

  /* ---- chapters ---- */

  function chapterItem(chapter) {
    var li = make("li", "chapter-item");
    li.dataset.chapterId = String(chapter.id);
    var at = formatTime(chapter.start);
    var seekButton = button(at, "seek", t("Seek to %(time)s", { time: at }));
    seekButton.dataset.seek = String(chapter.start);
    li.appendChild(seekButton);
    var label = make("label", "visually-hidden", t("Title of the chapter at %(time)s", { time: at }));
    var input = make("input", "chapter-title-input");
    input.id = "chapter-title-" + chapter.id;
    input.value = chapter.title;
    input.maxLength = 200;
    label.htmlFor = input.id;
    li.appendChild(label);
    li.appendChild(input);
    var actions = make("span", "item-actions");
    actions.appendChild(button(t("Rename"), "rename", t("Rename the chapter at %(time)s", { time: at })));
    actions.appendChild(button(t("Make clip"), "clip", t("Make clip of the chapter at %(time)s", { time: at })));
    actions.appendChild(button(t("Delete"), "delete", t("Delete the chapter at %(time)s", { time: at })));
    li.appendChild(actions);
    return li;
  }

  function renderChapters(list) {
    chapters = list;
    chapterList.textContent = "";
    list.forEach(function (c) { chapterList.appendChild(chapterItem(c)); });
    document.getElementById("chapters-empty").hidden = list.length > 0;
    root.dataset.chapters = String(list.length);
    drawMarks();
  }

  function refreshChapters() {
    return request("GET", api + "/chapters").then(function (body) {
      renderChapters(body.chapters);
    });
  }

  function renameChapter(li, control) {
    var id = li.dataset.chapterId;
    var title = li.querySelector("input").value.trim();
    if (!title) {
      fail(new Error(t("A chapter needs a title.")));
      li.querySelector("input").focus();
      return;
    }
    busy(control, request("PATCH", api + "/chapters/" + id, { title: title }).then(function (c) {
      say(t("Chapter renamed to “%(title)s”.", { title: c.title }));
      return refreshChapters();
    }));
  }

  chapterList.addEventListener("click", function (event) {
    var control = event.target.closest("button[data-action]");
    if (!control) return;
    var li = control.closest("[data-chapter-id]");
    var id = li.dataset.chapterId;
    var action = control.dataset.action;
    if (action === "seek") {
      seek(parseFloat(control.dataset.seek));
    } else if (action === "rename") {
      renameChapter(li, control);
    } else if (action === "clip") {
      busy(control, request("POST", api + "/chapters/" + id + "/clip").then(function (clip) {
        say(t("Made clip “%(title)s” from the chapter.", { title: clip.title }));
        return refreshClips();
      }));
    } else if (action === "delete") {
      busy(control, request("DELETE", api + "/chapters/" + id).then(function () {
        say(t("Chapter deleted."));
        return refreshChapters();
      }));
    }
  });

  chapterList.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.classList.contains("chapter-title-input")) return;
    event.preventDefault();
    var li = event.target.closest("[data-chapter-id]");
    renameChapter(li, li.querySelector('[data-action="rename"]'));
  });

  document.getElementById("chapter-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("chapter-title");
    var title = input.value.trim();
    if (!title) {
      fail(new Error(t("Type a chapter title first.")));
      input.focus();
      return;
    }
    var start = Math.round((video.currentTime || 0) * 1000) / 1000;
    busy(document.getElementById("add-chapter"),
      request("POST", api + "/chapters", { title: title, start: start }).then(function (c) {
        input.value = "";
        say(t("Chapter “%(title)s” added at %(time)s.", { title: c.title, time: formatTime(c.start) }));
        return refreshChapters();
      }));
  });

  /* ---- suggestions ---- */

  function suggestionItem(item) {
    var li = make("li", "suggestion-item");
    li.dataset.suggestionId = String(item.id);
    li.appendChild(make("span", "badge", item.kind));
    var at = formatTime(item.start) + (item.end !== null && item.end !== undefined
      ? "–" + formatTime(item.end) : "");
    var seekButton = button(at, "seek", t("Seek to %(time)s", { time: at }));
    seekButton.dataset.seek = String(item.start);
    li.appendChild(seekButton);
    li.appendChild(make("span", "item-title", item.label || t("(no label)")));
    var what = { kind: item.kind, time: formatTime(item.start) };
    var actions = make("span", "item-actions");
    actions.appendChild(button(t("Accept"), "accept", t("Accept the %(kind)s suggestion at %(time)s", what)));
    actions.appendChild(button(t("Discard"), "discard", t("Discard the %(kind)s suggestion at %(time)s", what)));
    li.appendChild(actions);
    return li;
  }

  function renderSuggestions(list) {
    suggestionList.textContent = "";
    list.forEach(function (s) { suggestionList.appendChild(suggestionItem(s)); });
    document.getElementById("suggestions-empty").hidden = list.length > 0;
  }

  function refreshSuggestions() {
    return request("GET", api + "/suggestions").then(function (body) {
      renderSuggestions(body.suggestions);
    });
  }

  suggestionList.addEventListener("click", function (event) {
    var control = event.target.closest("button[data-action]");
    if (!control) return;
    var action = control.dataset.action;
    if (action === "seek") {
      seek(parseFloat(control.dataset.seek));
      return;
    }
    var id = control.closest("[data-suggestion-id]").dataset.suggestionId;
    busy(control, request("POST", api + "/suggestions/" + id + "/" + action).then(function (body) {
      var next = [refreshSuggestions()];
      if (body.clip) {
        say(t("Accepted: clip “%(title)s” created.", { title: body.clip.title }));
        next.push(refreshClips());
      } else if (body.chapter) {
        say(t("Accepted: chapter “%(title)s” added.", { title: body.chapter.title }));
        next.push(refreshChapters());
      } else {
        say(t("Suggestion discarded."));
      }
      return Promise.all(next);
    }));
  });

  /* ---- start ---- */
  startPlayer();
  Promise.all([
    refreshClips().then(loadExports),
    refreshChapters(),
    refreshSuggestions(),
    loadStoryboard(),
  ]).catch(fail).then(function () {
    drawRange();
    root.dataset.loaded = "1";
  });
}
