/* The one storyboard reader: the recording's thumbnails track is a WebVTT file whose cues
 * name tiles of sprite sheets ("sheet_000.jpg#xywh=x,y,w,h") by signed links. Used by the
 * seek preview (thumbnails.js) and the editor's timeline strip (editor.js).
 */
import { fetchText } from "../static/js/request.js";

const TILE = /^([^#]+)#xywh=(\d+),(\d+),(\d+),(\d+)$/;

/* The tiles of the storyboard at `url`: [{start, end, url, x, y, w, h}] in time order,
 * with absolute sheet URLs. Rejects when the track cannot be read. */
export async function loadStoryboard(url) {
  const absolute = new URL(url, window.location.href).href;
  return parseStoryboard(await fetchText(absolute), absolute);
}

/* WebVTT text → tiles; sheet names are resolved against `base`. */
export function parseStoryboard(vtt, base) {
  const lines = vtt.split(/\r?\n/);
  const tiles = [];
  lines.forEach((line, i) => {
    if (!line.includes("-->")) return;
    const match = TILE.exec((lines[i + 1] || "").trim());
    if (!match) return;
    const [from, to] = line.split("-->");
    tiles.push({
      start: vttTime(from.trim()),
      end: vttTime(to.trim().split(/\s+/)[0]),
      url: new URL(match[1], base).href,
      x: +match[2], y: +match[3], w: +match[4], h: +match[5],
    });
  });
  return tiles;
}

/* The tile shown at time t (tiles in time order; past the last, the last): binary search. */
export function tileAt(tiles, t) {
  let lo = 0;
  let hi = tiles.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tiles[mid].end <= t) lo = mid + 1;
    else if (tiles[mid].start > t) hi = mid - 1;
    else return tiles[mid];
  }
  return tiles.length && t >= tiles[tiles.length - 1].end ? tiles[tiles.length - 1] : null;
}

/* "hh:mm:ss.ttt" or "mm:ss.ttt" → seconds. */
function vttTime(text) {
  return text.split(":").reduce((total, part) => total * 60 + parseFloat(part), 0);
}
