/* How a picture quality reads in the player's menu: its height and the bit rate the
 * HLS master playlist declares for it (BANDWIDTH), "480p · 1.3 Mbps". One figure from
 * one source, so it reads the same before and after playback starts (hls.js's own
 * estimates, measured while segments load, are never shown).
 *
 *   qualityLabel({height: 480, bitrate: 1260000}) → "480p · 1.3 Mbps"
 */

export function bitrateText(bitsPerSecond) {
  if (!bitsPerSecond) return "";
  if (bitsPerSecond >= 1e6) return (bitsPerSecond / 1e6).toFixed(1).replace(/\.0$/, "") + " Mbps";
  return Math.max(1, Math.round(bitsPerSecond / 1000)) + " kbps";
}

export function qualityLabel(level) {
  var rate = bitrateText(level.bitrate);
  return level.height + "p" + (rate ? " · " + rate : "");
}
