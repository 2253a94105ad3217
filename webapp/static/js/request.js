/* The one way our pages talk to the app: fetch with the session cookie, the CSRF token on
 * every unsafe method, JSON in and out, and one error shape.
 *
 * A refused request rejects with a RequestError whose message is the server's own words
 * (an RFC 9457 problem's `detail`, else the older `{"error"}` field) and whose `status`
 * is the HTTP status (0 when the server could not be reached).
 */

const SAFE = new Set(["GET", "HEAD"]);

export class RequestError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "RequestError";
    this.status = status;
  }
}

/* The page's CSRF token (base.html puts it in a meta tag). */
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/* fetch() for our own routes: same-origin credentials, the CSRF header on unsafe methods,
 * `body` sent as JSON unless it is a string/form. Resolves with the Response whatever its
 * status; rejects with RequestError(status 0) when the server could not be reached. */
export async function send(method, url, { body, headers = {}, ...options } = {}) {
  const all = { Accept: "application/json", ...headers };
  if (!SAFE.has(method)) all["X-CSRFToken"] = csrfToken();
  let payload = body;
  if (body !== undefined && body !== null && typeof body === "object" && !(body instanceof URLSearchParams)) {
    all["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  try {
    return await fetch(url, { method, credentials: "same-origin", headers: all, body: payload, ...options });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new RequestError("Could not reach the server; check the connection and try again.", 0);
  }
}

/* A JSON call: resolves with the answer's JSON (null for 204), rejects with RequestError. */
export async function request(method, url, body, options = {}) {
  const resp = await send(method, url, { body, ...options });
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const said = data && (data.detail || data.error || data.title);
    throw new RequestError(said || `The server answered ${resp.status}.`, resp.status);
  }
  return data;
}

/* A text file of ours (a playlist, a WebVTT track), never from the browser's cache. */
export async function fetchText(url) {
  const resp = await send("GET", url, { headers: { Accept: "*/*" }, cache: "no-store" });
  if (!resp.ok) throw new RequestError(`${url} answered ${resp.status}.`, resp.status);
  return resp.text();
}
