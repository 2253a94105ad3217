/* The one hls.js set-up (watch, clip and editor pages): hls.js attached to a video
 * (Safari plays HLS natively), its picture levels reported, recoverable errors recovered,
 * and fresh links when signed segment links expire.
 *
 * Expiring links: playlists name segments by signed links that expire
 * (MEDIA_URL_TTL_MINUTES), and hls.js never re-reads a finished (VOD) playlist. So on a
 * 403 for a segment, fetch its playlist again (the app signs it afresh on every fetch),
 * put the new links into the loaded level, and let hls.js retry the segment: it retries a
 * 403 only here.
 */
import Hls from "../vendor/hls.mjs";
import { fetchText } from "../static/js/request.js";
import { t as tr } from "./i18n.js";

/* Start streaming `src` into `video`. Callbacks (all optional):
 *   levels(levels)     picture levels {index, height, bitrate} once the ladder is known
 *   level({index, auto}) the level now playing
 *   problem(text)      a recoverable trouble worth announcing
 *   fatal(details)     playback is impossible ("unsupported" without HLS support)
 *   refreshed()        a playlist's links were renewed
 * Returns {setLevel(index)}; index -1 is automatic. */
export function attachStream(video, src, callbacks = {}) {
  const report = (name, value) => callbacks[name] && callbacks[name](value);
  if (Hls.isSupported()) return startHls(video, src, report);
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;  // Safari plays HLS natively
  } else {
    report("fatal", "unsupported");
  }
  return { setLevel() {} };
}

function startHls(video, src, report) {
  const fragLoadPolicy = structuredClone(Hls.DefaultConfig.fragLoadPolicy);
  fragLoadPolicy.default.errorRetry.shouldRetry = retryExpired;
  const hls = new Hls({ capLevelToPlayerSize: true, fragLoadPolicy });
  const refreshing = new Map();  // playlist URL → pending refresh

  function refreshLinks(frag) {
    // The shared audio rendition's fragments belong to an audio track, not a level.
    const level = frag.type === "audio" ? hls.audioTracks[frag.level] : hls.levels[frag.level];
    const url = frag.baseurl;
    if (!level || !level.details || refreshing.has(url)) return;
    const pending = fetchText(url)
      .then((text) => {
        const fresh = segmentLinks(text, url);
        for (const f of level.details.fragments) if (fresh.has(f.sn)) f.url = fresh.get(f.sn);
        report("refreshed");
      })
      .catch(() => { /* hls.js runs out of retries and reports the error */ })
      .finally(() => refreshing.delete(url));
    refreshing.set(url, pending);
  }

  hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
    // Picture levels only: the audio-only variant is not a quality to choose.
    const levels = data.levels
      .map((level, index) => ({ index, height: level.height, bitrate: declaredBitrate(level) }))
      .filter((level) => level.height);
    report("levels", levels);
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => {
    report("level", { index: data.level, auto: hls.autoLevelEnabled });
  });
  hls.on(Hls.Events.ERROR, (_e, data) => {
    const expired = data.details === Hls.ErrorDetails.FRAG_LOAD_ERROR &&
      data.frag && data.response && data.response.code === 403;
    if (expired) refreshLinks(data.frag);
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      report("problem", tr("Network problem, retrying…"));
      hls.startLoad();
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      hls.recoverMediaError();
    } else {
      report("fatal", data.details || "fatal");
      hls.destroy();
    }
  });
  hls.loadSource(src);
  hls.attachMedia(video);
  return { setLevel(index) { hls.currentLevel = index; } };
}

/* The playlist's BANDWIDTH for the level: hls.js may fold measured rates into its own
 * figures, which would change the menu's label once segments have loaded. */
function declaredBitrate(level) {
  const declared = level.attrs && parseInt(level.attrs.BANDWIDTH, 10);
  return declared > 0 ? declared : level.bitrate;
}

function retryExpired(retryConfig, retryCount, isTimeout, response, retry) {
  return retry || (!!response && response.code === 403 && retryCount < retryConfig.maxNumRetry);
}

/* Media sequence number → absolute segment URL, from a media playlist's text. */
function segmentLinks(text, base) {
  const links = new Map();
  let sn = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const sequence = /^#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(line);
    if (sequence) sn = parseInt(sequence[1], 10);
    else if (line && !line.startsWith("#")) links.set(sn++, new URL(line, base).href);
  }
  return links;
}
