import type { Alert, ClockKind, Deadline } from "@liaowang/schemas";
import { isRunning } from "./clocks.js";
import { levelName, reminderLabel, type EscalationConfig, type EscalationPolicy, type RecipientSpec } from "./config.js";
import { sendTime } from "./quiet-hours.js";
import { iso, ms, toMs } from "./time.js";

/** Why an item notifies. */
export type ItemKind = "new" | "regrade" | "reminder" | "escalation";

/**
 * One notification the alert owes at `dueAt`. `key` is its idempotency key (alert, generation, step and
 * the deadline it counts to), stable across restarts, so it is enqueued exactly once.
 */
export interface PlannedItem {
  key: string;
  kind: ItemKind;
  dueAt: number;
  /** Items of one group supersede each other: when several are due at once only the latest goes out. */
  group: string;
  recipients: RecipientSpec[];
  clock?: ClockKind;
  deadlineDueAt?: string;
  /** Reminder label (T-2h, overdue…) or escalation step id. */
  label?: string;
  stepId?: string;
  cycle?: number;
  /** For escalations: "unacknowledged" for `after` steps, else the time before the deadline. */
  trigger?: { type: "unacknowledged"; afterMs: number } | { type: "deadline"; beforeMs: number };
}

const ACTIVE = new Set<Alert["state"]>(["new", "acknowledged", "handling", "responded"]);

/** True while an alert can still owe notifications (not closed or dismissed). */
export function isActive(alert: Alert): boolean {
  return ACTIVE.has(alert.state);
}

/** The escalation policy that applies to the alert's level: the first one listing it. */
export function policyFor(alert: Alert, config: EscalationConfig): EscalationPolicy | undefined {
  // Issue 7: an ungraded alert never escalates to department heads by time alone, whatever a policy lists; its
  // reminders still go to the duty officers, and an officer can always escalate by hand.
  if (alert.level === null) return undefined;
  return config.policies.find((p) => p.levels.includes(levelName(alert.level)));
}

/**
 * Since when the alert has known this deadline at this due time: items due before that are not planned, so
 * a late-arriving incident gets its opening notification instead of a burst of stale reminders.
 */
function knownSince(alert: Alert, deadline: Deadline): number {
  let since = ms(alert.raisedAt);
  for (let i = alert.deadlineHistory.length - 1; i >= 0; i--) {
    const rev = alert.deadlineHistory[i];
    if (!rev || !rev.deadlines.some((d) => d.clock === deadline.clock && d.dueAt === deadline.dueAt)) break;
    since = Math.max(ms(alert.raisedAt), ms(rev.at));
  }
  return since;
}

/**
 * Every notification the alert owes in its current generation, sent or not, each with a stable key:
 * the opening notice; a notice per regrade after that; reminders at configured points of each running
 * deadline; and escalation steps by time unacknowledged and by time left before a deadline, repeated per
 * the policy. Pure: the same alert and config always give the same plan.
 */
