/* "Next lesson": when a video watched within a course ends, a panel over the picture
 * names the next module and counts down before opening it (the link keeps the course
 * and program). Cancel stops the countdown; playing or seeking again hides the panel.
 * With prefers-reduced-motion the page never moves on by itself: the panel waits for
 * "Play now". At the course's end the panel offers the way back instead.
 *
 * The state is published on #player as data-next-lesson ("counting", "waiting",
 * "cancelled", "end") for tests; the live status line announces it.
 */

import { t as tr } from "./i18n.js";

/* Wire #next-lesson to `player`'s end; does nothing on a page without the panel. */
export function initNextLesson(player) {
  var panel = document.getElementById("next-lesson");
  if (!panel) return;
  var root = player.root;
  var video = player.video;
  var url = panel.dataset.nextUrl || "";
  var count = document.getElementById("next-lesson-count");
  var cancel = document.getElementById("next-lesson-cancel");
  var title = document.getElementById("next-lesson-title");
  var timer = null;
  var left = 0;

  function setState(state) {
    root.dataset.nextLesson = state;
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  function hide() {
    stop();
    panel.hidden = true;
    delete root.dataset.nextLesson;
  }

  function tick() {
    left -= 1;
    if (left <= 0) {
      stop();
      count.textContent = tr("Starting…");
      window.location.assign(url);
      return;
    }
    count.textContent = tr("Starting in %(seconds)s s", { seconds: left });
  }

  function show() {
    panel.hidden = false;
    if (!url) {
      setState("end");
      player.say(title.textContent);
      return;
    }
    var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (reduced) {
      count.textContent = "";
      cancel.hidden = true;
      setState("waiting");
      player.say(title.textContent + ".");
    } else {
      var total = parseInt(panel.dataset.seconds || "8", 10);
      left = total;
      count.textContent = tr("Starting in %(seconds)s s", { seconds: left });
      cancel.hidden = false;
      setState("counting");
      player.say(title.textContent + ", starting in " + total + " seconds. Cancel to stay.");
      stop();
      timer = window.setInterval(tick, 1000);
      cancel.focus({ preventScroll: true });
    }
  }

  if (cancel) {
    cancel.addEventListener("click", function () {
      stop();
      count.textContent = tr("Countdown stopped");
      cancel.hidden = true;
      setState("cancelled");
      player.say(tr("Countdown stopped; the next lesson will not start by itself."));
      var go = document.getElementById("next-lesson-go");
      if (go) go.focus({ preventScroll: true });
    });
  }
  video.addEventListener("ended", show);
  // Watching again (replay, a seek back) puts the panel away.
  video.addEventListener("playing", hide);
  video.addEventListener("seeking", function () {
    if (!video.ended) hide();
  });
}
