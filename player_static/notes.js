/* The learner's notes and bookmarks beside the player (webapp/templates/notes/_panel.html).
 *
 * - "Add note" stores the text at the moment the learner started writing it (shown in the
 *   label); "Add bookmark" marks the current moment. Both go to the JSON API
 *   (docs/api.md, "Notes and bookmarks") with the page's CSRF token.
 * - The list is sorted by time; a time button seeks the video there. Edit happens in
 *   place (Escape cancels, Ctrl+Enter saves); Delete asks for a second, keyboard-reachable
 *   "Confirm delete" press instead of a browser dialog.
 * - Keys on the page (not while typing in a field): N pauses the video and puts the focus
 *   in the note box, B adds a bookmark at the current time.
 * - Every outcome is announced in the #notes-status live region. Note text is only ever
 *   set as textContent, never parsed as HTML.
 * State for tests: #notes[data-ready="1"] once loaded, #notes[data-count].
 */
import { request } from "../static/js/request.js";
import { button } from "./buttons.js";
import { formatClock } from "../static/js/time.js";
import { t as tr } from "./i18n.js";

// Inputs that take no typed text (sliders, boxes, buttons) leave the keys to the page.
const NOT_TYPED = /^(range|checkbox|radio|button|submit|reset|color|file|image)$/;

