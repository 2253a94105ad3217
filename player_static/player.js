/* Learnstream player: hls.js playback, quality choice, resume, and heartbeats.
 *
 * Heartbeats report the resume position and the intervals actually played since the
 * last beat: every 10 s while playing, and on pause, seek, end and page hide.
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
  var pending = [];     // closed intervals not yet acknowledged by the server
  var current = null;   // [start, end] being extended while playback runs
  var lastTime = null;

  function closeInterval() {
    if (current && current[1] > current[0]) pending.push(current);
    current = null;
    lastTime = null;
  }

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
    // A jump larger than a few seconds of media is a seek, not playback.
    var maxStep = 2.5 * Math.max(1, video.playbackRate);
    if (current && lastTime !== null && t >= lastTime && t - lastTime <= maxStep) {
      current[1] = t;
    } else {
      closeInterval();
      current = [t, t];
    }
    lastTime = t;
  });

  /* ---- heartbeats ---- */
  var lastSent = null;

  function beat() {
    closeInterval();
    var position = rel(video.currentTime || 0);
    // visibilitychange and pagehide both fire on leaving: send one beat, not two.
    if (!pending.length && lastSent === position) return Promise.resolve();
    lastSent = position;
    var played = pending.splice(0, pending.length).map(function (p) {
      return [Math.round(rel(p[0]) * 1000) / 1000, Math.round(rel(p[1]) * 1000) / 1000];
    }).filter(function (p) { return p[1] > p[0]; });
    var body = JSON.stringify({ position: position, played: played });
    return fetch(progressUrl, {
      method: "PUT",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
    }).then(function (resp) {
      if (!resp.ok) throw new Error("heartbeat " + resp.status);
      root.dataset.beats = String(parseInt(root.dataset.beats || "0", 10) + 1);
      return resp.json();
    }).then(function (progress) {
      var text = document.getElementById("progress-text");
      if (text) {
        text.textContent = Math.round(progress.percent) + "% watched" +
          (progress.completed ? " · completed" : "");
      }
    }).catch(function () {
      // Keep what was not acknowledged; the next beat sends it again.
      Array.prototype.unshift.apply(pending, played);
      lastSent = null;
    });
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
  video.addEventListener("pause", beat);
  video.addEventListener("seeked", beat);
  video.addEventListener("ended", beat);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") beat();
  });
  window.addEventListener("pagehide", beat);

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
