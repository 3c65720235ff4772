import type { Alert } from "@liaowang/schemas";
import { deadlineStatus, isBackdatedClaim } from "./clocks.js";
import { ms, toMs } from "./time.js";

/** Response effectiveness of one department over a period (问责). */
export interface DepartmentAccountability {
  department: string;
  /** Alerts raised in the period that the department was responsible for. */
  alerts: number;
  acknowledged: number;
  /** Time from raising to acknowledgement, over the acknowledged alerts; null when none was. */
  timeToAcknowledgeMs: { mean: number; median: number; p90: number; max: number } | null;
  /** Acknowledged later than the target, or still unacknowledged past it. */
  lateAcknowledgements: number;
  unacknowledgedNow: number;
  /**
   * `backdated`: deadlines whose milestone claims a time within the deadline but was recorded after it (counted in
   * metLate and missed, since clocks count against the recording time; shown so the claim is visible).
   */
  deadlines: { met: number; metLate: number; missed: number; overdueNow: number; running: number; backdated: number };
  dismissed: number;
  /** Re-raises of dismissed incidents that grew. */
  reraised: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

/**
 * Accountability per department for alerts opened in `[from, to)`: time to acknowledge, deadlines met and
 * missed, what is overdue now, dismissals and re-raises. Departments with no alerts are left out.
 * @example accountability(alerts, { from: "2024-05-01T00:00:00Z", to: "2024-06-01T00:00:00Z" }, new Date(), 30 * 60_000)
 */
export function accountability(alerts: readonly Alert[], period: { from: string; to: string }, now: Date | number, ackTargetMs: number): DepartmentAccountability[] {
  const t = toMs(now);
  const from = ms(period.from);
  const to = ms(period.to);
  const byDept = new Map<string, { stats: DepartmentAccountability; ackTimes: number[] }>();
  for (const alert of alerts) {
    const opened = ms(alert.openedAt);
    if (opened < from || opened >= to) continue;
    let entry = byDept.get(alert.department);
    if (!entry) {
      entry = {
        stats: {
          department: alert.department,
          alerts: 0,
          acknowledged: 0,
          timeToAcknowledgeMs: null,
          lateAcknowledgements: 0,
          unacknowledgedNow: 0,
          deadlines: { met: 0, metLate: 0, missed: 0, overdueNow: 0, running: 0, backdated: 0 },
          dismissed: 0,
          reraised: 0,
        },
        ackTimes: [],
      };
      byDept.set(alert.department, entry);
    }
    const s = entry.stats;
    s.alerts += 1;
    s.reraised += alert.reraiseCount;
    if (alert.state === "dismissed") s.dismissed += 1;
    const raised = ms(alert.raisedAt);
    if (alert.acknowledgedAt !== null) {
      const took = ms(alert.acknowledgedAt) - raised;
      s.acknowledged += 1;
      entry.ackTimes.push(took);
      if (took > ackTargetMs) s.lateAcknowledgements += 1;
    } else if (alert.state === "new") {
      s.unacknowledgedNow += 1;
      if (t - raised > ackTargetMs) s.lateAcknowledgements += 1;
    }
    for (const d of alert.deadlines) {
      if (isBackdatedClaim(d)) s.deadlines.backdated += 1;
      switch (deadlineStatus(d, t)) {
        case "met":
          s.deadlines.met += 1;
          break;
        case "met_late":
          s.deadlines.metLate += 1;
          s.deadlines.missed += 1;
          break;
        case "missed":
          s.deadlines.missed += 1;
          break;
        case "overdue":
          s.deadlines.overdueNow += 1;
          s.deadlines.missed += 1;
          break;
        case "running":
          s.deadlines.running += 1;
          break;
        case "cancelled":
          break;
      }
    }
  }
  return [...byDept.values()]
    .map(({ stats, ackTimes }) => {
      if (ackTimes.length === 0) return stats;
      const sorted = [...ackTimes].sort((a, b) => a - b);
      const mean = Math.round(sorted.reduce((sum, x) => sum + x, 0) / sorted.length);
      return { ...stats, timeToAcknowledgeMs: { mean, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), max: sorted[sorted.length - 1] as number } };
    })
    .sort((a, b) => a.department.localeCompare(b.department));
}
