/* The seek bar and the time display.
 *
 * The seek bar is a native range input (so touch screen readers can adjust it too) laid
 * over a rail that shows the part played, the parts the server has as watched
 * (player.js) and transcript search matches (transcript.js). Its value is module time
 * (a clip's starts at its in point) and aria-valuetext says it in words ("3 minutes
 * 5 seconds of 12 minutes"). Keys on it: arrows ±5 s, Page Up / Down ±10 %, Home, End.
 * Dragging previews and seeks on release; hovering, dragging and moving with keys show
 * the preview above the bar (thumbnails.js).
 */
import { formatClock, spokenDuration } from "../static/js/time.js";
import { t as tr } from "./i18n.js";

const THUMB = 14;  // px: width of the range thumb (player.css); the rail is inset by half
const KEY_STEP = 5;
const PREVIEW_MS = 1500;  // how long a preview from the keyboard stays up
const QUIET_STEP = 10;  // s: see render()

/* Wire the seek bar of `player`; `thumbnails` ({show, hide}) may be null. */
export function initSeekbar(player, thumbnails) {
  var seek = document.getElementById("seek");
  if (!seek) return;
  var video = player.video;
  var area = document.getElementById("seek-area");
  var played = document.getElementById("seek-played");
  var current = document.getElementById("time-current");
  var total = document.getElementById("time-duration");
  var dragging = false;
  var hideTimer = null;
  var spokenAt = null;

  function clamp(t) {
    return Math.max(0, Math.min(player.duration(), t));
  }

  /* Draw the time. While the video plays with the focus on the bar, its value (which a
   * screen reader reads out on every change) moves only every QUIET_STEP seconds, unless
   * `always` (a seek). */
  function render(always) {
    var d = player.duration();
    var t = dragging ? parseFloat(seek.value) : player.time();
    var quiet = !always && !dragging && !video.paused && document.activeElement === seek;
    played.style.width = (d ? Math.min(100, 100 * t / d) : 0) + "%";
    current.textContent = formatClock(t);
    total.textContent = formatClock(d);
    if (quiet && spokenAt !== null && Math.abs(t - spokenAt) < QUIET_STEP) return;
    spokenAt = quiet ? t : null;
    seek.max = String(d);
    if (!dragging) seek.value = String(t);
    seek.setAttribute("aria-valuetext", tr("%(current)s of %(total)s", { current: spokenDuration(t), total: spokenDuration(d) }));
  }

  video.addEventListener("timeupdate", function () { render(false); });
  ["durationchange", "loadedmetadata", "seeking", "seeked", "emptied"].forEach(function (name) {
    video.addEventListener(name, function () { render(true); });
  });

  /* ---- the preview above the bar ---- */
  function preview(t) {
    clearTimeout(hideTimer);
    if (!thumbnails) return;
    var d = player.duration();
    var width = area.clientWidth;
    thumbnails.show(t, THUMB / 2 + (d ? t / d : 0) * (width - THUMB), width);
  }

  function hide() {
    clearTimeout(hideTimer);
    if (thumbnails) thumbnails.hide();
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, PREVIEW_MS);
  }

  function timeAt(clientX) {
    var box = area.getBoundingClientRect();
    var span = box.width - THUMB;
    var fraction = span > 0 ? (clientX - box.left - THUMB / 2) / span : 0;
    return clamp(Math.max(0, Math.min(1, fraction)) * player.duration());
  }

  area.addEventListener("pointermove", function (event) {
    if (event.pointerType === "touch" && !dragging) return;
    preview(dragging ? parseFloat(seek.value) : timeAt(event.clientX));
  });
  area.addEventListener("pointerleave", function () {
    if (!dragging) hide();
  });
  seek.addEventListener("blur", hide);

  /* ---- seeking: pointer, assistive technology, keys ---- */
  function commit() {
    var t = clamp(parseFloat(seek.value));
    if (Math.abs(t - player.time()) > 0.05) player.seek(t);
  }

  function release() {
    if (!dragging) return;
    dragging = false;
    commit();
    render(true);
    hideSoon();
  }

  seek.addEventListener("pointerdown", function () { dragging = true; });
  seek.addEventListener("pointerup", release);
  seek.addEventListener("pointercancel", release);
  seek.addEventListener("input", function () {
    if (dragging) {
      render(true);
      preview(parseFloat(seek.value));
    } else {
      commit();  // a screen reader's increment, or a tap on the track
    }
  });
  seek.addEventListener("change", function () {
    release();
    commit();
  });

  seek.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var t = player.time();
    var d = player.duration();
    var moves = {
      ArrowLeft: t - KEY_STEP, ArrowDown: t - KEY_STEP,
      ArrowRight: t + KEY_STEP, ArrowUp: t + KEY_STEP,
      PageDown: t - d / 10, PageUp: t + d / 10, Home: 0, End: d,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    event.stopPropagation();
    var to = clamp(moves[event.key]);
    player.seek(to);
    render(true);
    preview(to);
    hideSoon();
  });

  render(true);
}
