/* The transcript beside the video: the cues of the caption track being read (the showing
 * one, else the hidden default track captions.js keeps loaded), one button per line.
 *
 * - The line being spoken is highlighted (aria-current) and scrolled into view inside the
 *   panel only: the page does not move and focus stays where it is.
 * - Click, Enter or Space on a line seeks there. The list is one tab stop; arrow keys,
 *   Home, End, Page Up and Page Down move between lines.
 * - The search box marks matching lines (every word must appear) and puts a mark per
 *   match on the seek rail; Enter moves to the next match, Shift+Enter back.
 * - On a clip page the cues are already in the clip's media time (captions.js); times
 *   are shown from the clip's start.
 * Text comes from the cues' text content only (never parsed as HTML).
 * State for tests: #transcript[data-lines], [data-language]; #transcript-hits[data-hits].
 */
import { formatClock } from "../static/js/time.js";
import { t as tr } from "./i18n.js";

/* Wire the transcript panel beside `player` (nothing on a page without one). */
export function initTranscript(player) {
  var root = player.root;
  var video = player.video;
  var panel = document.getElementById("transcript");
  if (!panel) return;
  var list = document.getElementById("transcript-lines");
  var query = document.getElementById("transcript-query");
  var count = document.getElementById("transcript-count");
  var strip = document.getElementById("transcript-hits");
  var toggle = document.getElementById("transcript-toggle");
  var languageEl = document.getElementById("transcript-language");
  var lines = [];  // {start, end, text, button}
  var track = null;
  var currentLine = null;
  var base = parseFloat(root.dataset.in || "0") || 0;  // media time of the module's 0

  function duration() {
    return player.duration();
  }

  /* ---- which track ---- */
  function ourTracks() {
    return Array.prototype.slice.call(video.querySelectorAll("track[data-caption]"));
  }

  function readingElement() {
    var elements = ourTracks();
    return elements.filter(function (e) { return e.track.mode === "showing"; })[0] ||
      elements.filter(function (e) { return e.track.mode === "hidden"; })[0] || null;
  }

  function refresh() {
    var element = readingElement();
    if (!element || element.track === track) return;
    track = element.track;
    if (element.readyState === 2) build(element);
    else element.addEventListener("load", function () {
      if (element.track === track) build(element);
    }, { once: true });
  }

  /* ---- the list ---- */
  function cueText(cue) {
    var fragment = cue.getCueAsHTML();
    return (fragment.textContent || "").replace(/\s+/g, " ").trim();
  }

  function build(element) {
    var cues = element.track.cues ? Array.prototype.slice.call(element.track.cues) : [];
    list.textContent = "";
    lines = [];
    currentLine = null;
    cues.forEach(function (cue) {
      var text = cueText(cue);
      if (!text) return;
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "transcript-line";
      button.tabIndex = -1;
      button.dataset.start = String(cue.startTime);
      var time = document.createElement("span");
      time.className = "time";
      time.textContent = formatClock(Math.max(0, cue.startTime - base));
      var words = document.createElement("span");
      words.className = "words";
      words.textContent = text;
      button.appendChild(time);
      button.appendChild(document.createTextNode(" "));
      button.appendChild(words);
      li.appendChild(button);
      list.appendChild(li);
      lines.push({ start: cue.startTime, end: cue.endTime, text: text, button: button });
    });
    if (lines.length) lines[0].button.tabIndex = 0;
    list.lang = element.srclang;
    languageEl.textContent = "(" + element.label + ")";
    panel.dataset.language = element.srclang;
    panel.dataset.lines = String(lines.length);
    panel.hidden = toggle.getAttribute("aria-expanded") !== "true";
    toggle.hidden = false;
    highlight();
    search();
  }

  /* ---- the line being spoken ---- */
  function lineAt(t) {
    // The last line started by t (cues are in time order): binary search.
    var lo = 0;
    var hi = lines.length - 1;
    var found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (lines[mid].start <= t + 0.05) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found < 0 ? null : lines[found];
  }

  function scrollIntoPanel(button) {
    var top = button.offsetTop;
    var bottom = top + button.offsetHeight;
    if (top < list.scrollTop || bottom > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 3);
    }
  }

  function setTabStop(line) {
    lines.forEach(function (l) { l.button.tabIndex = l === line ? 0 : -1; });
  }

  function highlight() {
    var line = lineAt(video.currentTime || 0);
    if (line === currentLine) return;
    if (currentLine) {
      currentLine.button.removeAttribute("aria-current");
      currentLine.button.classList.remove("current");
    }
    currentLine = line;
    if (!line) return;
    line.button.setAttribute("aria-current", "true");
    line.button.classList.add("current");
    // While the learner moves through the list, the tab stop stays where they are.
    if (!list.contains(document.activeElement)) setTabStop(line);
    if (!panel.hidden) scrollIntoPanel(line.button);
  }

  video.addEventListener("timeupdate", highlight);
  video.addEventListener("seeked", highlight);

  /* ---- seeking and keys ---- */
  list.addEventListener("click", function (event) {
    var button = event.target.closest(".transcript-line");
    if (!button) return;
    setTabStop(lines.filter(function (l) { return l.button === button; })[0]);
    video.currentTime = parseFloat(button.dataset.start);
  });

  function focusLine(index) {
    var line = lines[Math.max(0, Math.min(lines.length - 1, index))];
    if (!line) return;
    setTabStop(line);
    line.button.focus();
  }

  list.addEventListener("keydown", function (event) {
    var at = lines.map(function (l) { return l.button; }).indexOf(document.activeElement);
    if (at < 0) return;
    var moves = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (event.key in moves) focusLine(at + moves[event.key]);
    else if (event.key === "Home") focusLine(0);
    else if (event.key === "End") focusLine(lines.length - 1);
    else return;
    event.preventDefault();
  });

  toggle.addEventListener("click", function () {
    var show = panel.hidden;
    panel.hidden = !show;
    toggle.setAttribute("aria-expanded", show ? "true" : "false");
    if (show && currentLine) scrollIntoPanel(currentLine.button);
  });

  /* ---- search ---- */
  function terms() {
    return (query.value || "").toLowerCase().split(/\s+/).filter(Boolean);
  }

  function markWords(line, words) {
    // Rebuild the line's text as text nodes and <mark> elements (never HTML).
    var span = line.button.querySelector(".words");
    span.textContent = "";
    if (!words.length) {
      span.textContent = line.text;
      return;
    }
    var lower = line.text.toLowerCase();
    var ranges = [];
    words.forEach(function (w) {
      for (var i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + w.length)) {
        ranges.push([i, i + w.length]);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var at = 0;
    ranges.forEach(function (r) {
      if (r[0] < at) r[0] = at;
      if (r[1] <= r[0]) return;
      span.appendChild(document.createTextNode(line.text.slice(at, r[0])));
      var mark = document.createElement("mark");
      mark.textContent = line.text.slice(r[0], r[1]);
      span.appendChild(mark);
      at = r[1];
    });
    span.appendChild(document.createTextNode(line.text.slice(at)));
  }

  function search() {
    var words = terms();
    var hits = [];
    lines.forEach(function (line) {
      var lower = line.text.toLowerCase();
      var hit = words.length > 0 && words.every(function (w) { return lower.indexOf(w) >= 0; });
      line.hit = hit;
      line.button.classList.toggle("hit", hit);
      markWords(line, hit ? words : []);
      if (hit) hits.push(line);
    });
    drawStrip(hits);
    if (!words.length) count.textContent = "";
    else if (!hits.length) count.textContent = tr("No lines match.");
    else count.textContent = tr(hits.length === 1 ? "%(count)s line matches." : "%(count)s lines match.", { count: hits.length });
    return hits;
  }

  function drawStrip(hits) {
    var d = duration();
    strip.textContent = "";
    strip.dataset.hits = String(hits.length);
    if (!d || !hits.length) {
      strip.hidden = true;
      return;
    }
    hits.forEach(function (line) {
      var mark = document.createElement("span");
      mark.className = "transcript-hit";
      mark.style.left = Math.max(0, Math.min(100, 100 * (line.start - base) / d)) + "%";
      strip.appendChild(mark);
    });
    strip.hidden = false;
  }

  query.addEventListener("input", search);

  query.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && query.value) {
      query.value = "";
      search();
      event.preventDefault();
      return;
    }
    if (event.key !== "Enter") return;
    event.preventDefault();
    var hits = lines.filter(function (l) { return l.hit; });
    if (!hits.length) return;
    var t = video.currentTime || 0;
    var next = event.shiftKey
      ? hits.filter(function (l) { return l.start < t - 0.05; }).pop() || hits[hits.length - 1]
      : hits.filter(function (l) { return l.start > t + 0.05; })[0] || hits[0];
    setTabStop(next);
    next.button.focus();
    scrollIntoPanel(next.button);
  });

  if (!parseFloat(root.dataset.duration || "0")) {
    video.addEventListener("loadedmetadata", function () { drawStrip(lines.filter(function (l) { return l.hit; })); });
  }
  video.textTracks.addEventListener("change", refresh);
  video.textTracks.addEventListener("addtrack", refresh);
  refresh();
}
