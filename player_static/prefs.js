/* The learner's player preferences (docs/api.md "Player preferences"), shared by the
 * player's scripts: one GET per page, and PUTs that name only the fields changed.
 *
 * Captions save at once (put); speed, volume and mute save a moment after the last
 * change (later), so a slider drag or a run of key presses is one request; whatever is
 * still waiting goes out when the page is hidden. Saves go one at a time, in order.
 * State for tests: #player[data-prefs-saved] counts acknowledged delayed saves.
 */
import { request } from "../static/js/request.js";
import { t as tr } from "./i18n.js";

const DELAY_MS = 600;

/* The preferences of the player's learner: {load, put, later}. */
export function createPrefs(player) {
  var root = player.root;
  var url = root.dataset.preferencesUrl;
  var loading = null;
  var waiting = {};  // fields changed since the last delayed save
  var timer = null;
  var queue = Promise.resolve();  // saves in flight, one after the other

  /* The saved preferences (every field, null when not chosen); {} if they cannot be read. */
  function load() {
    if (!loading) {
      loading = request("GET", url).catch(function () { return {}; });
    }
    return loading;
  }

  function send(fields, keepalive) {
    return request("PUT", url, fields, { keepalive: !!keepalive });
  }

  /* PUT the given fields after the saves before it (so the last choice is the one kept);
   * resolves with all preferences, rejects when not saved. A closing page cannot wait:
   * keepalive saves go at once. */
  function put(fields, keepalive) {
    if (keepalive) return send(fields, true);
    var result = queue.then(function () { return send(fields, false); });
    queue = result.catch(function () { /* the next save goes ahead anyway */ });
    return result;
  }

  function flush(keepalive) {
    clearTimeout(timer);
    timer = null;
    var fields = waiting;
    waiting = {};
    if (!Object.keys(fields).length) return;
    put(fields, keepalive).then(function () {
      root.dataset.prefsSaved = String(parseInt(root.dataset.prefsSaved || "0", 10) + 1);
    }).catch(function () {
      if (!keepalive) player.say(tr("Your player settings could not be saved."));
    });
  }

  /* Save these fields a moment from now, together with any others changed meanwhile. */
  function later(fields) {
    Object.keys(fields).forEach(function (name) { waiting[name] = fields[name]; });
    clearTimeout(timer);
    timer = setTimeout(flush, DELAY_MS);
  }

  window.addEventListener("pagehide", function () { flush(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush(true);
  });

  return { load: load, put: put, later: later };
}
