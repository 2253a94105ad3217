/* The viewer's time zone, from the browser to the server, on every page.
 *
 * Everyone gets a `tz` cookie with the browser's IANA zone (stored as it is: zone names
 * are cookie-safe). A signed-in user whose profile zone was not chosen by hand gets the
 * browser's zone saved on the profile (a CSRF-protected POST), so e-mails and the
 * calendar use it too. When the page was rendered in another zone and shows times, it is
 * reloaded once to show them in the browser's zone; `?tz=` in the URL always wins.
 */

import { send } from "./request.js";

function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

function cookieZone() {
  const match = document.cookie.match(/(?:^|; )tz=([^;]*)/);
  return match ? match[1] : null;
}

async function sync() {
  const zone = browserZone();
  if (!zone) return;
  const root = document.documentElement;
  const shown = root.dataset.viewerZone;
  const fromLink = new URLSearchParams(location.search).has("tz");
  const showsTimes = document.querySelector("time[datetime]") !== null;
  const hadCookie = cookieZone();
  if (hadCookie !== zone) {
    document.cookie = `tz=${zone}; path=/; max-age=31536000; SameSite=Lax`;
  }
  const saveUrl = root.dataset.zoneSave;
  let changed = false;
  if (saveUrl) {
    if (root.dataset.zonePinned === "1" || root.dataset.savedZone === zone) return;
    const resp = await send("POST", saveUrl, { body: new URLSearchParams({ zone }) });
    changed = resp.status === 205;
  } else {
    // Only when the cookie really took (cookies may be off): never a reload loop.
    changed = hadCookie !== zone && cookieZone() === zone;
  }
  if (changed && shown !== zone && !fromLink && showsTimes) location.reload();
}

sync().catch(() => {});
