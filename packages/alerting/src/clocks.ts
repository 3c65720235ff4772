import type { AlertLevel, ClockKind, Deadline, Milestone, MilestoneKind } from "@liaowang/schemas";
import { isMajor, type EscalationConfig } from "./config.js";
import { iso, ms } from "./time.js";

const HOUR = 3_600_000;

/** zh-CN name of a clock, as officers read it. */
export function clockLabel(clock: ClockKind): string {
  switch (clock) {
    case "authoritative_info":
      return "权威信息发布";
    case "press_conference":
      return "新闻发布会";
    case "response":
      return "舆情回应";
    case "policy_interpretation":
      return "政策解读发布";
  }
}

/** Which milestone stops a clock: publishing information answers both the 5 h clock and the general 48 h one. */
export function stoppedBy(clock: ClockKind): MilestoneKind {
  switch (clock) {
    case "authoritative_info":
    case "response":
    case "policy_interpretation":
      return "info_published";
    case "press_conference":
      return "press_conference";
  }
}

/**
 * The clocks a level runs and their due times: I/II → authoritative information at onset + 5 h and a press
 * conference at onset + 24 h; anything else (including ungraded) → answered by onset + 48 h.
 * @example clocksFor("II", Date.parse("2024-05-01T00:00:00Z"), config.clocks)[0].dueAt === "2024-05-01T05:00:00.000Z"
 */
export function clocksFor(level: AlertLevel, onsetAt: number, spans: EscalationConfig["clocks"]): { clock: ClockKind; dueAt: string; hours: number }[] {
  const make = (clock: ClockKind, span: number) => ({ clock, dueAt: iso(onsetAt + span), hours: span / HOUR });
  if (isMajor(level)) return [make("authoritative_info", spans.authoritativeInfo), make("press_conference", spans.pressConference)];
  return [make("response", spans.response)];
}

/**
 * Fresh deadlines for a level and onset, each already met by the first recorded milestone that stops it
 * (information published before an upgrade still answers the new 5 h clock).
 */
export function computeDeadlines(level: AlertLevel, onsetAt: number, milestones: readonly Milestone[], spans: EscalationConfig["clocks"]): Deadline[] {
  return clocksFor(level, onsetAt, spans).map((c) => {
    const stop = firstRecorded(milestones.filter((m) => m.kind === stoppedBy(c.clock)));
    return { ...c, metAt: stop?.at ?? null, metRecordedAt: stop?.recordedAt ?? null, milestoneId: stop?.id ?? null, cancelledAt: null };
  });
}

// By recording time, not claimed time: a later entry claiming an earlier date never displaces the first record.
function firstRecorded(milestones: readonly Milestone[]): Milestone | undefined {
  return [...milestones].sort((a, b) => ms(a.recordedAt) - ms(b.recordedAt) || a.id.localeCompare(b.id))[0];
}

/**
 * Stop every running clock the milestone answers. A clock already stopped stays as it was: a second, back-dated
 * milestone cannot rewrite when the first one stopped it.
 */
export function applyMilestone(deadlines: readonly Deadline[], milestone: Milestone): Deadline[] {
  return deadlines.map((d) => {
    if (stoppedBy(d.clock) !== milestone.kind) return d;
    if (d.metAt !== null) return d;
    return { ...d, metAt: milestone.at, metRecordedAt: milestone.recordedAt, milestoneId: milestone.id, cancelledAt: null };
  });
}

/** When the clock actually stopped: when its milestone was recorded (the claim, for deadlines stored before that was kept). */
export function stoppedAt(deadline: Deadline): string | null {
  return deadline.metRecordedAt ?? deadline.metAt;
}

/**
 * True when the milestone claims a time within the deadline but was recorded after it: counted as met late, and
 * flagged in the 问责 figures as a back-dated claim.
 */
export function isBackdatedClaim(deadline: Deadline): boolean {
  const recorded = deadline.metRecordedAt;
  if (deadline.metAt === null || recorded === undefined || recorded === null) return false;
  const due = ms(deadline.dueAt);
  return ms(deadline.metAt) <= due && ms(recorded) > due;
}

/** Cancel the clocks still running when an alert ends (dismissed, closed or merged) without their milestone. */
export function cancelRunning(deadlines: readonly Deadline[], at: string): Deadline[] {
  return deadlines.map((d) => (d.metAt === null && d.cancelledAt === null ? { ...d, cancelledAt: at } : d));
}

/** Where a deadline stands at `now`. */
export type DeadlineStatus = "running" | "overdue" | "met" | "met_late" | "cancelled" | "missed";

/**
 * The status of one deadline: met / met late by when its milestone was recorded (not by the time it claims),
 * running or overdue while open, and for a clock cancelled at the end of an alert, missed if it was already
 * overdue then.
 */
export function deadlineStatus(deadline: Deadline, now: number): DeadlineStatus {
  const due = ms(deadline.dueAt);
  const stopped = stoppedAt(deadline);
  if (stopped !== null) return ms(stopped) <= due ? "met" : "met_late";
  if (deadline.cancelledAt !== null) return ms(deadline.cancelledAt) > due ? "missed" : "cancelled";
  return now > due ? "overdue" : "running";
}

/** True while the clock counts down (or is overdue) and no milestone or end of the alert stopped it. */
export function isRunning(deadline: Deadline): boolean {
  return deadline.metAt === null && deadline.cancelledAt === null;
}
