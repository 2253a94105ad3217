/* Questions at the moment, beside the player (webapp/templates/questions/_panel.html).
 *
 * - "Ask a question here" pauses the video and opens the form at the current moment (the
 *   label shows it); "Post question" sends {at, body} to the panel's list URL (the
 *   video's, or the clip's with `at` from the clip's start: docs/api.md, "Questions").
 * - Each question gets a marker button under the seek bar at its moment and an entry in
 *   the list; both seek there. Answers are listed under their question.
 * - Question and answer texts arrive as `body_html`, Markdown the server rendered and
 *   sanitised (nh3): that is the only HTML this module inserts; names and times are
 *   set as textContent.
 * - The author may edit or delete their own post while the server says `can_edit`
 *   (15 minutes); where `can_answer`, an answer box sits under each open question.
 * State for tests: #questions[data-ready="1"] once loaded, [data-count] questions;
 * markers: #question-markers .question-marker[data-at].
 */
import { request } from "../static/js/request.js";
import { button } from "./buttons.js";
import { formatClock } from "../static/js/time.js";
import { t as tr } from "./i18n.js";

/* Wire the questions panel (nothing on a page without one). */
export function initQuestions(player) {
  var panel = document.getElementById("questions");
  if (!panel || !player) return;
  var video = player.video;
  var askButton = document.getElementById("question-ask");
  var form = document.getElementById("question-form");
  var textarea = document.getElementById("question-body");
  var atLabel = document.getElementById("question-at");
  var sendButton = document.getElementById("question-send");
  var cancelButton = document.getElementById("question-cancel");
  var statusEl = document.getElementById("questions-status");
  var list = document.getElementById("question-list");
  var empty = document.getElementById("questions-empty");
  var listUrl = panel.dataset.listUrl;
  var questionBase = panel.dataset.questionUrl.replace(/0$/, "");  // "/api/v1/questions/"
  var answerBase = panel.dataset.answerUrl.replace(/0$/, "");      // "/api/v1/answers/"
  var state = { items: [], can_answer: false, can_moderate: false };
  var pendingAt = null;
  var markers = markerBar();

  function say(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", !!isError);
  }

  function now() {
    return Math.round(Math.max(0, player.time()) * 1000) / 1000;
  }

  function markerBar() {
    var bar = document.createElement("div");
    bar.className = "question-markers";
    bar.id = "question-markers";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", tr("Question markers"));
    bar.hidden = true;
    var area = document.getElementById("seek-area");
    if (area && area.parentNode) area.parentNode.insertBefore(bar, area.nextSibling);
    return bar;
  }

  function excerpt(html) {
    // An inert document: nothing in it loads or runs; only its text is read.
    var doc = new DOMParser().parseFromString(html, "text/html");
    var text = (doc.body.textContent || "").replace(/\s+/g, " ").trim();
    return text.length > 60 ? text.slice(0, 57) + "…" : text;
  }

  function seek(at) {
    player.seek(at);
    say(tr("Playing from %(time)s.", { time: formatClock(at) }));
  }

  /* ---- markers on the timeline ---- */
  function drawMarkers() {
    var duration = player.duration();
    markers.textContent = "";
    if (!duration || !state.items.length) {
      markers.hidden = true;
      return;
    }
    state.items.forEach(function (q) {
      var m = button("question-marker", "", tr("Question at %(time)s: %(text)s", { time: formatClock(q.at), text: excerpt(q.body_html) }));
      m.dataset.at = String(q.at);
      m.dataset.id = String(q.id);
      m.title = formatClock(q.at) + " " + excerpt(q.body_html);
      m.style.left = Math.min(100, 100 * q.at / duration) + "%";
      markers.appendChild(m);
    });
    markers.hidden = false;
    markers.dataset.markers = String(state.items.length);
  }

  markers.addEventListener("click", function (event) {
    var m = event.target.closest(".question-marker");
    if (!m) return;
    seek(parseFloat(m.dataset.at));
    var item = document.getElementById("question-" + m.dataset.id);
    if (item) item.classList.add("current");
  });

  /* ---- the list ---- */
  function answerItem(q, a) {
    var li = document.createElement("li");
    li.className = "answer" + (a.accepted ? " accepted" : "") + (a.hidden ? " is-hidden" : "");
    li.dataset.id = String(a.id);
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = a.author.name + (a.author.instructor ? " (" + tr("instructor") + ")" : "") +
      (a.accepted ? " · " + tr("accepted answer") : "") + (a.hidden ? " · " + tr("hidden") : "");
    li.appendChild(meta);
    var body = document.createElement("div");
    body.className = "answer-body";
    body.innerHTML = a.body_html;  // sanitised by the server (webapp/markdown.py)
    li.appendChild(body);
    if (a.can_edit) {
      var actions = document.createElement("p");
      actions.className = "post-actions";
      actions.appendChild(button("answer-delete small", tr("Delete"), tr("Delete your answer")));
      li.appendChild(actions);
    }
    return li;
  }

  function questionItem(q) {
    var li = document.createElement("li");
    li.className = "question" + (q.resolved ? " resolved" : "") + (q.hidden ? " is-hidden" : "");
    li.id = "question-" + q.id;
    li.dataset.id = String(q.id);
    li.dataset.at = String(q.at);
    var head = document.createElement("div");
    head.className = "question-head";
    head.appendChild(button("question-time", formatClock(q.at), tr("Play from %(time)s", { time: formatClock(q.at) })));
    var who = document.createElement("span");
    who.className = "question-author";
    who.textContent = q.author.name + (q.resolved ? " · " + tr("resolved") : "") + (q.locked ? " · " + tr("locked") : "");
    head.appendChild(who);
    li.appendChild(head);
    var body = document.createElement("div");
    body.className = "question-text";
    body.innerHTML = q.body_html;  // sanitised by the server (webapp/markdown.py)
    li.appendChild(body);
    if (q.can_edit) {
      var actions = document.createElement("p");
      actions.className = "post-actions";
      actions.appendChild(button("question-edit small", tr("Edit"), tr("Edit your question")));
      actions.appendChild(button("question-delete small", tr("Delete"), tr("Delete your question")));
      li.appendChild(actions);
    }
    if (q.answers.length) {
      var answers = document.createElement("ol");
      answers.className = "answer-list";
      answers.setAttribute("aria-label", tr("Answers to the question at %(time)s", { time: formatClock(q.at) }));
      q.answers.forEach(function (a) { answers.appendChild(answerItem(q, a)); });
      li.appendChild(answers);
    }
    if (state.can_answer && !q.locked) {
      var reply = document.createElement("form");
      reply.className = "answer-form";
      var id = "answer-" + q.id;
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = tr("Answer the question at %(time)s", { time: formatClock(q.at) });
      var box = document.createElement("textarea");
      box.id = id;
      box.rows = 2;
      box.maxLength = 5000;
      reply.appendChild(label);
      reply.appendChild(box);
      var submit = document.createElement("button");
      submit.type = "submit";
      submit.textContent = tr("Post answer");
      reply.appendChild(submit);
      li.appendChild(reply);
    }
    return li;
  }

  function render() {
    list.textContent = "";
    state.items.forEach(function (q) { list.appendChild(questionItem(q)); });
    empty.hidden = state.items.length > 0;
    panel.dataset.count = String(state.items.length);
    drawMarkers();
  }

  function load() {
    return request("GET", listUrl).then(function (data) {
      state = data;
      render();
    });
  }

  function byId(id) {
    return state.items.filter(function (q) { return q.id === id; })[0] || null;
  }

  /* ---- asking ---- */
  function openForm() {
    video.pause();
    pendingAt = now();
    atLabel.textContent = formatClock(pendingAt);
    form.hidden = false;
    askButton.setAttribute("aria-expanded", "true");
    textarea.focus();
  }

  function closeForm() {
    form.hidden = true;
    askButton.setAttribute("aria-expanded", "false");
    pendingAt = null;
    askButton.focus();
  }

  askButton.addEventListener("click", openForm);
  cancelButton.addEventListener("click", closeForm);
  form.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); closeForm(); }
    else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!textarea.value.trim()) {
      say(tr("Write your question first."), true);
      textarea.focus();
      return;
    }
    var at = pendingAt === null ? now() : pendingAt;
    sendButton.disabled = true;
    request("POST", listUrl, { at: at, body: textarea.value })
      .then(function (q) {
        textarea.value = "";
        form.hidden = true;
        askButton.setAttribute("aria-expanded", "false");
        pendingAt = null;
        return load().then(function () {
          say(tr("Question posted at %(time)s.", { time: formatClock(q.at) }));
          var item = document.getElementById("question-" + q.id);
          var time = item && item.querySelector(".question-time");
          (time || askButton).focus();
        });
      })
      .catch(function (err) { say(tr("Could not post the question: %(error)s", { error: err.message }), true); })
      .then(function () { sendButton.disabled = false; });
  });

  /* ---- list actions: seek, answer, edit, delete ---- */
  list.addEventListener("submit", function (event) {
    var reply = event.target.closest(".answer-form");
    if (!reply) return;
    event.preventDefault();
    var li = reply.closest("li.question");
    var box = reply.querySelector("textarea");
    if (!box.value.trim()) { say(tr("Write your answer first."), true); box.focus(); return; }
    var id = parseInt(li.dataset.id, 10);
    request("POST", questionBase + id + "/answers", { body: box.value })
      .then(function () { return load(); })
      .then(function () { say(tr("Answer posted.")); })
      .catch(function (err) { say(tr("Could not post the answer: %(error)s", { error: err.message }), true); });
  });

  function editQuestion(li, q) {
    var body = li.querySelector(".question-text");
    var editor = document.createElement("form");
    editor.className = "question-editor";
    var id = "question-edit-" + q.id;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = tr("Your question at %(time)s", { time: formatClock(q.at) });
    var box = document.createElement("textarea");
    box.id = id;
    box.rows = 3;
    box.maxLength = 5000;
    box.value = q.body;
    var save = document.createElement("button");
    save.type = "submit";
    save.textContent = tr("Save");
    editor.appendChild(label);
    editor.appendChild(box);
    editor.appendChild(save);
    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      event.stopPropagation();
      request("PATCH", questionBase + q.id, { body: box.value })
        .then(function () { return load(); })
        .then(function () { say(tr("Question saved.")); })
        .catch(function (err) { say(tr("Could not save: %(error)s", { error: err.message }), true); });
    });
    li.replaceChild(editor, body);
    box.focus();
  }

  function remove(url, what) {
    request("DELETE", url)
      .then(function () { return load(); })
      .then(function () { say(what); askButton.focus(); })
      .catch(function (err) { say(tr("Could not delete: %(error)s", { error: err.message }), true); });
  }

  list.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    var li = event.target.closest("li.question");
    if (!target || !li) return;
    var q = byId(parseInt(li.dataset.id, 10));
    if (!q) return;
    if (target.classList.contains("question-time")) seek(q.at);
    else if (target.classList.contains("question-edit")) editQuestion(li, q);
    else if (target.classList.contains("question-delete")) remove(questionBase + q.id, tr("Question deleted."));
    else if (target.classList.contains("answer-delete")) {
      remove(answerBase + target.closest("li.answer").dataset.id, tr("Answer deleted."));
    }
  });

  video.addEventListener("loadedmetadata", drawMarkers);

  load()
    .catch(function (err) { say(tr("Could not load the questions: %(error)s", { error: err.message }), true); })
    .then(function () { panel.dataset.ready = "1"; });
}
