// Live alert changes over Server-Sent Events (GET /api/v1/live). Read with fetch rather than EventSource so the
// request carries the same Authorization header as every other API call when signed in by login link; a password
// sign-in's session cookie goes along by itself (same origin). Reconnects after a drop.
import { getToken } from "./api.js";

const RETRY_MS = 3000;

/**
 * Follow alert changes: `onAlert({ now, alert })` per change in the user's scope, `onStatus(live)` when the feed
 * connects or drops (callers poll meanwhile). Returns a stop function.
 */
export function followAlerts({ onAlert, onStatus }) {
  let stopped = false;
  let controller;
  let retry;

  function dispatch(block) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length === 0) return;
    let payload;
    try {
      payload = JSON.parse(data.join("\n"));
    } catch {
      return;
    }
    if (event === "hello" || event === "status") onStatus(Boolean(payload.live));
    else if (event === "alert") onAlert(payload);
  }

  async function connect() {
    if (stopped) return;
    controller = new AbortController();
    try {
      const res = await fetch("/api/v1/live", { headers: { accept: "text/event-stream", ...(getToken() ? { authorization: `Bearer ${getToken()}` } : {}) }, cache: "no-store", signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // dropped or refused: fall through to the retry
    }
    if (stopped) return;
    onStatus(false);
    retry = setTimeout(() => void connect(), RETRY_MS);
  }

  void connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    controller?.abort();
  };
}

/** Duty-board order, as the API sorts (views/alerts.ts compareUrgency): earliest running deadline first. */
export function compareUrgency(a, b) {
  const da = a.nextDeadline ? Date.parse(a.nextDeadline.dueAt) : Infinity;
  const db = b.nextDeadline ? Date.parse(b.nextDeadline.dueAt) : Infinity;
  if (da !== db) return da - db;
  if (da === Infinity) {
    const raised = Date.parse(b.raisedAt) - Date.parse(a.raisedAt);
    if (raised !== 0) return raised;
  }
  const rank = { I: 4, II: 3, III: 2, IV: 1 };
  const level = (rank[b.level] ?? 0) - (rank[a.level] ?? 0);
  return level !== 0 ? level : a.id.localeCompare(b.id);
}

const LIVE_STATES = new Set(["new", "acknowledged", "handling", "responded"]);

/** A list of live alerts with one changed alert merged in (dropped once closed or dismissed), in board order. */
export function mergeAlert(alerts, alert) {
  const rest = alerts.filter((a) => a.id !== alert.id);
  return (LIVE_STATES.has(alert.state) ? [...rest, alert] : rest).sort(compareUrgency);
}
