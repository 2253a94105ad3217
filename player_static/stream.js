/* Streaming: hls.js attached to the video (Safari plays HLS natively), its quality
 * levels handed to the controls, and fresh links when signed segment links expire.
 * Loaded right after player.js, whose listeners (resume, heartbeats) must come first.
 */
(function () {
  "use strict";

  var player = window.Learnstream && window.Learnstream.player;
  if (!player) return;
  var root = player.root;
  var video = player.video;
  var src = root.dataset.src;
  var hls = null;

  /* ---- quality levels: picture levels only (the audio-only variant is not one) ---- */
  function setLevels(all) {
    player.levels = all.map(function (level, index) {
      return { index: index, height: level.height, bitrate: level.bitrate };
    }).filter(function (level) { return level.height; });
    player.setLevel = function (index) { hls.currentLevel = index; };
    root.dataset.levels = String(player.levels.length);
    player.emit("levels", player.levels);
  }

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
    // The shared audio rendition's fragments belong to an audio track, not a level.
    var level = frag.type === "audio" ? hls.audioTracks[frag.level] : hls.levels[frag.level];
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
      setLevels(data.levels);
    });
    hls.on(window.Hls.Events.LEVEL_SWITCHED, function (_e, data) {
      player.emit("level", { index: data.level, auto: hls.autoLevelEnabled });
    });
    hls.on(window.Hls.Events.ERROR, function (_e, data) {
      var expired = data.details === window.Hls.ErrorDetails.FRAG_LOAD_ERROR &&
        data.frag && data.response && data.response.code === 403;
      if (expired) refreshLinks(data.frag);
      if (!data.fatal) return;
      if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) {
        player.say("Network problem, retrying…");
        hls.startLoad();
      } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
      } else {
        root.dataset.fatal = data.details || "fatal";
        player.say("This video cannot be played: " + (data.details || "unknown error"));
        hls.destroy();
      }
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;  // Safari plays HLS natively
  } else {
    root.dataset.fatal = "unsupported";
    player.say("This browser cannot play HLS video.");
  }
})();
