/* Chapters: the chapter list under the player and its markers under the seek bar.
 *
 * Each chapter becomes a button at its start (in % of the duration, lined up with the
 * seek rail); a click on a marker or on a list entry seeks there. The marker of the
 * chapter being watched is highlighted. The bar is hidden when there are no chapters or
 * no known duration. The returned at(t) names the chapter at time t (for the seek
 * preview).
 */
import { formatClock } from "../static/js/time.js";
import { t as tr } from "./i18n.js";

/* Wire the chapter list and markers of `player`; {at}, or null without a chapter list. */
export function initChapters(player) {
  var bar = document.getElementById("chapter-markers");
  var root = player.root;
  var video = player.video;
  var list = document.getElementById("chapter-list");
  if (!list) return null;

  function chapters() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-seek]")).map(function (b) {
      var time = b.querySelector(".time");
      var title = b.textContent.replace(time ? time.textContent : "", "").trim();
      return { start: parseFloat(b.dataset.seek), title: title };
    }).filter(function (c) { return !isNaN(c.start); });
  }

  var items = chapters();

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-seek]");
    if (!button) return;
    video.currentTime = parseFloat(button.dataset.seek);
    video.play().catch(function () { /* autoplay refused: the seek still happened */ });
  });

  var api = {
    /* The title of the chapter playing at time t, or null before the first. */
    at: function (t) {
      var found = null;
      items.forEach(function (c) { if (c.start <= t + 0.05) found = c.title; });
      return found;
    },
  };

  if (!bar) return api;

  function draw() {
    var duration = parseFloat(root.dataset.duration || "0") ||
      (isFinite(video.duration) ? video.duration : 0);
    bar.textContent = "";
    if (!duration || !items.length) {
      bar.hidden = true;
      return;
    }
    items.forEach(function (c) {
      var marker = document.createElement("button");
      marker.type = "button";
      marker.className = "chapter-marker";
      marker.dataset.seek = String(c.start);
      marker.title = formatClock(c.start) + " " + c.title;
      marker.setAttribute("aria-label", tr("Chapter at %(time)s: %(title)s", { time: formatClock(c.start), title: c.title }));
      marker.style.left = Math.min(100, 100 * c.start / duration) + "%";
      bar.appendChild(marker);
    });
    bar.hidden = false;
    bar.dataset.markers = String(items.length);
  }

  bar.addEventListener("click", function (event) {
    var marker = event.target.closest("[data-seek]");
    if (!marker) return;
    video.currentTime = parseFloat(marker.dataset.seek);
  });

  video.addEventListener("timeupdate", function () {
    var t = video.currentTime;
    var markers = bar.querySelectorAll(".chapter-marker");
    var current = null;
    Array.prototype.forEach.call(markers, function (m) {
      if (parseFloat(m.dataset.seek) <= t + 0.05) current = m;
    });
    Array.prototype.forEach.call(markers, function (m) {
      m.classList.toggle("current", m === current);
    });
  });

  if (!parseFloat(root.dataset.duration || "0")) video.addEventListener("loadedmetadata", draw);
  draw();
  return api;
}
