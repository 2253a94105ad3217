/* The player's control bar: play/pause, skip, mute and volume, speed and quality menus,
 * picture in picture, full screen. It replaces the browser's controls (which stay when
 * scripts do not run) and returns the actions for the keyboard shortcuts (keyboard.js).
 * The seek bar is seekbar.js, captions captions.js.
 *
 * Speed, volume and mute are the learner's preferences: applied when the page loads and
 * saved (debounced, prefs.js) when the learner changes them here. Changes made by the
 * learner are announced in the polite status line.
 */
import { menuButton } from "./menus.js";
import { qualityLabel } from "./quality.js";
import { t as tr } from "./i18n.js";

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];  // the last is PLAYER_MAX_RATE (server)

/* Wire the control bar of `player`; its actions, or null on a page without the bar. */
export function initControls(player, prefs) {
  var bar = document.getElementById("player-controls");
  if (!bar) return null;
  var root = player.root;
  var video = player.video;

  function byId(id) { return document.getElementById(id); }
  var playButton = byId("play-button");
  var playLabel = byId("play-label");
  var muteButton = byId("mute-button");
  var volume = byId("volume");
  var speedButton = byId("speed-button");
  var pipButton = byId("pip-button");
  var fullButton = byId("fullscreen-button");

  // The browser's controls give way to ours.
  video.controls = false;
  bar.hidden = false;
  root.classList.add("has-controls");

  function percent(x) { return Math.round(x * 100) + "%"; }

  /* ---- play / pause, skip ---- */
  function play() {
    var started = video.play();
    if (started && started.catch) started.catch(function () { /* refused: stays paused */ });
  }

  function togglePlay() {
    if (video.paused || video.ended) play();
    else video.pause();
  }

  function skip(seconds) {
    player.seek(player.time() + seconds);
  }

  function showPlaying() {
    var playing = !video.paused && !video.ended;
    root.classList.toggle("is-playing", playing);
    playLabel.textContent = playing ? tr("Pause") : tr("Play");
  }

  playButton.addEventListener("click", togglePlay);
  byId("back-button").addEventListener("click", function () { skip(-10); });
  byId("forward-button").addEventListener("click", function () { skip(10); });
  video.addEventListener("click", togglePlay);  // the picture itself, as in most players
  video.addEventListener("dblclick", function () { toggleFullscreen(); });
  ["play", "pause", "ended", "emptied"].forEach(function (name) {
    video.addEventListener(name, showPlaying);
  });

  /* ---- volume and mute ---- */
  function showVolume() {
    var level = video.muted ? 0 : video.volume;
    muteButton.setAttribute("aria-pressed", video.muted ? "true" : "false");
    root.classList.toggle("is-muted", video.muted || video.volume === 0);
    volume.value = String(Math.round(level * 100));
    volume.setAttribute("aria-valuetext", video.muted ? tr("Muted") : percent(level));
  }

  function saveVolume() {
    prefs.later({ volume: Math.round(video.volume * 100) / 100, muted: video.muted });
  }

  /* Set the volume (0–1); a volume above zero also unmutes. */
  function setVolume(level, announce) {
    level = Math.max(0, Math.min(1, Math.round(level * 100) / 100));
    video.volume = level;
    video.muted = level === 0 ? video.muted : false;
    saveVolume();
    if (announce) player.say(video.muted ? tr("Muted") : tr("Volume %(percent)s", { percent: percent(level) }));
  }

  function changeVolume(step) {
    setVolume((video.muted ? 0 : video.volume) + step, true);
  }

  function toggleMute() {
    video.muted = !video.muted;
    if (!video.muted && video.volume === 0) video.volume = 0.5;  // unmuting silence: be heard
    saveVolume();
    player.say(video.muted ? tr("Muted") : tr("Unmuted, volume %(percent)s", { percent: percent(video.volume) }));
  }

  muteButton.addEventListener("click", toggleMute);
  volume.addEventListener("input", function () { setVolume(parseInt(volume.value, 10) / 100, false); });
  video.addEventListener("volumechange", showVolume);

  /* ---- speed ---- */
  function speedText(rate) { return String(rate) + "×"; }

  var speedMenu = menuButton(speedButton, byId("speed-menu"), function (item) {
    setRate(parseFloat(item.dataset.rate));
  });
  SPEEDS.forEach(function (rate) {
    speedMenu.add(rate === 1 ? tr("Normal (1×)") : speedText(rate), { rate: String(rate) });
  });

  function showRate() {
    var rate = video.playbackRate;
    byId("speed-current").textContent = speedText(rate);
    speedMenu.check(speedMenu.items().filter(function (item) {
      return parseFloat(item.dataset.rate) === rate;
    })[0]);
  }

  function useRate(rate) {
    video.defaultPlaybackRate = rate;  // kept when hls.js (re)attaches the media
    video.playbackRate = rate;
  }

  function setRate(rate) {
    useRate(rate);
    prefs.later({ playback_rate: rate });
    player.say(tr("Speed %(speed)s", { speed: speedText(rate) }));
  }

  /* The next speed of the menu up (+1) or down (-1) from the current one. */
  function stepRate(direction) {
    var rate = video.playbackRate;
    var next = direction > 0
      ? SPEEDS.filter(function (s) { return s > rate + 0.001; })[0]
      : SPEEDS.filter(function (s) { return s < rate - 0.001; }).pop();
    if (next !== undefined) setRate(next);
    else player.say(tr(direction > 0 ? "Speed %(speed)s, the fastest" : "Speed %(speed)s, the slowest", { speed: speedText(rate) }));
  }

  video.addEventListener("ratechange", showRate);

  /* ---- quality (hls.js levels via stream.js and player.js) ---- */
  var qualityButton = byId("quality-button");
  var qualityCurrent = byId("quality-current");
  var autoItem = null;
  var qualityMenu = menuButton(qualityButton, byId("quality-menu"), function (item) {
    var index = parseInt(item.dataset.level, 10);
    player.setLevel(index);
    qualityMenu.check(item);
    qualityCurrent.textContent = index < 0 ? tr("Auto") : item.dataset.short;
    player.say(tr("Quality: %(quality)s", { quality: item.textContent }));
  });

  player.on("levels", function (levels) {
    byId("quality-menu").textContent = "";  // a reloaded ladder replaces, never adds
    autoItem = qualityMenu.add(tr("Auto"), { level: "-1" });
    levels.slice().sort(function (a, b) { return b.height - a.height; }).forEach(function (level) {
      qualityMenu.add(qualityLabel(level), { level: String(level.index), short: level.height + "p" });
    });
    qualityMenu.check(autoItem);
    qualityButton.disabled = levels.length < 2;
  });

  // The Auto item says which picture quality Auto is playing now.
  player.on("level", function (state) {
    var level = player.levels.filter(function (l) { return l.index === state.index; })[0];
    if (autoItem) autoItem.textContent = state.auto && level ? tr("Auto (%(height)sp)", { height: level.height }) : tr("Auto");
  });

  /* ---- picture in picture ---- */
  if (document.pictureInPictureEnabled && !video.disablePictureInPicture) {
    pipButton.hidden = false;
    pipButton.addEventListener("click", function () {
      var change = document.pictureInPictureElement
        ? document.exitPictureInPicture() : video.requestPictureInPicture();
      change.catch(function () { player.say(tr("Picture in picture is not available now.")); });
    });
    video.addEventListener("enterpictureinpicture", function () {
      pipButton.setAttribute("aria-pressed", "true");
    });
    video.addEventListener("leavepictureinpicture", function () {
      pipButton.setAttribute("aria-pressed", "false");
    });
  }

  /* ---- full screen: the whole player, so the controls and captions stay ---- */
  function fullscreenElement() {
    return document.fullscreenElement || document.webkitFullscreenElement || null;
  }

  function toggleFullscreen() {
    if (fullscreenElement()) {
      (document.exitFullscreen || document.webkitExitFullscreen).call(document);
    } else if (root.requestFullscreen) {
      root.requestFullscreen().catch(function () { player.say(tr("Full screen is not available.")); });
    } else if (root.webkitRequestFullscreen) {
      root.webkitRequestFullscreen();
    } else if (video.webkitEnterFullscreen) {
      video.webkitEnterFullscreen();  // iPhone: only the video element can go full screen
    }
  }

  function showFullscreen() {
    var on = fullscreenElement() === root;
    fullButton.setAttribute("aria-pressed", on ? "true" : "false");
    root.classList.toggle("is-fullscreen", on);
  }

  if (!(root.requestFullscreen || root.webkitRequestFullscreen || video.webkitEnterFullscreen)) {
    fullButton.hidden = true;
  }
  fullButton.addEventListener("click", toggleFullscreen);
  document.addEventListener("fullscreenchange", showFullscreen);
  document.addEventListener("webkitfullscreenchange", showFullscreen);

  /* ---- the learner's saved settings ---- */
  prefs.load().then(function (prefs) {
    // A rate saved through the API may be above the menu's: watched time is credited at
    // most at the menu's fastest (webapp/progress/beats.py PLAYER_MAX_RATE).
    if (typeof prefs.playback_rate === "number") {
      useRate(Math.min(prefs.playback_rate, SPEEDS[SPEEDS.length - 1]));
    }
    if (typeof prefs.volume === "number") video.volume = prefs.volume;
    if (typeof prefs.muted === "boolean") video.muted = prefs.muted;
    root.dataset.prefsApplied = "1";
  });

  showPlaying();
  showVolume();
  showRate();

  return {
    togglePlay: togglePlay,
    skip: skip,
    changeVolume: changeVolume,
    toggleMute: toggleMute,
    stepRate: stepRate,
    toggleFullscreen: toggleFullscreen,
  };
}
