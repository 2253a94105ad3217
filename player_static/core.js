/* Learnstream player core: clip bounds, resume, heartbeats, and the watched bar.
 * player.js attaches the stream (stream.js) right after: these listeners come first.
 *
 * Heartbeats report the resume position and the intervals actually played since the
 * last beat: every 10 s while playing, and on pause, seek, end and page hide (then as
 * a beacon). A bar in the seek rail shows the parts the server has as watched.
 * The other player modules (controls.js, seekbar.js, keyboard.js...) get the small API
 * createPlayer returns: module time (seconds from the clip's in point for a clip),
 * seeking, events, and the status line.
 */
import { csrfToken, send } from "../static/js/request.js";
import { formatClock } from "../static/js/time.js";
import { t as tr } from "./i18n.js";

const BEAT_MS = 10000;

/* The player of #player, or null on a page without one. */
export function createPlayer() {
  var root = document.getElementById("player");
  if (!root) return null;
  var video = document.getElementById("video");
  var statusEl = document.getElementById("player-status");
  var progressUrl = root.dataset.progressUrl;
  var resumeAt = parseFloat(root.dataset.resume || "0");
  var startAt = parseFloat(root.dataset.start || "NaN");
  // Clips: the playlist holds whole parent segments; play only [clipIn, clipOut).
  var clipIn = parseFloat(root.dataset.in || "NaN");
  var clipOut = parseFloat(root.dataset.out || "NaN");
  var isClip = !isNaN(clipIn) && !isNaN(clipOut);
  var listeners = {};  // event name → callbacks (see on/emit)

  /* Media time → module time (seconds from the clip's start for a clip). */
  function rel(t) {
    if (!isClip) return t;
    return Math.min(Math.max(t - clipIn, 0), clipOut - clipIn);
  }

  /* Announce in the polite live region; the same words twice are announced twice. */
  function say(text) {
    statusEl.textContent = statusEl.textContent === text ? text + "\u00a0" : text;
  }

  function on(name, callback) {
    (listeners[name] = listeners[name] || []).push(callback);
  }

  function emit(name, data) {
    (listeners[name] || []).forEach(function (callback) { callback(data); });
  }

  /* ---- played intervals ---- */
  var pending = [];     // closed intervals (media time) not yet acknowledged by the server
  var current = null;   // [start, end] being extended while playback runs
  var lastTime = null;
  var fastest = 1;      // highest playback rate since the last beat (the server's bound)

  function closeInterval() {
    if (current && current[1] > current[0]) pending.push(current);
    current = null;
    lastTime = null;
  }

  /* Extend the current interval to t if playback got there without a jump (a jump larger
   * than a few seconds of media is a seek, not playback); false if it did not. */
  function extendTo(t) {
    var maxStep = 2.5 * Math.max(1, video.playbackRate);
    if (!current || lastTime === null || t < lastTime || t - lastTime > maxStep) return false;
    current[1] = t;
    lastTime = t;
    return true;
  }

  video.addEventListener("playing", function () {
    if (!current) {
      current = [video.currentTime, video.currentTime];
      lastTime = video.currentTime;
    }
  });

  video.addEventListener("timeupdate", function () {
    if (isClip && video.currentTime >= clipOut - 0.01) {
      // The out point: stop exactly there even though the segment goes on.
      if (current) current[1] = clipOut;
      video.pause();
      video.currentTime = clipOut;
      root.dataset.clipEnded = "1";
      return;
    }
    if (video.paused || video.seeking) return;
    var t = video.currentTime;
    fastest = Math.max(fastest, video.playbackRate || 1);
    if (!extendTo(t)) {
      closeInterval();
      current = [t, t];
      lastTime = t;
    }
  });

  // A seek ends the interval where playback was, before the jump.
  video.addEventListener("seeking", closeInterval);

  /* ---- the watched bar: what the server has of this learner, drawn from intervals ---- */
  var watched = [];     // merged [start, end] pairs in module time
  var bar = document.createElement("div");
  bar.id = "watched-bar";
  bar.className = "watched-bar";
  bar.setAttribute("role", "img");
  var rail = document.getElementById("seek-rail") || root;  // under the seek bar's marks
  rail.insertBefore(bar, rail.firstChild);

  function merge(list) {
    var out = [];
    list.slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (p) {
      if (p[1] <= p[0]) return;
      var last = out[out.length - 1];
      if (last && p[0] <= last[1]) last[1] = Math.max(last[1], p[1]);
      else out.push([p[0], p[1]]);
    });
    return out;
  }

  function drawWatched(more) {
    watched = merge(watched.concat(more));
    var d = parseFloat(root.dataset.duration || "0") || video.duration || 0;
    bar.textContent = "";
    var seconds = 0;
    watched.forEach(function (p) {
      var seg = document.createElement("span");
      seg.className = "watched-part";
      seg.dataset.start = String(p[0]);
      seg.dataset.end = String(p[1]);
      seg.style.left = (d ? 100 * p[0] / d : 0) + "%";
      seg.style.width = (d ? 100 * (p[1] - p[0]) / d : 0) + "%";
      bar.appendChild(seg);
      seconds += p[1] - p[0];
    });
    bar.setAttribute("aria-label", tr("Watched %(watched)s s of %(total)s s", { watched: Math.round(seconds), total: Math.round(d) }));
    root.dataset.watched = JSON.stringify(watched);
  }

  var grant = null;  // the heartbeat grant (X-Heartbeat-Grant) to send back
  // Reading the progress also starts the watch session: its answer carries the grant
  // whose time bounds what the beats may credit (docs/api.md), so the first beat counts.
  send("GET", progressUrl, { cache: "no-store" })
    .then(function (resp) {
      if (!resp.ok) throw new Error("progress " + resp.status);
      grant = resp.headers.get("X-Heartbeat-Grant") || grant;
      return resp.json();
    })
    .then(function (progress) { drawWatched((progress && progress.intervals) || []); })
    .catch(function () { drawWatched([]); });

  /* ---- heartbeats (docs/api.md): session + sequence order them, the grant spares the
   * server its access checks, and a beacon carries the last one from a closing page ---- */
  var session = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var seq = 0;
  var inFlight = false;
  var again = false;
  var lastSent = null;
  var holdUntil = 0;  // a 503's Retry-After: no beat before then, one right after
  var retryTimer = null;

  /* Seconds a 503 asks to wait (Retry-After, delta-seconds or an HTTP date), else 0. */
  function retryAfter(resp) {
    var value = resp.headers.get("Retry-After");
    if (!value) return 0;
    var seconds = /^\d+$/.test(value) ? parseInt(value, 10) : (Date.parse(value) - Date.now()) / 1000;
    return isFinite(seconds) ? Math.min(Math.max(seconds, 0), 300) : 0;
  }

  function holdFor(seconds) {
    holdUntil = Date.now() + seconds * 1000;
    clearTimeout(retryTimer);
    // Sent again once the server asked to be left alone, even if playback has paused.
    retryTimer = setTimeout(beat, seconds * 1000);
  }

  function nextBeat() {
    if (current && current[1] > current[0]) {
      pending.push(current);
      current = [current[1], current[1]];  // playback goes on from here: no gap
    }
    var position = rel(video.currentTime || 0);
    // visibilitychange and pagehide both fire on leaving: send one beat, not two.
    if (!pending.length && lastSent === position) return null;
    lastSent = position;
    var played = pending.splice(0, pending.length).map(function (p) {
      return [Math.round(rel(p[0]) * 1000) / 1000, Math.round(rel(p[1]) * 1000) / 1000];
    }).filter(function (p) { return p[1] > p[0]; });
    seq += 1;
    var body = { session: session, seq: seq, position: position, rate: fastest, played: played };
    fastest = video.playbackRate || 1;
    return body;
  }

  function beat() {
    if (inFlight) { again = true; return; }  // one at a time, in sequence order
    if (Date.now() < holdUntil) return;  // the retry timer sends it, with what played meanwhile
    var body = nextBeat();
    if (!body) return;
    inFlight = true;
    var headers = grant ? { "X-Heartbeat-Grant": grant } : {};
    send("PUT", progressUrl, { body: body, headers: headers, keepalive: true }).then(function (resp) {
      if (resp.status >= 400 && resp.status < 500) return null;  // refused: do not resend
      if (resp.status === 503 && retryAfter(resp) > 0) holdFor(retryAfter(resp));
      if (!resp.ok) throw new Error("heartbeat " + resp.status);
      grant = resp.headers.get("X-Heartbeat-Grant") || grant;
      root.dataset.beats = String(parseInt(root.dataset.beats || "0", 10) + 1);
      drawWatched(body.played);
      return resp.json();
    }).then(function (progress) {
      var text = document.getElementById("progress-text");
      if (progress && text) {
        text.textContent = tr("%(percent)s%% watched", { percent: Math.round(progress.percent) }) +
          (progress.completed ? " · " + tr("completed") : "");
      }
    }).catch(function () {
      // Not stored: keep the intervals for the next beat (the union makes resending safe).
      Array.prototype.unshift.apply(pending, body.played.map(function (p) {
        return isClip ? [p[0] + clipIn, p[1] + clipIn] : p;
      }));
      lastSent = null;
    }).then(function () {
      inFlight = false;
      if (again) { again = false; beat(); }
    });
  }

  /* A closing page cannot wait for an answer: sendBeacon POSTs a form (it cannot set
   * headers), so the CSRF token and the grant travel as fields next to the beat. */
  function beacon() {
    var body = nextBeat();
    if (!body) return;
    var form = new URLSearchParams({ csrf_token: csrfToken(), beat: JSON.stringify(body) });
    if (grant) form.set("grant", grant);
    if (!(navigator.sendBeacon && navigator.sendBeacon(progressUrl, form))) {
      send("POST", progressUrl, { body: form, keepalive: true }).catch(function () { /* gone */ });
    }
  }

  setInterval(function () {
    if (!video.paused && !video.ended) beat();
  }, BEAT_MS);
  video.addEventListener("seeking", function () {
    if (isClip && video.currentTime < clipIn - 0.05) video.currentTime = clipIn;
  });
  video.addEventListener("play", function () {
    // Replaying a clip that stopped at its out point starts it over.
    if (isClip && video.currentTime >= clipOut - 0.05) {
      video.currentTime = clipIn;
      delete root.dataset.clipEnded;
    }
  });
  function stopped() {
    extendTo(video.currentTime);  // up to where it stopped, not the last timeupdate
    beat();
  }
  video.addEventListener("pause", stopped);
  video.addEventListener("seeked", beat);
  video.addEventListener("ended", stopped);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") beacon();
  });
  window.addEventListener("pagehide", beacon);

  /* ---- resume ---- */
  var resumed = false;
  video.addEventListener("loadedmetadata", function () {
    if (resumed) return;
    resumed = true;
    var base = isClip ? clipIn : 0;
    var d = isClip ? clipOut - clipIn : video.duration || 0;
    if (!isNaN(startAt)) {
      video.currentTime = startAt;  // a link to a moment (?t=…)
    } else if (resumeAt > 0.5 && (!d || resumeAt < d - Math.min(2, d * 0.1))) {
      // Resume unless the saved point is at the very end (then start over).
      video.currentTime = base + resumeAt;
      say(tr("Resumed at %(time)s", { time: formatClock(resumeAt) }));
    } else if (isClip) {
      video.currentTime = clipIn;
    }
    root.dataset.ready = "1";
  });

  /* ---- the API the other player scripts use ---- */
  /* The module's length: the clip's, else the recording's as the server measured it (as
   * the watched bar, chapter markers and transcript marks use it), else the media's. */
  function duration() {
    if (isClip) return clipOut - clipIn;
    var known = parseFloat(root.dataset.duration || "0");
    if (known > 0) return known;
    return isFinite(video.duration) && video.duration > 0 ? video.duration : 0;
  }

  return {
    root: root,
    video: video,
    isClip: isClip,
    base: isClip ? clipIn : 0,  // media time of module time 0
    duration: duration,
    time: function () { return rel(video.currentTime || 0); },
    /* Seek to module time t (clamped to the module). */
    seek: function (t) {
      var d = duration();
      var to = Math.max(0, d ? Math.min(t, d) : t);
      video.currentTime = (isClip ? clipIn : 0) + to;
    },
    // Quality levels: player.js fills these in once hls.js knows the ladder.
    levels: [],  // {index (hls.js level), height, bitrate}, picture levels only
    setLevel: function () {},
    on: on,
    emit: emit,
    say: say,
  };
}