export function planItems(alert: Alert, config: EscalationConfig): PlannedItem[] {
  if (!isActive(alert)) return [];
  const prefix = `${alert.id}:g${alert.reraiseCount}`;
  const items: PlannedItem[] = [{ key: `${prefix}:new`, kind: "new", dueAt: ms(alert.raisedAt), group: "new", recipients: config.onOpen }];

  // A regrade is news only to those who already heard the old grade; before that the opening notice carries it.
  const opened = alert.notified.find((n) => n.key === `${prefix}:new`);
  if (opened) {
    for (const rev of alert.deadlineHistory) {
      if (rev.reason !== "regraded" || ms(rev.at) <= ms(opened.at)) continue;
      items.push({ key: `${prefix}:regrade:${rev.at}`, kind: "regrade", dueAt: ms(rev.at), group: "regrade", recipients: config.onOpen });
    }
  }

  const running = alert.deadlines.filter(isRunning);
  for (const d of running) {
    const since = knownSince(alert, d);
    for (const point of config.reminders.points) {
      const at = ms(d.dueAt) + point.at;
      if (at < since) continue;
      const label = reminderLabel(point);
      items.push({
        key: `${prefix}:reminder:${d.clock}:${label}:${d.dueAt}`,
        kind: "reminder",
        dueAt: at,
        group: `reminder:${d.clock}`,
        recipients: config.reminders.notify,
        clock: d.clock,
        deadlineDueAt: d.dueAt,
        label,
      });
    }
  }

  const policy = policyFor(alert, config);
  if (policy) {
    const cycles = 1 + (policy.repeat?.times ?? 0);
    const every = policy.repeat?.every ?? 0;
    for (const step of policy.steps) {
      for (let cycle = 0; cycle < cycles; cycle++) {
        const shift = cycle * every;
        if (step.after !== undefined) {
          if (alert.state !== "new") continue;
          const at = ms(alert.raisedAt) + step.after + shift;
          items.push({
            key: `${prefix}:esc:${policy.id}:${step.id}:c${cycle}:${iso(at)}`,
            kind: "escalation",
            dueAt: at,
            group: `esc:${step.id}`,
            recipients: step.notify,
            stepId: step.id,
            label: step.id,
            cycle,
            trigger: { type: "unacknowledged", afterMs: step.after },
          });
        } else if (step.beforeDeadline !== undefined) {
          for (const d of running) {
            if (step.clocks && !step.clocks.includes(d.clock)) continue;
            const at = ms(d.dueAt) - step.beforeDeadline + shift;
            if (at < knownSince(alert, d)) continue;
            items.push({
              key: `${prefix}:esc:${policy.id}:${step.id}:${d.clock}:${d.dueAt}:c${cycle}`,
              kind: "escalation",
              dueAt: at,
              group: `esc:${step.id}:${d.clock}`,
              recipients: step.notify,
              clock: d.clock,
              deadlineDueAt: d.dueAt,
              stepId: step.id,
              label: step.id,
              cycle,
              trigger: { type: "deadline", beforeMs: step.beforeDeadline },
            });
          }
        }
      }
    }
  }
  return items;
}

/** What a scan should do for an alert at `now`. */
export interface DueResult {
  /** Enqueue these, then record them as notified. */
  send: PlannedItem[];
  /** Record these as notified without sending: a later item of the same group is due too. */
  superseded: PlannedItem[];
}

/**
 * The items due at `now` that were not notified yet. Quiet hours hold back items of the levels they list
 * (never I/II) until they end. When several items of one group are due together (after downtime, or a
 * quiet night), only the latest goes out: "overdue" makes "T-30m" moot.
 * @example const { send, superseded } = dueItems(alert, config, new Date())
 */
export function dueItems(alert: Alert, config: EscalationConfig, now: Date | number): DueResult {
  const t = toMs(now);
  const done = new Set(alert.notified.map((n) => n.key));
  const due = planItems(alert, config).filter((item) => !done.has(item.key) && sendTime(item.dueAt, t, alert.level, config.quietHours) <= t);
  const latest = new Map<string, PlannedItem>();
  for (const item of due) {
    const current = latest.get(item.group);
    if (!current || item.dueAt > current.dueAt || (item.dueAt === current.dueAt && item.key > current.key)) latest.set(item.group, item);
  }
  const send = [...latest.values()].sort((a, b) => a.dueAt - b.dueAt || a.key.localeCompare(b.key));
  const sent = new Set(send.map((i) => i.key));
  return { send, superseded: due.filter((i) => !sent.has(i.key)) };
}

/** The earliest instant an unnotified item of the alert becomes due (after quiet hours), or null. */
export function nextDueAt(alert: Alert, config: EscalationConfig, now: Date | number): number | null {
  const t = toMs(now);
  const done = new Set(alert.notified.map((n) => n.key));
  let next: number | null = null;
  for (const item of planItems(alert, config)) {
    if (done.has(item.key)) continue;
    const at = sendTime(item.dueAt, t, alert.level, config.quietHours);
    if (next === null || at < next) next = at;
  }
  return next;
}
