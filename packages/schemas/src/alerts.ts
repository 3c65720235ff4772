import { z } from "zod";

const utcIso = z.iso.datetime({ offset: true });

/** Official grade I 特别重大 … IV 一般; null while ungraded. */
export const AlertLevel = z.enum(["I", "II", "III", "IV"]).nullable();
export type AlertLevel = z.infer<typeof AlertLevel>;

/**
 * Lifecycle (ARCHITECTURE §2): new 预警 → acknowledged 研判中 → handling 处置中 → responded 已回应 → closed,
 * or dismissed 误报 with a reason.
 */
export const AlertState = z.enum(["new", "acknowledged", "handling", "responded", "closed", "dismissed"]);
export type AlertState = z.infer<typeof AlertState>;

/**
 * The statutory clocks: authoritative information (I/II, onset + 5 h), press conference (I/II, onset + 24 h),
 * the general answer (other levels, onset + 48 h), and interpretation material for a major policy document
 * (3 working days after its publication; added for registered policy documents).
 */
export const ClockKind = z.enum(["authoritative_info", "press_conference", "response", "policy_interpretation"]);
export type ClockKind = z.infer<typeof ClockKind>;

/** What an office records having done; each stops the clocks it answers. */
export const MilestoneKind = z.enum(["info_published", "press_conference"]);
export type MilestoneKind = z.infer<typeof MilestoneKind>;

/**
 * One stored deadline. `metAt` is when the matching milestone happened by the officer's claim, `metRecordedAt` when it
 * was recorded in Liaowang (what the clock counts against: a claim cannot move a missed deadline into the past);
 * `cancelledAt` when the alert ended without one.
 */
export const Deadline = z.object({
  clock: ClockKind,
  dueAt: utcIso,
  /** The statutory span counted from onset, in hours (5, 24 or 48 by default). */
  hours: z.number().positive(),
  metAt: utcIso.nullable(),
  // Optional so alerts stored before it was added still parse; for those the claim counts.
  metRecordedAt: utcIso.nullable().optional(),
  milestoneId: z.string().nullable(),
  cancelledAt: utcIso.nullable(),
});
export type Deadline = z.infer<typeof Deadline>;

/** Why a set of deadlines was (re)computed. */
export const DeadlineRevisionReason = z.enum(["opened", "regraded", "onset_corrected"]);
export type DeadlineRevisionReason = z.infer<typeof DeadlineRevisionReason>;

/** One entry of a deadline history: the deadlines in force from `at`, and why. */
export const DeadlineRevision = z.object({
  at: utcIso,
  reason: DeadlineRevisionReason,
  actor: z.string(),
  level: AlertLevel,
  onsetAt: utcIso,
  note: z.string().optional(),
  deadlines: z.array(z.object({ clock: ClockKind, dueAt: utcIso })),
});
export type DeadlineRevision = z.infer<typeof DeadlineRevision>;

/** A recorded milestone: information published or press conference held, with when and where. */
export const Milestone = z.object({
  id: z.string(),
  kind: MilestoneKind,
  /** When it happened (may be earlier than when it was recorded). */
  at: utcIso,
  link: z.string().optional(),
  note: z.string().optional(),
  recordedAt: utcIso,
  actor: z.string(),
});
export type Milestone = z.infer<typeof Milestone>;

/** Audited event types: every state change and every change of what the clocks count from. */
export const AlertEventType = z.enum([
  "opened",
  "acknowledged",
  "handling_started",
  "responded",
  "closed",
  "dismissed",
  "reraised",
  "regraded",
  "onset_corrected",
  "milestone_recorded",
  "merged",
]);
export type AlertEventType = z.infer<typeof AlertEventType>;

