/* Learnstream player: hls.js playback, quality choice, resume, and heartbeats.
 *
 * Heartbeats report the resume position and the intervals actually played since the
 * last beat: every 10 s while playing, and on pause, seek, end and page hide (then as
 * a beacon). A bar under the video shows the parts the server has as watched.
 */
(function () {
  "use strict";

  var BEAT_MS = 10000;
  var root = document.getElementById("player");
  if (!root) return;
  var video = document.getElementById("video");
  var quality = document.getElementById("quality");
  var statusEl = document.getElementById("player-status");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var src = root.dataset.src;
  var progressUrl = root.dataset.progressUrl;
  var resumeAt = parseFloat(root.dataset.resume || "0");
  var startAt = parseFloat(root.dataset.start || "NaN");
  // Clips: the playlist holds whole parent segments; play only [clipIn, clipOut).
  var clipIn = parseFloat(root.dataset.in || "NaN");
  var clipOut = parseFloat(root.dataset.out || "NaN");
  var isClip = !isNaN(clipIn) && !isNaN(clipOut);
  var hls = null;

  /* Media time → module time (seconds from the clip's start for a clip). */
  function rel(t) {
    if (!isClip) return t;
    return Math.min(Math.max(t - clipIn, 0), clipOut - clipIn);
  }

  function say(text) {
    statusEl.textContent = text;
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
  bar.style.cssText = "position:relative;height:6px;margin:4px 0;border-radius:3px;" +
    "background:#e2e8f0;overflow:hidden";
  root.insertBefore(bar, root.querySelector(".player-bar"));

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
      seg.style.cssText = "position:absolute;top:0;bottom:0;background:#2563eb;" +
        "left:" + (d ? 100 * p[0] / d : 0) + "%;width:" + (d ? 100 * (p[1] - p[0]) / d : 0) + "%";
      bar.appendChild(seg);
      seconds += p[1] - p[0];
    });
    bar.setAttribute("aria-label", "Watched " + Math.round(seconds) + " s of " + Math.round(d) + " s");
    root.dataset.watched = JSON.stringify(watched);
  }

  fetch(progressUrl, { credentials: "same-origin", cache: "no-store" })
    .then(function (resp) { return resp.ok ? resp.json() : { intervals: [] }; })
    .then(function (progress) { drawWatched(progress.intervals || []); })
    .catch(function () { drawWatched([]); });

  /* ---- heartbeats (docs/api.md): session + sequence order them, the grant spares the
   * server its access checks, and a beacon carries the last one from a closing page ---- */
  var session = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var seq = 0;
  var grant = null;
  var inFlight = false;
  var again = false;
  var lastSent = null;

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
    var body = nextBeat();
    if (!body) return;
    inFlight = true;
    var headers = { "Content-Type": "application/json", "X-CSRFToken": csrf };
    if (grant) headers["X-Heartbeat-Grant"] = grant;
    fetch(progressUrl, {
      method: "PUT",
      credentials: "same-origin",
      keepalive: true,
      headers: headers,
      body: JSON.stringify(body),
    }).then(function (resp) {
      if (resp.status >= 400 && resp.status < 500) return null;  // refused: do not resend
      if (!resp.ok) throw new Error("heartbeat " + resp.status);
      grant = resp.headers.get("X-Heartbeat-Grant") || grant;
      root.dataset.beats = String(parseInt(root.dataset.beats || "0", 10) + 1);
      drawWatched(body.played);
      return resp.json();
    }).then(function (progress) {
      var text = document.getElementById("progress-text");
      if (progress && text) {
        text.textContent = Math.round(progress.percent) + "% watched" +
          (progress.completed ? " · completed" : "");
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
    var form = new URLSearchParams({ csrf_token: csrf, beat: JSON.stringify(body) });
    if (grant) form.set("grant", grant);
    if (!(navigator.sendBeacon && navigator.sendBeacon(progressUrl, form))) {
      fetch(progressUrl, { method: "POST", credentials: "same-origin", keepalive: true, body: form });
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
      say("Resumed at " + formatTime(resumeAt));
    } else if (isClip) {
      video.currentTime = clipIn;
    }
    root.dataset.ready = "1";
  });

  function formatTime(s) {
    var m = Math.floor(s / 60);
    var sec = Math.floor(s % 60);
    return m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  /* ---- quality levels ---- */
  function fillQuality(levels) {
    var shown = 0;
    levels.forEach(function (level, index) {
      if (!level.height) return;  // the audio-only variant is not a picture quality
      shown += 1;
      var opt = document.createElement("option");
      opt.value = String(index);
      opt.textContent = level.height + "p (" + Math.round(level.bitrate / 1000) + " kbps)";
      quality.appendChild(opt);
    });
    quality.disabled = shown < 2;
    root.dataset.levels = String(shown);
  }

  quality.addEventListener("change", function () {
    if (hls) hls.currentLevel = parseInt(quality.value, 10);
  });

  /* ---- expiring segment links ----
   * Playlists name segments by signed links that expire (MEDIA_URL_TTL_MINUTES), and
   * hls.js never re-reads a finished (VOD) playlist. So on a 403 for a segment, fetch
   * its playlist again (the app signs it afresh on every fetch), put the new links into
   * the loaded level, and let hls.js retry the segment: it retries a 403 only here. */
  function retryExpired(retryConfig, retryCount, isTimeout, response, retry) {
    return retry || (!!response && response.code === 403 && retryCount < retryConfig.maxNumRetry);
  }

  var refreshing = {};  // playlist URL → pending refresh

  function refreshLinks(frag) {
    var level = hls.levels[frag.level];
    var url = frag.baseurl;
    if (!level || !level.details || refreshing[url]) return;
    refreshing[url] = fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (resp) {
        if (!resp.ok) throw new Error("playlist " + resp.status);
        return resp.text();
      })
      .then(function (text) {
        var fresh = segmentLinks(text, url);
        level.details.fragments.forEach(function (f) {
          if (fresh[f.sn]) f.url = fresh[f.sn];
        });
        root.dataset.linkRefreshes = String(parseInt(root.dataset.linkRefreshes || "0", 10) + 1);
      })
      .catch(function () { /* hls.js runs out of retries and reports the error */ })
      .then(function () { delete refreshing[url]; });
  }

  /* Media sequence number → absolute segment URL, from a media playlist's text. */
  function segmentLinks(text, base) {
    var links = {};
    var sn = 0;
    text.split(/\r?\n/).forEach(function (line) {
      line = line.trim();
      var sequence = /^#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(line);
      if (sequence) sn = parseInt(sequence[1], 10);
      else if (line && line.charAt(0) !== "#") links[sn++] = new URL(line, base).href;
    });
    return links;
  }

  /* ---- start ---- */
  if (window.Hls && window.Hls.isSupported()) {
    var fragLoadPolicy = JSON.parse(JSON.stringify(window.Hls.DefaultConfig.fragLoadPolicy));
    fragLoadPolicy.default.errorRetry.shouldRetry = retryExpired;
    hls = new window.Hls({ capLevelToPlayerSize: true, fragLoadPolicy: fragLoadPolicy });
    hls.on(window.Hls.Events.MANIFEST_PARSED, function (_e, data) {
      fillQuality(data.levels);
    });
    hls.on(window.Hls.Events.ERROR, function (_e, data) {
      var expired = data.details === window.Hls.ErrorDetails.FRAG_LOAD_ERROR &&
        data.frag && data.response && data.response.code === 403;
      if (expired) refreshLinks(data.frag);
      if (!data.fatal) return;
      if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) {
        say("Network problem, retrying…");
        hls.startLoad();
      } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else {
        root.dataset.fatal = data.details || "fatal";
        say("This video cannot be played: " + (data.details || "unknown error"));
        hls.destroy();
      }
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;  // Safari plays HLS natively
  } else {
    root.dataset.fatal = "unsupported";
    say("This browser cannot play HLS video.");
  }
})();

/* Chapter list: a click seeks there (markers on the bar come with the custom controls). */
(function () {
  "use strict";
  var video = document.getElementById("video");
  var list = document.getElementById("chapter-list");
  if (!video || !list) return;
  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-seek]");
    if (!button) return;
    video.currentTime = parseFloat(button.dataset.seek);
    video.play().catch(function () { /* autoplay refused: the seek still happened */ });
  });
})();
