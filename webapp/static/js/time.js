/* Time as Learnstream shows it, on every page: the one client-side formatter.
 *
 * The display rule (the server's formatter follows the same one): a duration or a moment
 * reads "m:ss" under an hour and "h:mm:ss" from an hour up, so 3,900 s is "1:05:00"
 * everywhere, never "65:00" or "0:01:05". `precise` adds hundredths ("1:05.25") where a
 * moment is picked to the frame (the clip editor). Digits come from Intl.NumberFormat in
 * Latin digits, so a shown time can always be typed back (parseClock).
 * Spoken forms ("3 minutes, 5 seconds", for aria-valuetext) come from
 * Intl.DurationFormat where the browser has it, else from Intl.NumberFormat units joined
 * by Intl.ListFormat, which reads the same.
 */

const LOCALE = document.documentElement.lang || undefined;
const plain = new Intl.NumberFormat(LOCALE, { numberingSystem: "latn", useGrouping: false });
const twoDigits = new Intl.NumberFormat(LOCALE, {
  numberingSystem: "latn",
  useGrouping: false,
  minimumIntegerDigits: 2,
});
const UNITS = [["hours", "hour", 3600], ["minutes", "minute", 60], ["seconds", "second", 1]];

/* Whole hours, minutes and seconds of a non-negative number of seconds. */
function parts(whole) {
  return { hours: Math.floor(whole / 3600), minutes: Math.floor((whole % 3600) / 60), seconds: whole % 60 };
}

/* Seconds → "m:ss" under an hour, "h:mm:ss" from an hour; `precise` adds ".cc". */
export function formatClock(seconds, { precise = false } = {}) {
  const s = Math.max(0, Number(seconds) || 0);
  // Hundredths are rounded; whole seconds are cut (a moment is shown until it has passed),
  // tolerating float noise such as 4.9999999 for 5.
  const hundredths = precise ? Math.round(s * 100) : 0;
  const whole = precise ? Math.floor(hundredths / 100) : Math.floor(s + 1e-6);
  const { hours, minutes, seconds: secs } = parts(whole);
  const clock = hours
    ? `${plain.format(hours)}:${twoDigits.format(minutes)}:${twoDigits.format(secs)}`
    : `${plain.format(minutes)}:${twoDigits.format(secs)}`;
  return precise ? `${clock}.${twoDigits.format(hundredths % 100)}` : clock;
}

/* "m:ss", "h:mm:ss" (each with optional decimals) or plain seconds → seconds; NaN if none. */
export function parseClock(text) {
  const value = String(text ?? "").trim().replace(",", ".");
  if (!/^\d+(\.\d*)?$|^\d+(:[0-5]\d){1,2}(\.\d*)?$/.test(value)) return NaN;
  return value.split(":").reduce((total, part) => total * 60 + parseFloat(part), 0);
}

/* Seconds → "1 hour, 3 minutes, 5 seconds": a time as a screen reader should say it. */
export function spokenDuration(seconds) {
  const whole = Math.max(0, Math.floor(Number(seconds) || 0));
  const duration = parts(whole);
  if (!whole) return unitFormat("second").format(0);
  if (typeof Intl.DurationFormat === "function") {
    return new Intl.DurationFormat(LOCALE, { style: "long" }).format(duration);
  }
  const named = UNITS.filter(([field]) => duration[field])
    .map(([field, unit]) => unitFormat(unit).format(duration[field]));
  return new Intl.ListFormat(LOCALE, { type: "unit", style: "long" }).format(named);
}

function unitFormat(unit) {
  return new Intl.NumberFormat(LOCALE, { style: "unit", unit, unitDisplay: "long" });
}
