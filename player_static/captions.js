/* Captions on the watch page: one <track kind="captions"> per language, a caption menu
 * (a real button opening a menu of radio items), and the learner's choice remembered in
 * their preferences (PUT /api/v1/me/preferences).
 *
 * The chosen track is "showing"; while captions are off the video's default track stays
 * "hidden" so the transcript (transcript.js, which follows the text tracks' modes) still
 * has cues. A saved language picks its track, else one of the same language ("pt" for
 * "pt-BR"), else the video's default track: the learner asked for captions. A choice
 * made in the browser's own caption menu is adopted and remembered too.
 * State for tests and other scripts: #player[data-captions] is the showing language or
 * "off"; [data-captions-saved] counts acknowledged saves.
 */
(function () {
  "use strict";

  var root = document.getElementById("player");
  var video = document.getElementById("video");
  var controls = document.getElementById("caption-controls");
  if (!root || !video || !controls) return;
  var button = document.getElementById("captions-button");
  var current = document.getElementById("captions-current");
  var menu = document.getElementById("captions-menu");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var prefsUrl = controls.dataset.preferencesUrl;
  var tracks = [];  // {language, label, isDefault, element}
  var chosen = null;  // the showing entry, or null for off

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) {
        if (!resp.ok) throw new Error(url + " " + resp.status);
        return resp.json();
      });
  }

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
    current.textContent = entry ? entry.label : "Off";
    root.dataset.captions = entry ? entry.language : "off";
    Array.prototype.forEach.call(menu.querySelectorAll("[role=menuitemradio]"), function (item) {
      var on = (item.dataset.language || "") === (entry ? entry.language : "");
      item.setAttribute("aria-checked", on ? "true" : "false");
    });
  }

  function save(entry) {
    return fetch(prefsUrl, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ caption_language: entry ? entry.language : null }),
    }).then(function (resp) {
      if (!resp.ok) throw new Error("preferences " + resp.status);
      root.dataset.captionsSaved = String(parseInt(root.dataset.captionsSaved || "0", 10) + 1);
    }).catch(function () {
      var status = document.getElementById("player-status");
      if (status) status.textContent = "Your caption choice could not be saved.";
    });
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

  /* ---- the menu ---- */
  function items() {
    return Array.prototype.slice.call(menu.querySelectorAll("[role=menuitemradio]"));
  }

  function addItem(language, label) {
    var li = document.createElement("li");
    li.setAttribute("role", "none");
    var item = document.createElement("button");
    item.type = "button";
    item.setAttribute("role", "menuitemradio");
    item.setAttribute("aria-checked", "false");
    item.tabIndex = -1;
    item.dataset.language = language;
    if (language) item.lang = language;
    item.textContent = label;
    li.appendChild(item);
    menu.appendChild(li);
  }

  function open(focusLast) {
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    var all = items();
    var checked = all.filter(function (i) { return i.getAttribute("aria-checked") === "true"; })[0];
    (focusLast ? all[all.length - 1] : checked || all[0]).focus();
  }

  function close(returnFocus) {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (returnFocus) button.focus();
  }

  function moveFocus(step) {
    var all = items();
    var at = all.indexOf(document.activeElement);
    all[(at + step + all.length) % all.length].focus();
  }

  button.addEventListener("click", function () {
    if (menu.hidden) open(false);
    else close(true);
  });

  button.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      open(event.key === "ArrowUp");
    }
  });

  menu.addEventListener("click", function (event) {
    var item = event.target.closest("[role=menuitemradio]");
    if (!item) return;
    var entry = item.dataset.language ? match(item.dataset.language) : null;
    apply(entry);
    close(true);
    save(entry);
  });

  menu.addEventListener("keydown", function (event) {
    var all = items();
    if (event.key === "ArrowDown") moveFocus(1);
    else if (event.key === "ArrowUp") moveFocus(-1);
    else if (event.key === "Home") all[0].focus();
    else if (event.key === "End") all[all.length - 1].focus();
    else if (event.key === "Escape") close(true);
    else if (event.key === "Tab") { close(false); return; }
    else return;
    event.preventDefault();
  });

  // Focus or a click leaving the control closes the menu (no trap).
  controls.addEventListener("focusout", function (event) {
    if (!controls.contains(event.relatedTarget)) close(false);
  });
  document.addEventListener("click", function (event) {
    if (!controls.contains(event.target)) close(false);
  });

  /* ---- start ---- */
  function build(list, prefs) {
    if (!list.length) return;
    addItem("", "Off");
    list.forEach(function (c) {
      var element = document.createElement("track");
      element.kind = "captions";
      element.src = c.url;
      element.srclang = c.language;
      element.label = c.label;
      element.dataset.caption = c.language;
      video.appendChild(element);
      tracks.push({ language: c.language, label: c.label, isDefault: c["default"], element: element });
      addItem(c.language, c.label);
    });
    // A mode change marks a track as configured by the page; Chromium's automatic track
    // selection would otherwise switch on an unconfigured track next to ours.
    tracks.forEach(function (t) { t.element.track.mode = "hidden"; });
    apply(match(prefs.caption_language));
    video.textTracks.addEventListener("change", adopt);
    controls.hidden = false;
    root.dataset.captionsReady = "1";
  }

  Promise.all([getJson(controls.dataset.captionsUrl), getJson(prefsUrl)])
    .then(function (answers) { build(answers[0].captions || [], answers[1] || {}); })
    .catch(function () {
      root.dataset.captionsReady = "error";
    });
})();
