/* Keyboard shortcuts of the player, and the dialog that lists them (`?`).
 *
 * Active while the focus is on the player or on nothing in particular (the page body);
 * never while the learner types in a field (inputs other than the seek and volume
 * sliders, textareas, selects, contenteditable), never with Ctrl, Alt or Cmd held (those
 * belong to the browser), and not inside an open menu or dialog. Space and Enter on a
 * button keep their own meaning; the arrow keys on a slider move that slider.
 * n and b are left free (notes and bookmarks). The dialog has a switch that turns the
 * shortcuts off on this device (WCAG 2.1.4), kept in localStorage.
 */

import { t as tr } from "./i18n.js";

const STORE_KEY = "learnstream.shortcuts";
const NOT_TYPING = ["range", "button", "submit", "reset", "checkbox", "radio"];
const SLIDER_KEYS = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "PageUp", "PageDown",
  "Home", "End"];

/* The shortcuts of `player` acting through `controls`; `captions` ({toggle}) may be null. */
export function initKeyboard(player, controls, captions) {
  if (!controls) return;
  var root = player.root;
  var dialog = document.getElementById("shortcuts-dialog");
  var enabled = document.getElementById("shortcuts-enabled");
  var opener = null;

  function jumpTo(fraction) {
    player.seek(player.duration() * fraction);
  }

  function toggleCaptions() {
    if (captions) captions.toggle();
    else player.say(tr("This video has no captions."));
  }

  var actions = {
    " ": controls.togglePlay,
    k: controls.togglePlay,
    j: function () { controls.skip(-10); },
    l: function () { controls.skip(10); },
    ArrowLeft: function () { controls.skip(-5); },
    ArrowRight: function () { controls.skip(5); },
    ArrowUp: function () { controls.changeVolume(0.1); },
    ArrowDown: function () { controls.changeVolume(-0.1); },
    Home: function () { jumpTo(0); },
    End: function () { jumpTo(1); },
    f: controls.toggleFullscreen,
    c: toggleCaptions,
    m: controls.toggleMute,
    "<": function () { controls.stepRate(-1); },
    ">": function () { controls.stepRate(1); },
    "?": openHelp,
  };

  function typing(element) {
    if (element.isContentEditable) return true;
    if (element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
    return element.tagName === "INPUT" && NOT_TYPING.indexOf(element.type) < 0;
  }

  /* Whether a key pressed with the focus on this element is for the player. */
  function inScope(element) {
    if (!element || element === document.body || element === document.documentElement) return true;
    if (!root.contains(element) || typing(element)) return false;
    return !element.closest("[role=menu], dialog");
  }

  /* The action name of a key: letters ignore Shift and Caps Lock; "<", ">" and "?" are
   * matched by their key where the layout has one, else by Shift + , . / */
  function keyName(event) {
    var key = event.key;
    if (event.shiftKey && event.code === "Comma") return "<";
    if (event.shiftKey && event.code === "Period") return ">";
    if (event.shiftKey && event.code === "Slash") return "?";
    return /^[a-z]$/i.test(key) ? key.toLowerCase() : key;
  }

  function stored() {
    try { return window.localStorage.getItem(STORE_KEY); } catch (e) { return null; }
  }

  function store(value) {
    try { window.localStorage.setItem(STORE_KEY, value); } catch (e) { /* private mode */ }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
    if ((dialog && dialog.open) || (enabled && !enabled.checked)) return;
    var target = event.target;
    if (!inScope(target)) return;
    var name = keyName(event);
    var onButton = target.tagName === "BUTTON" || target.tagName === "A";
    if (onButton && (name === " " || name === "Enter")) return;  // the control's own action
    if (target.tagName === "INPUT" && SLIDER_KEYS.indexOf(name) >= 0) return;
    if (/^[0-9]$/.test(name)) {
      event.preventDefault();
      jumpTo(parseInt(name, 10) / 10);
      return;
    }
    var action = actions[name];
    if (!action) return;
    event.preventDefault();
    action();
  });

  /* ---- the shortcuts dialog: modal while open, Escape closes, focus comes back ---- */
  function openHelp() {
    if (!dialog || dialog.open) return;
    opener = document.activeElement;
    dialog.showModal();
    document.getElementById("shortcuts-close").focus();
  }

  if (dialog) {
    document.getElementById("shortcuts-button").addEventListener("click", openHelp);
    document.getElementById("shortcuts-close").addEventListener("click", function () {
      dialog.close();
    });
    enabled.checked = stored() !== "off";
    enabled.addEventListener("change", function () {
      store(enabled.checked ? "on" : "off");
      player.say(enabled.checked ? tr("Keyboard shortcuts on") : tr("Keyboard shortcuts off"));
    });
    dialog.addEventListener("close", function () {
      if (opener && opener !== document.body && document.contains(opener)) opener.focus();
      opener = null;
    });
    // A click on the backdrop (outside the dialog's box) closes it too.
    dialog.addEventListener("click", function (event) {
      if (event.target !== dialog) return;
      var box = dialog.getBoundingClientRect();
      var inside = event.clientX >= box.left && event.clientX <= box.right &&
        event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) dialog.close();
    });
  }
}
