/* The player's words in the page's language. The page renders the translated strings as
 * JSON in <script type="application/json" id="player-i18n"> (webapp/playback/i18n.py,
 * playback/_modules.html), keyed by their English text; a key missing there, or a page
 * without the script, reads in English.
 *
 *   t("Play") → "Wiedergabe"
 *   t("Starting in %(seconds)s s", {seconds: 5}) → "Start in 5 s"
 *   t("%(percent)s%% watched", {percent: 40}) → "40 % angesehen"
 */

var table = null;

function strings() {
  if (table === null) {
    var el = document.getElementById("player-i18n");
    try {
      table = el ? JSON.parse(el.textContent) || {} : {};
    } catch (err) {
      table = {};
    }
  }
  return table;
}

export function t(key, vars) {
  var text = Object.prototype.hasOwnProperty.call(strings(), key) && strings()[key] ? strings()[key] : key;
  // Python's format: "%(name)s" is a value, "%%" a percent sign.
  return text.replace(/%\((\w+)\)s|%%/g, function (whole, name) {
    if (whole === "%%") return "%";
    return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole;
  });
}