/** One audited event: who did what to which alert, when, with an optional note. Ids are `<alertId>:<seq>`. */
export const AuditEvent = z.object({
  id: z.string(),
  alertId: z.string(),
  incidentId: z.string(),
  seq: z.number().int().positive(),
  type: AlertEventType,
  /** A person id, `link:<personId>` for a one-click acknowledge, or `system:<component>`. */
  actor: z.string().min(1),
  at: utcIso,
  from: AlertState.optional(),
  to: AlertState.optional(),
  note: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** A notification item handled for an alert: sent (enqueued in the outbox) or superseded by a later one. */
export const NotifiedItem = z.object({
  key: z.string(),
  at: utcIso,
  outcome: z.enum(["enqueued", "superseded"]),
});
export type NotifiedItem = z.infer<typeof NotifiedItem>;

/**
 * An alert as stored in Elasticsearch (`<prefix>alerts`, id = alert id): the incident summary it acts on,
 * lifecycle, routing, stored deadlines with their history, milestones and what was notified.
 */
export const Alert = z.object({
  v: z.literal(1),
  id: z.string(),
  incidentId: z.string(),
  title: z.string(),
  summary: z.string().optional(),
  firstPost: z.object({ source: z.string(), url: z.string().optional(), title: z.string().optional(), publishedAt: utcIso }).optional(),
  level: AlertLevel,
  levelReason: z.string(),
  gradeHistory: z.array(z.object({ at: utcIso, from: AlertLevel, to: AlertLevel, reason: z.string() })),
  onsetAt: utcIso,
  onsetHistory: z.array(z.object({ at: utcIso, from: utcIso, to: utcIso, actor: z.string(), reason: z.string() })),
  topics: z.array(z.string()),
  regions: z.array(z.object({ code: z.string().optional(), name: z.string(), province: z.string().optional(), level: z.enum(["province", "city", "county"]).optional() })),
  keywords: z.array(z.string()),
  sourceCount: z.number().int().nonnegative(),
  volume: z.number().int().nonnegative(),
  incidentStatus: z.string(),
  incidentUpdatedAt: utcIso,
  /** The incident revision applied last; an older revision redelivered by Kafka is ignored. */
  incidentRevision: z.number().int().nonnegative(),
  state: AlertState,
  stateChangedAt: utcIso,
  openedAt: utcIso,
  /** When the current round of notifications started: opening, or the latest re-raise. */
  raisedAt: utcIso,
  /** Re-raises after a dismissal; also the generation in notification keys, so a re-raised alert is notified afresh. */
  reraiseCount: z.number().int().nonnegative(),
  volumeAtDismissal: z.number().int().nonnegative().nullable(),
  acknowledgedAt: utcIso.nullable(),
  acknowledgedBy: z.string().nullable(),
  respondedAt: utcIso.nullable(),
  closedAt: utcIso.nullable(),
  dismissedAt: utcIso.nullable(),
  dismissReason: z.string().nullable(),
  mergedInto: z.string().nullable(),
  /**
   * Alerts of incidents merged into this one whose record (acknowledgement, milestones) this alert took over, so a
   * story found split stays one alert. Added for merges; absent on alerts that never absorbed one.
   */
  absorbedAlerts: z.array(z.string()).optional(),
  /**
   * Set on the alert of a registered major policy document (no incident behind it): its interpretation clock
   * counts working days of the official calendar, so its due time is fixed at registration. Added for the
   * 3-working-day clock; absent on incident alerts.
   */
  policyDocument: z
    .object({
      title: z.string(),
      docNumber: z.string().optional(),
      url: z.string().optional(),
      publishedAt: utcIso,
      workingDays: z.number().int().positive(),
      dueAt: utcIso,
      registeredBy: z.string(),
      /**
       * zh-CN, set when the days counted reach into a year without an official holiday schedule (counted
       * Monday–Friday). Added with config/holidays.yaml; absent on documents registered before.
       */
      calendarNote: z.string().optional(),
    })
    .optional(),
  department: z.string(),
  departmentName: z.string(),
  coDepartments: z.array(z.string()),
  routeReason: z.string(),
  // Added for issue 7 (optional: alerts stored before lack them).
  /** Scope in the jurisdiction (本地 / 涉本地 / 未知) and why, in zh-CN. */
  scope: z.enum(["本地", "涉本地", "外地", "境外", "未知"]).optional(),
  scopeReason: z.string().optional(),
  /** Why the alert was raised (scope and risk signal), in zh-CN. */
  raiseReason: z.string().optional(),
  /** Set when an official refutation joined the incident: 已辟谣, with source and link. */
  refuted: z.object({ at: utcIso, source: z.string(), url: z.string().optional(), title: z.string().optional(), authority: z.boolean() }).optional(),
  deadlines: z.array(Deadline),
  deadlineHistory: z.array(DeadlineRevision),
  milestones: z.array(Milestone),
  notified: z.array(NotifiedItem),
  /** Earliest instant a reminder, escalation or notification of this alert is due; null when none is pending. */
  nextDueAt: utcIso.nullable(),
  /** Sequence number of the latest audit event. */
  seq: z.number().int().nonnegative(),
  /** Audit events written with the state change but not yet indexed and published (transactional outbox). */
  pendingEvents: z.array(AuditEvent),
  updatedAt: utcIso,
});
export type Alert = z.infer<typeof Alert>;

/** The alert fields every alert-events message carries, so consumers need not read Elasticsearch. */
export const AlertSnapshot = Alert.pick({
  state: true,
  level: true,
  levelReason: true,
  department: true,
  coDepartments: true,
  onsetAt: true,
  deadlines: true,
  title: true,
});
export type AlertSnapshot = z.infer<typeof AlertSnapshot>;

/**
 * A message on the alert-events topic: one audited event plus the alert as it stood when the event was published
 * (which may be a later state than right after the event). Keyed by alert id. Delivery is at least once: a
 * consumer deduplicates by `event.id` and orders by `event.seq`.
 */
export const AlertEventMessage = z.object({
  v: z.literal(1),
  event: AuditEvent,
  alert: AlertSnapshot,
});
export type AlertEventMessage = z.infer<typeof AlertEventMessage>;

/**
 * Elasticsearch index names of the alerter, shared by the alerter, the CLI and the API.
 * @example alertIndices("liaowang-").alerts === "liaowang-alerts"
 */
export function alertIndices(prefix: string): { alerts: string; audit: string; outbox: string; rateWindows: string; ackUses: string } {
  return {
    alerts: `${prefix}alerts`,
    audit: `${prefix}alert-audit`,
    outbox: `${prefix}alert-outbox`,
    rateWindows: `${prefix}alert-rate-windows`,
    // One create-only document per used acknowledge link (keyed by a hash of the token): links are single-use.
    ackUses: `${prefix}alert-ack-uses`,
  };
}
