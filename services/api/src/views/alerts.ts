import { clockLabel, deadlineStatus, isRunning, stateLabel } from "@liaowang/alerting";
import { Alert as AlertSchema, Deadline as DeadlineSchema, INCIDENT_LEVEL_NAMES, type Alert, type Deadline } from "@liaowang/schemas";
import { z } from "zod";

/** A stored deadline as the API shows it: its zh-CN label, where it stands and the time left (negative: overdue). */
export const DeadlineView = DeadlineSchema.extend({
  label: z.string(),
  status: z.enum(["running", "overdue", "met", "met_late", "cancelled", "missed"]),
  /** dueAt − now for a running or overdue clock; null once stopped. */
  remainingMs: z.number().nullable(),
});
export type DeadlineView = z.infer<typeof DeadlineView>;

/**
 * An alert as the API returns it: the stored alert (without the alerter's internal outbox of unpublished
 * events), its deadlines with status and time left, and the most urgent running one.
 */
export const AlertView = AlertSchema.omit({ pendingEvents: true }).extend({
  levelName: z.string(),
  stateLabel: z.string(),
  deadlines: z.array(DeadlineView),
  /** The running clock due first (also when already overdue); null when no clock runs. */
  nextDeadline: DeadlineView.nullable(),
  overdue: z.boolean(),
});
export type AlertView = z.infer<typeof AlertView>;

function viewDeadline(deadline: Deadline, now: number): DeadlineView {
  const running = isRunning(deadline);
  return {
    ...deadline,
    label: clockLabel(deadline.clock),
    status: deadlineStatus(deadline, now),
    remainingMs: running ? Date.parse(deadline.dueAt) - now : null,
  };
}

/** The view of a stored alert at `now` (countdowns derive from stored deadlines and the clock, never from timers). */
export function alertView(alert: Alert, now: number): AlertView {
  const { pendingEvents: _pending, ...rest } = alert;
  return {
    ...rest,
    levelName: alert.level === null ? "未定级" : INCIDENT_LEVEL_NAMES[alert.level],
    stateLabel: stateLabel(alert.state),
    ...alertTimeView(alert, now),
  };
}

/** What of an alert's view changes with the time: its clocks' status and time left, the next one, whether overdue. */
export type AlertTimeView = Pick<AlertView, "deadlines" | "nextDeadline" | "overdue">;

/** The part of `alertView` that depends on `now`. */
export function alertTimeView(alert: Alert, now: number): AlertTimeView {
  const deadlines = alert.deadlines.map((d) => viewDeadline(d, now));
  let next: DeadlineView | null = null;
  for (const d of deadlines) if (d.remainingMs !== null && (next === null || Date.parse(d.dueAt) < Date.parse(next.dueAt))) next = d;
  return { deadlines, nextDeadline: next, overdue: deadlines.some((d) => d.status === "overdue") };
}

/** Per stored alert object, the JSON of its view's fields that do not change with the time (without the closing brace). */
const fixedJson = new WeakMap<Alert, string>();

/**
 * `JSON.stringify(alertView(alert, now))` for the duty board's lists, with the fields in another order: the fields
 * that do not depend on the time are serialised once per alert object (the read store hands out the same object for
 * as long as the stored alert is unchanged, see `ReadStore.listAlerts`), only the clocks at every request. The
 * board is polled every few seconds per open screen; serialising each alert afresh was most of a poll's CPU.
 */
export function alertViewJson(alert: Alert, time: AlertTimeView): string {
  let fixed = fixedJson.get(alert);
  if (fixed === undefined) {
    const { pendingEvents: _pending, deadlines: _deadlines, ...rest } = alert;
    fixed = JSON.stringify({ ...rest, levelName: alert.level === null ? "未定级" : INCIDENT_LEVEL_NAMES[alert.level], stateLabel: stateLabel(alert.state) }).slice(0, -1);
    fixedJson.set(alert, fixed);
  }
  return `${fixed},"deadlines":${JSON.stringify(time.deadlines)},"nextDeadline":${JSON.stringify(time.nextDeadline)},"overdue":${time.overdue}}`;
}

const LEVEL_RANK: Record<string, number> = { I: 4, II: 3, III: 2, IV: 1 };

/**
 * Duty-board order: alerts with a running clock first, the earliest due first (so overdue ones lead); then the
 * rest, most recently raised first. Ties go to the higher level, then the id, so the order is stable.
 */
export function compareUrgency(a: Pick<AlertView, "id" | "level" | "raisedAt" | "nextDeadline">, b: Pick<AlertView, "id" | "level" | "raisedAt" | "nextDeadline">): number {
  const da = a.nextDeadline ? Date.parse(a.nextDeadline.dueAt) : Number.POSITIVE_INFINITY;
  const db = b.nextDeadline ? Date.parse(b.nextDeadline.dueAt) : Number.POSITIVE_INFINITY;
  if (da !== db) return da - db;
  if (da === Number.POSITIVE_INFINITY) {
    const raised = Date.parse(b.raisedAt) - Date.parse(a.raisedAt);
    if (raised !== 0) return raised;
  }
  const level = (LEVEL_RANK[b.level ?? ""] ?? 0) - (LEVEL_RANK[a.level ?? ""] ?? 0);
  if (level !== 0) return level;
  return a.id.localeCompare(b.id);
}
