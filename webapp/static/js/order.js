/* Reorder a course's modules or a program's courses (templates/manage/courses_order.html).
 *
 * Two ways, one save: drag a row by its handle (SortableJS, imported from the URL in
 * [data-sortable]), or press a row's "Move up" / "Move down" button. Without this script
 * those buttons are POST forms; with it the row moves in place, keyboard focus stays on
 * the pressed button, and the live region says the new position. Each change PATCHes the
 * whole order to the API ([data-api], field [data-field]); a refused save puts the rows
 * back as they were and says why.
 */
import { request } from "./request.js";

function keys(list) {
  return [...list.children].map((row) => row.dataset.id);
}

function restore(list, order) {
  const rows = new Map([...list.children].map((row) => [row.dataset.id, row]));
  for (const key of order) list.appendChild(rows.get(key));
}

// The page's words (data-i18n, rendered in the page's language), English as a fallback.
function say(root, key, fallback, values) {
  let text = fallback;
  try {
    const table = JSON.parse(root.dataset.i18n || "{}");
    if (typeof table[key] === "string" && table[key]) text = table[key];
  } catch {
    // a page without the table speaks English
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function announce(root, text) {
  root.querySelector("[data-order-status]").textContent = text;
}

async function commit(root, list, row, before, focus) {
  const order = keys(list);
  if (order.join("\n") === before.join("\n")) {
    const edge = before.indexOf(row.dataset.id) === 0 ? "first" : "last";
    announce(root, say(root, edge, `“{title}” is already ${edge}.`, { title: title(row) }));
    return;
  }
  const values = root.dataset.field === "modules" ? order.map(Number) : order;
  try {
    await request("PATCH", root.dataset.api, { [root.dataset.field]: values });
    announce(root, say(root, "moved", "“{title}” moved to position {position} of {count}.", {
      title: title(row),
      position: order.indexOf(row.dataset.id) + 1,
      count: order.length,
    }));
  } catch (err) {
    restore(list, before);
    announce(root, say(root, "notSaved", "Not saved: {reason}", { reason: err.message }));
  }
  if (focus) focus.focus();
}

function title(row) {
  return row.querySelector(".order-title").textContent.trim();
}

function setUp(root) {
  const list = root.querySelector("ol");
  if (!list) return;
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-move]");
    if (!button) return;
    event.preventDefault();
    const row = button.closest("li");
    const before = keys(list);
    if (button.dataset.move === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (button.dataset.move === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    }
    button.focus();
    commit(root, list, row, before, button);
  });
  import(root.dataset.sortable)
    .then(({ default: Sortable }) => {
      let before = [];
      Sortable.create(list, {
        handle: ".handle",
        animation: 150,
        onStart: () => { before = keys(list); },
        onEnd: (event) => commit(root, list, event.item, before, null),
      });
    })
    .catch(() => announce(root, say(root, "noDrag", "Dragging is not available; use the Move buttons.", {})));
}

for (const root of document.querySelectorAll("[data-order]")) setUp(root);