/* Wire the notes panel beside the player (nothing on a page without one). */
export function initNotes() {
  var panel = document.getElementById("notes");
  var video = document.getElementById("video");
  if (!panel || !video) return;
  var player = document.getElementById("player");
  var form = document.getElementById("note-form");
  var textarea = document.getElementById("note-body");
  var atLabel = document.getElementById("note-at");
  var addButton = document.getElementById("note-add");
  var bookmarkButton = document.getElementById("bookmark-add");
  var statusEl = document.getElementById("notes-status");
  var list = document.getElementById("note-list");
  var empty = document.getElementById("notes-empty");
  var listUrl = panel.dataset.listUrl;
  var noteBase = panel.dataset.noteUrl.replace(/0$/, "");  // "/api/v1/notes/"
  var notes = [];        // {id, kind, position, body, ...} sorted by position
  var pendingAt = null;  // where the note being written will be stored

  /* ---- helpers ---- */
  function say(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", !!isError);
  }

  function duration() {
    var d = player ? parseFloat(player.dataset.duration || "0") : 0;
    return d || (isFinite(video.duration) ? video.duration : 0);
  }

  /* The current moment in seconds (ms precision), never past the end of the video. */
  function now() {
    var t = video.currentTime || 0;
    var d = duration();
    if (d) t = Math.min(t, d);
    return Math.round(Math.max(0, t) * 1000) / 1000;
  }

  function label(note) {
    var at = { time: formatClock(note.position) };
    return note.kind === "bookmark" ? tr("Bookmark at %(time)s", at) : tr("Note at %(time)s", at);
  }

  // The label inside a sentence ("Edit note at 1:05"); German keeps its capitals.
  function inSentence(note) {
    var at = { time: formatClock(note.position) };
    return note.kind === "bookmark" ? tr("bookmark at %(time)s", at) : tr("note at %(time)s", at);
  }

  /* ---- the list ---- */
  function sortNotes() {
    notes.sort(function (a, b) { return a.position - b.position || a.id - b.id; });
  }

  function noteById(id) {
    return notes.filter(function (n) { return n.id === id; })[0] || null;
  }

  function itemFor(id) {
    return list.querySelector('li[data-id="' + id + '"]');
  }

  function renderItem(note) {
    var li = document.createElement("li");
    li.className = "note" + (note.kind === "bookmark" ? " bookmark" : "");
    li.dataset.id = String(note.id);
    li.dataset.kind = note.kind;
    li.dataset.position = String(note.position);
    var head = document.createElement("div");
    head.className = "note-head";
    var time = button("note-time", formatClock(note.position), tr("Play from %(time)s", { time: formatClock(note.position) }));
    time.dataset.seek = String(note.position);
    head.appendChild(time);
    if (note.kind === "bookmark") {
      var kind = document.createElement("span");
      kind.className = "note-kind";
      kind.textContent = tr("Bookmark");
      head.appendChild(kind);
    }
    var actions = document.createElement("span");
    actions.className = "note-actions";
    actions.appendChild(button("note-edit small", tr("Edit"), tr("Edit %(what)s", { what: inSentence(note) })));
    actions.appendChild(button("note-delete small", tr("Delete"), tr("Delete %(what)s", { what: inSentence(note) })));
    head.appendChild(actions);
    li.appendChild(head);
    if (note.body) {
      var body = document.createElement("p");
      body.className = "note-body";
      body.textContent = note.body;
      li.appendChild(body);
    }
    return li;
  }

  function render() {
    sortNotes();
    list.textContent = "";
    notes.forEach(function (note) { list.appendChild(renderItem(note)); });
    empty.hidden = notes.length > 0;
    panel.dataset.count = String(notes.length);
  }

  function replaceItem(note) {
    var old = itemFor(note.id);
    var fresh = renderItem(note);
    if (old) list.replaceChild(fresh, old);
    return fresh;
  }

  /* ---- adding ---- */
  function showAt() {
    atLabel.textContent = formatClock(pendingAt === null ? now() : pendingAt);
  }

  function startNote() {
    if (pendingAt === null) pendingAt = now();
    showAt();
  }

  function busy(on) {
    addButton.disabled = on;
    bookmarkButton.disabled = on;
  }

  function add(kind, position, body) {
    busy(true);
    return request("POST", listUrl, { kind: kind, position: position, body: body })
      .then(function (note) {
        notes.push(note);
        render();
        say(tr(kind === "bookmark" ? "Bookmark added at %(time)s." : "Note added at %(time)s.", { time: formatClock(note.position) }));
        return note;
      })
      .catch(function (err) {
        say(tr(kind === "bookmark" ? "Could not add the bookmark: %(error)s" : "Could not add the note: %(error)s", { error: err.message }), true);
        return null;
      })
      .then(function (note) { busy(false); return note; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textarea.value.trim();
    if (!text) {
      say(tr("Write something first (or add a bookmark)."), true);
      textarea.focus();
      return;
    }
    var position = pendingAt === null ? now() : pendingAt;
    add("note", position, textarea.value).then(function (note) {
      if (!note) return;
      textarea.value = "";
      pendingAt = null;
      showAt();
    });
  });

  textarea.addEventListener("focus", startNote);
  textarea.addEventListener("input", startNote);
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  textarea.addEventListener("blur", function () { if (!textarea.value) { pendingAt = null; showAt(); } });
  video.addEventListener("timeupdate", function () { if (pendingAt === null) showAt(); });
  video.addEventListener("seeked", function () { if (pendingAt === null) showAt(); });

  function addBookmark() {
    return add("bookmark", now(), "");
  }

  bookmarkButton.addEventListener("click", addBookmark);

  /* ---- seek, edit, delete ---- */
  function seek(position) {
    video.currentTime = position;
    say(tr("Playing from %(time)s.", { time: formatClock(position) }));
  }

  function startEdit(li, note) {
    var body = li.querySelector(".note-body");
    var editor = document.createElement("div");
    editor.className = "note-editor";
    var id = "note-edit-" + note.id;
    var lab = document.createElement("label");
    lab.htmlFor = id;
    lab.className = "visually-hidden";
    lab.textContent = tr("Text of the %(what)s", { what: inSentence(note) });
    var box = document.createElement("textarea");
    box.id = id;
    box.className = "note-edit-body";
    box.rows = 3;
    box.maxLength = 5000;
    box.value = note.body;
    var save = button("note-save small", tr("Save"));
    var cancel = button("note-cancel small", tr("Cancel"));
    editor.appendChild(lab);
    editor.appendChild(box);
    editor.appendChild(save);
    editor.appendChild(cancel);
    if (body) li.replaceChild(editor, body);
    else li.appendChild(editor);
    li.querySelector(".note-actions").hidden = true;
    box.focus();
  }

  function finishEdit(li, note, focusClass) {
    var fresh = replaceItem(note);
    var target = fresh.querySelector(focusClass || ".note-edit");
    if (target) target.focus();
    return fresh;
  }

  function saveEdit(li, note) {
    var box = li.querySelector(".note-edit-body");
    var save = li.querySelector(".note-save");
    save.disabled = true;
    request("PATCH", noteBase + note.id, { body: box.value })
      .then(function (updated) {
        notes[notes.indexOf(note)] = updated;
        finishEdit(li, updated);
        say(label(updated) + " saved.");
      })
      .catch(function (err) {
        save.disabled = false;
        say(tr("Could not save: %(error)s", { error: err.message }), true);
        box.focus();
      });
  }

  function askDelete(li, note) {
    var actions = li.querySelector(".note-actions");
    actions.textContent = "";
    actions.appendChild(button("note-confirm-delete small danger", tr("Confirm delete"),
      tr("Confirm: delete %(what)s", { what: inSentence(note) })));
    actions.appendChild(button("note-cancel-delete small", tr("Cancel")));
    actions.querySelector(".note-confirm-delete").focus();
  }

  function doDelete(li, note) {
    var confirmButton = li.querySelector(".note-confirm-delete");
    confirmButton.disabled = true;
    request("DELETE", noteBase + note.id)
      .then(function () {
        var next = li.nextElementSibling || li.previousElementSibling;
        notes.splice(notes.indexOf(note), 1);
        li.remove();
        empty.hidden = notes.length > 0;
        panel.dataset.count = String(notes.length);
        say(label(note) + " deleted.");
        (next ? next.querySelector(".note-time") : textarea).focus();
      })
      .catch(function (err) {
        confirmButton.disabled = false;
        say(tr("Could not delete: %(error)s", { error: err.message }), true);
      });
  }

  list.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    var li = event.target.closest("li.note");
    if (!target || !li) return;
    var note = noteById(parseInt(li.dataset.id, 10));
    if (!note) return;
    if (target.classList.contains("note-time")) seek(note.position);
    else if (target.classList.contains("note-edit")) startEdit(li, note);
    else if (target.classList.contains("note-save")) saveEdit(li, note);
    else if (target.classList.contains("note-cancel")) finishEdit(li, note);
    else if (target.classList.contains("note-delete")) askDelete(li, note);
    else if (target.classList.contains("note-confirm-delete")) doDelete(li, note);
    else if (target.classList.contains("note-cancel-delete")) finishEdit(li, note, ".note-delete");
  });

  list.addEventListener("keydown", function (event) {
    var li = event.target.closest("li.note");
    if (!li) return;
    var note = noteById(parseInt(li.dataset.id, 10));
    if (!note) return;
    if (event.target.classList.contains("note-edit-body")) {
      if (event.key === "Escape") { event.preventDefault(); finishEdit(li, note); }
      else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        saveEdit(li, note);
      }
    } else if (event.key === "Escape" && li.querySelector(".note-confirm-delete")) {
      event.preventDefault();
      finishEdit(li, note, ".note-delete");
    }
  });

  /* ---- page keys: N writes a note, B bookmarks ---- */
  function typing(target) {
    if (!target || !target.closest) return false;
    if (target.isContentEditable) return true;
    if (target.tagName === "INPUT") return !NOT_TYPED.test(target.type);
    return !!target.closest('textarea, select, [role="menu"], [role="listbox"], [role="textbox"]');
  }

  // The player's shortcuts dialog can turn single-key shortcuts off (WCAG 2.1.4).
  function shortcutsOn() {
    var toggle = document.getElementById("shortcuts-enabled");
    return (!toggle || toggle.checked) && !document.querySelector("dialog[open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.repeat) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || !shortcutsOn()) return;
    var key = event.key;
    if (key === "n" || key === "N") {
      event.preventDefault();  // the key must not also type an "n" into the box
      video.pause();
      pendingAt = now();
      showAt();
      textarea.focus();
    } else if (key === "b" || key === "B") {
      event.preventDefault();
      addBookmark();
    }
  });

  /* ---- start ---- */
  request("GET", listUrl)
    .then(function (data) {
      notes = data.notes || [];
      render();
    })
    .catch(function (err) {
      say(tr("Could not load your notes: %(error)s", { error: err.message }), true);
    })
    .then(function () {
      showAt();
      panel.dataset.ready = "1";
    });
}
