/* Captions on the watch and clip pages: one <track kind="captions"> per language, a
 * caption menu in the control bar (menus.js), the `c` key (keyboard.js calls toggle),
 * and the learner's choice remembered in their preferences (prefs.js).
 *
 * The chosen track is "showing"; while captions are off the video's default track stays
 * "hidden" so the transcript (transcript.js, which follows the text tracks' modes) still
 * has cues. A saved language picks its track, else one of the same language ("pt" for
 * "pt-BR"), else the video's default track: the learner asked for captions. A choice
 * made in the browser's own caption menu is adopted and remembered too. `c` switches
 * between off and the language last shown (else the saved one, else the default).
 * A clip shows its recording's tracks with every cue shifted to the clip's media time
 * (#player[data-media-offset] is the recording's time at media time 0).
 * State for tests and other scripts: #player[data-captions] is the showing language or
 * "off"; [data-captions-saved] counts acknowledged saves.
 */
import { request } from "../static/js/request.js";
import { menuButton } from "./menus.js";
import { t as tr } from "./i18n.js";

/* Wire the captions of `player`; {toggle}, or null on a page without caption controls. */
export function initCaptions(player, prefs) {
  var controls = document.getElementById("caption-controls");
  if (!controls) return null;
  var root = player.root;
  var video = player.video;
  var button = document.getElementById("captions-button");
  var current = document.getElementById("captions-current");
  var menu = menuButton(button, document.getElementById("captions-menu"), choose);
  var offset = parseFloat(root.dataset.mediaOffset || "0") || 0;
  var tracks = [];  // {language, label, isDefault, element, item}
  var chosen = null;  // the showing entry, or null for off
  var last = null;  // the entry `c` switches on
  var offItem = null;

  function primary(tag) {
    return String(tag || "").split("-")[0];
  }

  function defaultEntry() {
    return tracks.filter(function (t) { return t.isDefault; })[0] || tracks[0] || null;
  }

  function match(language) {
    if (!language) return null;
    return tracks.filter(function (t) { return t.language === language; })[0] ||
      tracks.filter(function (t) { return primary(t.language) === primary(language); })[0] ||
      defaultEntry();
  }

  /* ---- modes ---- */
  function apply(entry) {
    chosen = entry;
    var reading = entry || defaultEntry();
    tracks.forEach(function (t) {
      var mode = t === entry ? "showing" : t === reading ? "hidden" : "disabled";
      if (t.element.track.mode !== mode) t.element.track.mode = mode;
    });
    if (entry) last = entry;
    current.textContent = entry ? entry.label : tr("Off");
    root.dataset.captions = entry ? entry.language : "off";
    button.classList.toggle("is-on", !!entry);
    menu.check(entry ? entry.item : offItem);
  }

  function save(entry) {
    return prefs.put({ caption_language: entry ? entry.language : null }).then(function () {
      root.dataset.captionsSaved = String(parseInt(root.dataset.captionsSaved || "0", 10) + 1);
    }).catch(function () {
      player.say(tr("Your caption choice could not be saved."));
    });
  }

  /* A choice of the learner's: show it, say it, remember it. */
  function pick(entry) {
    apply(entry);
    player.say(entry ? tr("Captions: %(language)s", { language: entry.label }) : tr("Captions off"));
    save(entry);
  }

  function choose(item) {
    pick(item.dataset.language ? match(item.dataset.language) : null);
  }

  /* The `c` key: off, or back on in the language last shown. */
  function toggle() {
    if (!tracks.length) {
      player.say(tr("This video has no captions."));
      return;
    }
    pick(chosen ? null : last || defaultEntry());
  }

  /* A change we did not make: the browser's own caption menu (adopt and remember it), or
   * a second track switched on by the browser (put our choice back). */
  function adopt() {
    var showing = tracks.filter(function (t) { return t.element.track.mode === "showing"; });
    if (showing.length > 1) {
      apply(chosen);
    } else if ((showing[0] || null) !== chosen) {
      apply(showing[0] || null);
      save(chosen);
    }
  }

  /* ---- clips: the recording's cues, moved to the clip's media time ---- */
  function shiftCues(track) {
    var cues = Array.prototype.slice.call(track.cues || []);
    var from = player.base;
    var to = player.base + player.duration();
    cues.forEach(function (cue) {
      var start = cue.startTime - offset;
      var end = cue.endTime - offset;
      if (end <= from || start >= to) {
        track.removeCue(cue);
        return;
      }
      cue.startTime = Math.max(0, start);
      cue.endTime = end;
    });
  }

  /* ---- start ---- */
  function build(list, prefs) {
    if (!list.length) return;
    offItem = menu.add(tr("Off"), { language: "" });
    list.forEach(function (c) {
      var element = document.createElement("track");
      element.kind = "captions";
      element.src = c.url;
      element.srclang = c.language;
      element.label = c.label;
      element.dataset.caption = c.language;
      // Before transcript.js's own load listener: it reads the shifted cues.
      if (player.isClip) element.addEventListener("load", function () { shiftCues(element.track); });
      video.appendChild(element);
      var item = menu.add(c.label, { language: c.language });
      item.lang = c.language;
      tracks.push({
        language: c.language, label: c.label, isDefault: c["default"], element: element, item: item,
      });
    });
    // A mode change marks a track as configured by the page; Chromium's automatic track
    // selection would otherwise switch on an unconfigured track next to ours.
    tracks.forEach(function (t) { t.element.track.mode = "hidden"; });
    apply(match(prefs.caption_language));
    video.textTracks.addEventListener("change", adopt);
    controls.hidden = false;
    root.dataset.captionsReady = "1";
  }

  Promise.all([request("GET", controls.dataset.captionsUrl), prefs.load()])
    .then(function (answers) { build(answers[0].captions || [], answers[1] || {}); })
    .catch(function () {
      root.dataset.captionsReady = "error";
    });
  return { toggle: toggle };
}
