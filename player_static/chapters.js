/* Chapter markers on a thin bar under the video, built from the chapter list on the page.
 *
 * Each chapter becomes a button at its start (in % of the duration); a click seeks
 * there. The bar is hidden when there are no chapters or no known duration.
 */
(function () {
  "use strict";

  var bar = document.getElementById("chapter-markers");
  var root = document.getElementById("player");
  var video = document.getElementById("video");
  var list = document.getElementById("chapter-list");
  if (!bar || !root || !video || !list) return;

  function formatTime(s) {
    var m = Math.floor(s / 60);
    var sec = Math.floor(s % 60);
    return m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  function chapters() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-seek]")).map(function (b) {
      var time = b.querySelector(".time");
      var title = b.textContent.replace(time ? time.textContent : "", "").trim();
      return { start: parseFloat(b.dataset.seek), title: title };
    }).filter(function (c) { return !isNaN(c.start); });
  }

  function draw() {
    var duration = parseFloat(root.dataset.duration || "0") ||
      (isFinite(video.duration) ? video.duration : 0);
    var items = chapters();
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
      marker.title = formatTime(c.start) + " " + c.title;
      marker.setAttribute("aria-label", "Chapter at " + formatTime(c.start) + ": " + c.title);
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
    // The marker of the chapter being watched is highlighted.
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
})();
