import { serverNow } from "./api.js";
import { countdown } from "./format.js";

/** Render a running countdown element; `tick` keeps every one on the page current. */
export function countdownHtml(dueAt) {
  const c = countdown(dueAt, serverNow());
  return `<span class="countdown ${c.cls}" data-due="${dueAt}">${c.text}</span>`;
}

/** Update every running countdown from its stored due time and the (server-corrected) clock. */
export function tick(root = document) {
  const now = serverNow();
  for (const el of root.querySelectorAll("[data-due]")) {
    const c = countdown(el.dataset.due, now);
    if (el.textContent !== c.text) el.textContent = c.text;
    const cls = `countdown ${c.cls}`.trim();
    if (el.className !== cls) el.className = cls;
  }
}
