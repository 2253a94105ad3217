/* The seek preview: a storyboard thumbnail, the chapter and the time above the seek bar
 * (seekbar.js says when and where: window.Learnstream.preview.show / hide).
 *
 * The thumbnails come from the recording's storyboard track (#player[data-storyboard]),
 * a WebVTT file whose cues name tiles of sprite sheets ("sheet_000.jpg#xywh=x,y,w,h")
 * by signed links. Links expire: when a sheet fails to load, the track is fetched again
 * (the app signs it afresh) at most once a minute. A clip uses its recording's
 * storyboard: #player[data-media-offset] is the recording's time at media time 0.
 * The preview is decorative (aria-hidden): the seek bar's value text says the time.
 * State for tests: #player[data-thumbnails] is the number of thumbnails.
 */
(function () {
  "use strict";

  var REFETCH_MS = 60000;
  var ns = window.Learnstream;
  var box = document.getElementById("seek-preview");
  if (!ns || !ns.player || !box) return;
  var player = ns.player;
  var root = player.root;
  var image = document.getElementById("seek-preview-image");
  var text = document.getElementById("seek-preview-text");
  var url = root.dataset.storyboard;
  var offset = parseFloat(root.dataset.mediaOffset || "0") || 0;
  var cues = [];  // {start, end, url, x, y, w, h} in the recording's time
  var sheets = {};  // sheet URL → "ok" | "failed" | "loading"
  var fetchedAt = 0;

  function vttTime(text) {
    var parts = text.split(":").map(parseFloat);
    return parts.reduce(function (total, part) { return total * 60 + part; }, 0);
  }

  /* WebVTT cues "sheet_000.jpg#xywh=x,y,w,h" → tiles with absolute sheet URLs. */
  function parse(vtt, base) {
    var lines = vtt.split(/\r?\n/);
    var found = [];
    for (var i = 0; i < lines.length; i += 1) {
      if (lines[i].indexOf("-->") === -1) continue;
      var times = lines[i].split("-->");
      var match = /^([^#]+)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec((lines[i + 1] || "").trim());
      if (!match) continue;
      found.push({
        start: vttTime(times[0].trim()),
        end: vttTime(times[1].trim().split(/\s+/)[0]),
        url: new URL(match[1], base).href,
        x: +match[2], y: +match[3], w: +match[4], h: +match[5],
      });
    }
    return found;
  }

  function load() {
    if (!url || Date.now() - fetchedAt < REFETCH_MS) return;
    fetchedAt = Date.now();
    var absolute = new URL(url, window.location.href).href;
    fetch(absolute, { credentials: "same-origin", cache: "no-store" })
      .then(function (resp) {
        if (!resp.ok) throw new Error("storyboard " + resp.status);
        return resp.text();
      })
      .then(function (vtt) {
        cues = parse(vtt, absolute);
        sheets = {};
        root.dataset.thumbnails = String(cues.length);
      })
      .catch(function () { /* no thumbnails: the preview shows the time only */ });
  }

  /* The tile at recording time t (cues are in time order): binary search. */
  function cueAt(t) {
    var lo = 0;
    var hi = cues.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (cues[mid].end <= t) lo = mid + 1;
      else if (cues[mid].start > t) hi = mid - 1;
      else return cues[mid];
    }
    return cues.length && t >= cues[cues.length - 1].end ? cues[cues.length - 1] : null;
  }

  /* Load each sheet once off-screen, to learn whether its link still works. */
  function check(sheet) {
    if (sheets[sheet]) return;
    sheets[sheet] = "loading";
    var probe = new Image();
    probe.onload = function () { sheets[sheet] = "ok"; };
    probe.onerror = function () {
      sheets[sheet] = "failed";
      load();
    };
    probe.src = sheet;
  }

  function showTile(cue) {
    image.hidden = !cue;
    if (!cue) return;
    check(cue.url);
    image.style.backgroundImage = 'url("' + cue.url + '")';
    image.style.backgroundPosition = -cue.x + "px " + -cue.y + "px";
    image.style.width = cue.w + "px";
    image.style.height = cue.h + "px";
  }

  /* Module time t at x px from the seek area's left edge (width px wide). */
  function show(t, x, width) {
    showTile(cueAt(player.base + t + offset));
    var chapter = ns.chapters ? ns.chapters.at(t) : null;
    text.textContent = (chapter ? chapter + " · " : "") + player.formatTime(t);
    box.hidden = false;
    var half = box.offsetWidth / 2;
    box.style.left = Math.max(0, Math.min(width - 2 * half, x - half)) + "px";
  }

  function hide() {
    box.hidden = true;
  }

  window.Learnstream.preview = { show: show, hide: hide };
  load();
})();
