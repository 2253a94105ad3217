/* The watch and clip pages' player: one module that builds the player core and hands it
 * to each part, in the order their listeners must run (the core's resume and heartbeat
 * listeners before hls.js attaches). Each part finds its own elements and does nothing
 * on a page without them (a clip page has no notes, a video without chapters no list).
 * Nothing is put on `window`: the parts get what they need as arguments.
 */
import { initCaptions } from "./captions.js";
import { initChapters } from "./chapters.js";
import { initControls } from "./controls.js";
import { createPlayer } from "./core.js";
import { initKeyboard } from "./keyboard.js";
import { initNextLesson } from "./nextlesson.js";
import { initNotes } from "./notes.js";
import { createPrefs } from "./prefs.js";
import { initQuestions } from "./questions.js";
import { initQuiz } from "./quiz.js";
import { initSeekbar } from "./seekbar.js";
import { attachStream } from "./stream.js";
import { initThumbnails } from "./thumbnails.js";
import { initTranscript } from "./transcript.js";
import { t as tr } from "./i18n.js";

const player = createPlayer();
if (player) {
  const root = player.root;
  const stream = attachStream(player.video, root.dataset.src, {
    levels(levels) {
      player.levels = levels;
      player.setLevel = stream.setLevel;
      root.dataset.levels = String(levels.length);
      player.emit("levels", levels);
    },
    level: (state) => player.emit("level", state),
    problem: (text) => player.say(text),
    fatal(details) {
      root.dataset.fatal = details;
      player.say(details === "unsupported"
        ? tr("This browser cannot play HLS video.")
        : tr("This video cannot be played: %(details)s", { details: details }));
    },
    refreshed() {
      root.dataset.linkRefreshes = String(parseInt(root.dataset.linkRefreshes || "0", 10) + 1);
    },
  });
  const prefs = createPrefs(player);
  const controls = initControls(player, prefs);
  const chapters = initChapters(player);
  initSeekbar(player, initThumbnails(player, chapters));
  const captions = initCaptions(player, prefs);
  initTranscript(player);
  initNotes();
  initQuestions(player);
  initKeyboard(player, controls, captions);
  initQuiz(player);
  initNextLesson(player);
}
