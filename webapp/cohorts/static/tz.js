// Tell the server the browser's time zone (a `tz` cookie) so class times render in it.
// Reloads once when the cookie is new or changed; the server validates the name.

function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

const zone = browserZone();
const match = document.cookie.match(/(?:^|; )tz=([^;]*)/);
const current = match ? decodeURIComponent(match[1]) : null;
if (zone && current !== zone) {
  document.cookie = `tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; SameSite=Lax`;
  const shown = document.querySelector("[data-tz-shown]");
  if (shown && shown.getAttribute("data-tz-shown") !== zone && !/[?&]tz=/.test(location.search)) {
    location.reload();
  }
}
