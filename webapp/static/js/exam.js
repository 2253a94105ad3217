/* An exam attempt's page: autosave each answer through the API as it changes, and count
 * down to the deadline the server set (the server's clock is the authority: the offset
 * between its "now" and ours is taken once, at load). */
import { request } from "./request.js";

const form = document.getElementById("exam-form");
const status = document.getElementById("exam-status");
const clockBox = document.getElementById("exam-clock");

function answerOf(fieldset) {
  const kind = fieldset.dataset.kind;
  const inputs = [...fieldset.querySelectorAll("input")];
  if (kind === "single") {
    const picked = inputs.find((i) => i.checked);
    return picked ? { choice: Number(picked.value) } : null;
  }
  if (kind === "multiple") {
    return { choices: inputs.filter((i) => i.checked).map((i) => Number(i.value)) };
  }
  const value = inputs[0].value.trim();
  if (!value) return null;
  if (kind === "numeric") {
    const number = Number(value);
    return Number.isFinite(number) ? { number } : null;
  }
  return { text: value };
}

const timers = new Map();

async function save(fieldset) {
  const answer = answerOf(fieldset);
  if (!answer) return;
  const url = form.dataset.saveUrl.replace(/\/0$/, `/${fieldset.dataset.questionId}`);
  try {
    await request("PUT", url, answer);
    status.textContent = "Answer saved.";
  } catch (err) {
    status.textContent = `Not saved: ${err.message}`;
  }
}

function later(fieldset, delay) {
  clearTimeout(timers.get(fieldset));
  timers.set(fieldset, setTimeout(() => save(fieldset), delay));
}

if (form) {
  form.addEventListener("change", (event) => {
    const fieldset = event.target.closest("fieldset[data-question-id]");
    if (fieldset) later(fieldset, 0);
  });
  form.addEventListener("input", (event) => {
    const fieldset = event.target.closest("fieldset[data-question-id]");
    if (fieldset && event.target.type !== "radio" && event.target.type !== "checkbox") later(fieldset, 600);
  });
}

if (clockBox) {
  const deadline = Date.parse(clockBox.dataset.deadline);
  const offset = Date.parse(clockBox.dataset.now) - Date.now();
  const shown = document.getElementById("exam-time-left");
  let warned = false;
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - (Date.now() + offset)) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    shown.textContent = `${minutes}:${seconds}`;
    if (left <= 60 && !warned) {
      warned = true;
      status.textContent = left ? "One minute left." : "Time is up.";
    }
    if (left === 0) {
      status.textContent = "Time is up: answers can no longer be changed.";
      clearInterval(handle);
    }
  };
  const handle = setInterval(tick, 1000);
  tick();
}
