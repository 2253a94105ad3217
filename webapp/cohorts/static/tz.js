// Tell the server the browser's time zone (a `tz` cookie) so class times render in it.
// Reloads once when the cookie is new or changed; the server validates the name.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  var match = document.cookie.match(/(?:^|; )tz=([^;]*)/);
  var current = match ? decodeURIComponent(match[1]) : null;
  if (current === zone) return;
  document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
  var shown = document.querySelector("[data-tz-shown]");
  if (shown && shown.getAttribute("data-tz-shown") !== zone && !/[?&]tz=/.test(location.search)) {
    location.reload();
  }
})();
