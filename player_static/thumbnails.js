/* The seek preview: a storyboard thumbnail, the chapter and the time above the seek bar
 * (seekbar.js says when and where: show / hide).
 *
 * The thumbnails come from the recording's storyboard track (#player[data-storyboard],
 * read by storyboard.js). Links expire: when a sheet fails to load, the track is fetched
 * again (the app signs it afresh) at most once a minute. A clip uses its recording's
 * storyboard: #player[data-media-offset] is the recording's time at media time 0.
 * The preview is decorative (aria-hidden): the seek bar's value text says the time.
 * State for tests: #player[data-thumbnails] is the number of thumbnails.
 */
import { formatClock } from "../static/js/time.js";
import { loadStoryboard, tileAt } from "./storyboard.js";

const REFETCH_MS = 60000;

/* The preview of `player` ({show, hide}), or null on a page without one; `chapters`
 * ({at}) may be null. */
export function initThumbnails(player, chapters) {
  const box = document.getElementById("seek-preview");
  if (!box) return null;
  const root = player.root;
  const image = document.getElementById("seek-preview-image");
  const text = document.getElementById("seek-preview-text");
  const url = root.dataset.storyboard;
  const offset = parseFloat(root.dataset.mediaOffset || "0") || 0;
  let tiles = [];  // in the recording's time
  let sheets = new Map();  // sheet URL → "ok" | "failed" | "loading"
  let fetchedAt = 0;

  function load() {
    if (!url || Date.now() - fetchedAt < REFETCH_MS) return;
    fetchedAt = Date.now();
    loadStoryboard(url)
      .then((found) => {
        tiles = found;
        sheets = new Map();
        root.dataset.thumbnails = String(tiles.length);
      })
      .catch(() => { /* no thumbnails: the preview shows the time only */ });
  }

  /* Load each sheet once off-screen, to learn whether its link still works. */
  function check(sheet) {
    if (sheets.has(sheet)) return;
    sheets.set(sheet, "loading");
    const probe = new Image();
    probe.onload = () => sheets.set(sheet, "ok");
    probe.onerror = () => {
      sheets.set(sheet, "failed");
      load();
    };
    probe.src = sheet;
  }

  function showTile(tile) {
    image.hidden = !tile;
    if (!tile) return;
    check(tile.url);
    image.style.backgroundImage = `url("${tile.url}")`;
    image.style.backgroundPosition = `${-tile.x}px ${-tile.y}px`;
    image.style.width = `${tile.w}px`;
    image.style.height = `${tile.h}px`;
  }

  /* Module time t at x px from the seek area's left edge (width px wide). */
  function show(t, x, width) {
    showTile(tileAt(tiles, player.base + t + offset));
    const chapter = chapters ? chapters.at(t) : null;
    text.textContent = (chapter ? chapter + " · " : "") + formatClock(t);
    box.hidden = false;
    const half = box.offsetWidth / 2;
    box.style.left = Math.max(0, Math.min(width - 2 * half, x - half)) + "px";
  }

  function hide() {
    box.hidden = true;
  }

  load();
  return { show, hide };
}
