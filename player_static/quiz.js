/* Quiz questions in the video (webapp/templates/quizzes/_dialog.html).
 *
 * The questions come from the JSON API without their answers (docs/api.md, "Quizzes").
 * When playback crosses a question's moment the video pauses and a modal dialog asks it:
 * the focus moves into the dialog, every control is a native one (radio buttons,
 * check boxes, text fields, buttons), Enter checks the answer. The server marks it and
 * sends back whether it was right, the explanation and the right answer, shown in the
 * dialog (announced: role=status); "Continue" closes it and playback resumes.
 *
 * A question the learner already answered (on any visit) does not stop them again.
 * A required question cannot be skipped: no Skip button, Escape does nothing, and a seek
 * past it before it is answered goes back to it. That is a help, not a lock: the server
 * records answers and never refuses playback for a missing one.
 * The prompt is the server's sanitised HTML (webapp/markdown.py); choices, explanations'
 * neighbours and messages are set as text.
 * State for tests: #quiz[data-ready="1"] once loaded, #quiz[data-count], #quiz[data-open].
 */
import { request } from "../static/js/request.js";
import { formatClock } from "../static/js/time.js";
import { t as tr } from "./i18n.js";

const AHEAD = 0.3;  // s: a question counts as reached this close to its moment

/* Wire the quiz of `player` (nothing on a page without #quiz). */
export function initQuiz(player) {
  var root = document.getElementById("quiz");
  var dialog = document.getElementById("quiz-dialog");
  if (!root || !dialog || !player) return;
  var video = player.video;
  var form = document.getElementById("quiz-form");
  var title = document.getElementById("quiz-title");
  var prompt = document.getElementById("quiz-prompt");
  var fields = document.getElementById("quiz-fields");
  var result = document.getElementById("quiz-result");
  var check = document.getElementById("quiz-check");
  var skip = document.getElementById("quiz-skip");
  var next = document.getElementById("quiz-continue");
  var answerBase = root.dataset.answerUrl.replace(/\/0\/answers$/, "/");
  var questions = [];
  var current = null;     // the question on screen
  var passed = {};        // id → true: answered or skipped on this visit
  var lastTime = 0;
  var opener = null;

  function done(q) {
    return !!(q.answered || passed[q.id]);
  }

  /* The first required question not yet answered before module time t, if any. */
  function blockerBefore(t) {
    for (var i = 0; i < questions.length; i++) {
      var q = questions[i];
      if (q.required && !q.answered && q.at < t - AHEAD) return q;
    }
    return null;
  }

  /* ---- the dialog ---- */
  function input(type, name, value, labelText) {
    var label = document.createElement("label");
    label.className = "quiz-choice";
    var box = document.createElement("input");
    box.type = type;
    box.name = name;
    box.value = String(value);
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + labelText));
    return label;
  }

  function buildFields(q) {
    fields.textContent = "";
    if (q.kind === "single" || q.kind === "multiple") {
      var set = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = q.kind === "single" ? tr("Pick one answer") : tr("Pick every right answer");
      set.appendChild(legend);
      q.choices.forEach(function (c) {
        set.appendChild(input(q.kind === "single" ? "radio" : "checkbox", "choice", c.id, c.text));
      });
      fields.appendChild(set);
      return;
    }
    var label = document.createElement("label");
    label.htmlFor = "quiz-text";
    label.textContent = q.kind === "numeric" ? tr("Your answer (a number)") : tr("Your answer");
    var box = document.createElement("input");
    box.id = "quiz-text";
    box.type = "text";
    box.autocomplete = "off";
    box.maxLength = 500;
    if (q.kind === "numeric") box.inputMode = "decimal";
    fields.appendChild(label);
    fields.appendChild(box);
  }

  function open(q) {
    current = q;
    video.pause();
    opener = document.activeElement;
    title.textContent = tr(q.required ? "Question at %(time)s (answer to go on)" : "Question at %(time)s", { time: formatClock(q.at) });
    prompt.innerHTML = q.prompt_html;  // sanitised by the server (nh3)
    buildFields(q);
    result.textContent = "";
    result.className = "quiz-result";
    check.disabled = false;
    check.textContent = tr("Check answer");
    next.hidden = true;
    skip.hidden = q.required;
    root.dataset.open = String(q.id);
    if (!dialog.open) dialog.showModal();
    var first = fields.querySelector("input");
    if (first) first.focus();
  }

  function close(resume) {
    if (dialog.open) dialog.close();
    delete root.dataset.open;
    if (current) passed[current.id] = true;
    current = null;
    if (opener && opener.focus && document.contains(opener)) opener.focus();
    if (resume) video.play().catch(function () { /* autoplay refused: the learner presses play */ });
  }

  /* The answer in the API's shape, or a message saying what is missing. */
  function given(q) {
    if (q.kind === "single") {
      var picked = fields.querySelector("input:checked");
      return picked ? { choice: parseInt(picked.value, 10) } : tr("Pick an answer.");
    }
    if (q.kind === "multiple") {
      var all = Array.prototype.map.call(fields.querySelectorAll("input:checked"), function (b) {
        return parseInt(b.value, 10);
      });
      return all.length ? { choices: all } : tr("Pick at least one answer.");
    }
    var text = document.getElementById("quiz-text").value.trim();
    if (!text) return tr("Type an answer.");
    if (q.kind === "text") return { text: text };
    var number = Number(text.replace(",", "."));
    return isFinite(number) ? { number: number } : tr("Type a number, e.g. 3.5.");
  }

  function rightAnswerText(q, key) {
    if (key.choices) {
      return q.choices.filter(function (c) { return key.choices.indexOf(c.id) >= 0; })
        .map(function (c) { return c.text; }).join(", ");
    }
    if (key.number !== null && key.number !== undefined) {
      return String(key.number) + (key.tolerance ? " (± " + key.tolerance + ")" : "");
    }
    return (key.texts || []).join(" or ");
  }

  function show(q, answer) {
    result.textContent = "";
    var verdict = document.createElement("p");
    verdict.className = "quiz-verdict";
    verdict.textContent = answer.right ? tr("Right!") : tr("Not quite.");
    result.appendChild(verdict);
    if (!answer.right) {
      var key = document.createElement("p");
      key.textContent = tr("The right answer: %(answer)s", { answer: rightAnswerText(q, answer.right_answer) });
      result.appendChild(key);
    }
    if (answer.explanation_html) {
      var why = document.createElement("div");
      why.className = "quiz-explanation";
      why.innerHTML = answer.explanation_html;  // sanitised by the server (nh3)
      result.appendChild(why);
    }
    result.className = "quiz-result " + (answer.right ? "right" : "wrong");
    check.textContent = tr("Check again");
    skip.hidden = true;
    next.hidden = false;
    next.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = current;
    if (!q) return;
    var answer = given(q);
    if (typeof answer === "string") {
      result.textContent = answer;
      result.className = "quiz-result wrong";
      return;
    }
    check.disabled = true;
    request("POST", answerBase + q.id + "/answers", { answer: answer }).then(function (marked) {
      q.answered = { attempts: marked.attempts, first_right: marked.first_right };
      root.dataset.answered = String(parseInt(root.dataset.answered || "0", 10) + 1);
      show(q, marked);
    }).catch(function (err) {
      result.textContent = err.message;
      result.className = "quiz-result wrong";
    }).then(function () { check.disabled = false; });
  });

  next.addEventListener("click", function () { close(true); });
  skip.addEventListener("click", function () { close(true); });
  dialog.addEventListener("cancel", function (event) {
    // Escape: a required question stays until it is answered.
    event.preventDefault();
    if (current && !current.required) close(false);
    else if (current && current.answered) close(false);
  });

  /* ---- reaching the moments ---- */
  video.addEventListener("timeupdate", function () {
    var t = player.time();
    if (!video.paused && !video.seeking && !current) {
      for (var i = 0; i < questions.length; i++) {
        var q = questions[i];
        if (!done(q) && q.at >= lastTime - AHEAD && q.at <= t + AHEAD / 3) {
          lastTime = t;
          open(q);
          return;
        }
      }
    }
    lastTime = t;
  });

  video.addEventListener("seeking", function () {
    var blocker = blockerBefore(player.time());
    if (!blocker) {
      lastTime = player.time();
      return;
    }
    player.say(tr("Answer the question at %(time)s to go on.", { time: formatClock(blocker.at) }));
    player.seek(blocker.at);
    lastTime = blocker.at;
    if (!current) open(blocker);
  });

  request("GET", root.dataset.quizUrl).then(function (quiz) {
    questions = quiz.items;
    root.dataset.count = String(questions.length);
    root.dataset.ready = "1";
  }).catch(function () {
    root.dataset.ready = "1";
    root.dataset.count = "0";
  });
}
