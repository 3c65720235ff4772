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
  const deadlines = alert.deadlines.map((d) => viewDeadline(d, now));
  const next = deadlines.filter((d) => d.remainingMs !== null).sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0] ?? null;
  return {
    ...rest,
    levelName: alert.level === null ? "未定级" : INCIDENT_LEVEL_NAMES[alert.level],
    stateLabel: stateLabel(alert.state),
    deadlines,
    nextDeadline: next,
    overdue: deadlines.some((d) => d.status === "overdue"),
  };
}

const LEVEL_RANK: Record<string, number> = { I: 4, II: 3, III: 2, IV: 1 };

/**
 * Duty-board order: alerts with a running clock first, the earliest due first (so overdue ones lead); then the
 * rest, most recently raised first. Ties go to the higher level, then the id, so the order is stable.
 */
export function compareUrgency(a: AlertView, b: AlertView): number {
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
