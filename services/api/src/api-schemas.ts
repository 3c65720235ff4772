import { z } from "zod";
import { invalidInput } from "@liaowang/errors";
import { AlertState, AuditEvent, FeedPollStatus, Incident, MilestoneKind } from "@liaowang/schemas";
import { Role } from "./auth/roles.js";
import { AlertView } from "./views/alerts.js";
import { StageView } from "./views/stages.js";

const isoDateTime = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(200);
const note = z.string().max(2_000).optional();
const link = z.url({ protocol: /^https?$/ }).max(2_000);

/** Every error body: a code from the shared error taxonomy and a message saying what to do. */
export const ErrorBody = z
  .object({
    error: z.enum(["invalid_input", "not_found", "conflict", "unauthenticated", "forbidden", "unavailable", "internal"]),
    message: z.string(),
  })
  .meta({ id: "Error" });

export const HealthBody = z.object({
  status: z.enum(["ok", "degraded"]),
  elasticsearch: z.enum(["ok", "unavailable"]),
  time: isoDateTime,
  /**
   * Each pipeline stage's consumer lag, live replicas, consumer-group joins / rebalances / abandoned batches, and the
   * offsets it is stuck on or the partitions it stalled on (degraded while any is).
   */
  stages: z.array(StageView).optional(),
  /** The holiday calendar's reach (working-day clocks, roster); `warning` (zh-CN) once it ends within 60 days. */
  calendar: z.object({ coveredUntil: z.string().nullable(), daysLeft: z.number().int(), warning: z.string().nullable() }).optional(),
});

export const MeBody = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(Role),
  department: z.string().optional(),
  departmentName: z.string().optional(),
  /** Only for a session cookie: send it in x-csrf-token on state-changing requests. */
  csrfToken: z.string().optional(),
});

const pageFrom = z.coerce.number().int().min(0).max(10_000).default(0);
const pageSize = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const SearchQuery = z.object({
  // May be empty when a filter narrows the search (the daily brief links to "this topic on this day").
  q: z.string().trim().max(200).default("").describe("Chinese text; segmented by the production segmenter, every word must match; required unless topic, source, region or since is given"),
  source: z.string().max(200).optional(),
  region: z.string().max(100).optional(),
  topic: z.string().max(100).optional(),
  sentiment: z.enum(["positive", "neutral", "negative"]).optional().describe("the document's sentiment label"),
  scope: z
    .string()
    .regex(/^(本地|涉本地|外地|境外|未知)(,(本地|涉本地|外地|境外|未知))*$/, "expected scopes 本地, 涉本地, 外地, 境外, 未知, comma-separated")
    .optional()
    .describe("the post's scope in the jurisdiction, comma-separated (本地,涉本地); posts indexed before scopes were read have none and never match"),
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  from: pageFrom,
  size: pageSize(100, 20),
});

export const SearchBody = z.object({
  query: z.string(),
  terms: z.array(z.string()),
  total: z.number().int(),
  hits: z.array(
    z.object({
      id: z.string(),
      score: z.number().nullable(),
      source: z.string(),
      title: z.string().optional(),
      url: z.string().optional(),
      publishedAt: z.string(),
      highlights: z.object({ title: z.string().optional(), text: z.array(z.string()) }).describe("fragments with <em>…</em> around matches (the text's start when only filters were given); all other text is escaped-as-stored plain text"),
      keywords: z.array(z.string()),
      sentiment: z.string().optional(),
      topics: z.array(z.string()).optional(),
      scope: z.string().optional(),
    }),
  ),
  /** With a scope filter: documents matching everything else that carry no scope (indexed before the field); they cannot match. */
  unscoped: z.number().int().optional().describe("with a scope filter: how many documents match all other conditions but carry no scope (indexed before the scope field; `pnpm liaowang search backfill-scope` fills it in), so no scope filter finds them"),
});

const Dimension = z.enum(["topics", "keywords", "sentiment", "regions", "sources"]);

export const TrendsQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).optional().describe("span in days, bucketed per day (Beijing time); default 7"),
  hours: z.coerce.number().int().min(1).max(24 * 14).optional().describe("span in hours, bucketed per hour; wins over days"),
  q: z.string().trim().max(200).optional().describe("restrict to documents matching this query"),
  top: pageSize(50, 10),
  dimensions: z
    .string()
    .optional()
    .describe("comma-separated subset of topics,keywords,sentiment,regions,sources"),
});

const Series = z.object({ key: z.string(), total: z.number().int(), counts: z.array(z.number().int()) });
export const TrendsBody = z.object({
  since: isoDateTime,
  until: isoDateTime,
  interval: z.enum(["hour", "day"]),
  buckets: z.array(z.string()),
  volume: z.array(z.number().int()),
  total: z.number().int(),
  series: z.object({ topics: z.array(Series).optional(), keywords: z.array(Series).optional(), sentiment: z.array(Series).optional(), regions: z.array(Series).optional(), sources: z.array(Series).optional() }),
});
export { Dimension as TrendDimension };

const LevelFilter = z.enum(["I", "II", "III", "IV", "ungraded"]);

export const IncidentsQuery = z.object({
  status: z.enum(["open", "expired", "merged"]).optional(),
  level: LevelFilter.optional(),
  since: isoDateTime.optional().describe("last activity at or after"),
  scope: z
    .string()
    .regex(/^(本地|涉本地|外地|境外|未知)(,(本地|涉本地|外地|境外|未知))*$/, "expected scopes 本地, 涉本地, 外地, 境外, 未知, comma-separated")
    .optional()
    .describe("scope in the jurisdiction, comma-separated: 外地,境外 is the 外地/境外关注 list"),
  from: pageFrom,
  size: pageSize(200, 50),
});
const IncidentDoc = Incident.meta({ id: "Incident" });
export const IncidentsBody = z.object({ total: z.number().int(), incidents: z.array(IncidentDoc) });

const AuditDoc = AuditEvent.meta({ id: "AuditEvent" });
const AlertDoc = AlertView.meta({ id: "Alert" });

export const IncidentBody = z.object({ now: isoDateTime, incident: IncidentDoc, alert: AlertDoc.nullable(), audit: z.array(AuditDoc) });

export const AlertsQuery = z.object({
  state: z
    .string()
    .optional()
    .describe("comma-separated states (new,acknowledged,handling,responded,closed,dismissed); default: the live ones"),
  department: z.string().max(100).optional().describe("responsible or co-notified department id"),
  level: LevelFilter.optional(),
  overdue: z.enum(["true", "false"]).optional().describe("only alerts with an overdue running clock"),
  limit: pageSize(2_000, 500),
});

export const AlertsBody = z.object({ now: isoDateTime, total: z.number().int(), alerts: z.array(AlertDoc) });
export const AlertBody = z.object({ now: isoDateTime, alert: AlertDoc, audit: z.array(AuditDoc), incident: IncidentDoc.nullable() });
export const TransitionResult = z.object({ now: isoDateTime, alert: AlertDoc });

/** A lifecycle transition or recorded fact; the actor is always the signed-in user. */
export const TransitionRequest = z
  .discriminatedUnion("action", [
    z.object({ action: z.literal("acknowledge"), note }).describe("new → acknowledged (研判中)"),
    z.object({ action: z.literal("start_handling"), note }).describe("new/acknowledged → handling (处置中)"),
    z
      .object({ action: z.literal("respond"), link: link.optional(), publishedAt: isoDateTime.optional(), note })
      .describe("→ responded (已回应): authoritative information published, with its link and time (default now); stops the 5 h / 48 h clocks"),
    z.object({ action: z.literal("close"), note }).describe("responded → closed"),
    z.object({ action: z.literal("dismiss"), reason: z.string().trim().min(1).max(2_000) }).describe("→ dismissed (误报), reason required"),
    z.object({ action: z.literal("reraise"), note }).describe("dismissed → new"),
    z
      .object({ action: z.literal("record_milestone"), kind: MilestoneKind, at: isoDateTime, link: link.optional(), note })
      .describe("information published / press conference held at a time; stops the matching clocks"),
    z.object({ action: z.literal("correct_onset"), onsetAt: isoDateTime, reason: z.string().trim().min(1).max(2_000) }).describe("correct the onset (首发) the clocks count from"),
  ])
  .meta({ id: "TransitionRequest" });
export type TransitionRequest = z.infer<typeof TransitionRequest>;

export const DepartmentsBody = z.object({
  departments: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      parent: z.string().optional(),
      jurisdiction: z.array(z.string()),
      topics: z.array(z.string()),
      keywords: z.array(z.string()),
      people: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })),
    }),
  ),
  routing: z.object({ default: z.string(), coNotifyMajor: z.array(z.string()) }),
});

export const AuditQuery = z.object({
  alertId: id.optional(),
  incidentId: id.optional(),
  actor: id.optional(),
  type: z.string().max(50).optional(),
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  from: pageFrom,
  size: pageSize(500, 100),
});
export const AuditBody = z.object({ total: z.number().int(), events: z.array(AuditDoc) });

export const IdParams = z.object({ id });

/** Parse the `state` list of the alerts query. */
export function parseStates(text: string | undefined): AlertState[] | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  return text.split(",").map((s) => {
    const parsed = AlertState.safeParse(s.trim());
    if (!parsed.success) throw invalidInput(`state: "${s}" is not one of ${AlertState.options.join(", ")}`);
    return parsed.data;
  });
}

/** Response effectiveness of one department over a period (问责), as the alerter computes it. */
export const DepartmentAccountability = z.object({
  department: z.string(),
  alerts: z.number().int(),
  acknowledged: z.number().int(),
  timeToAcknowledgeMs: z.object({ mean: z.number(), median: z.number(), p90: z.number(), max: z.number() }).nullable(),
  lateAcknowledgements: z.number().int(),
  unacknowledgedNow: z.number().int(),
  deadlines: z.object({
    met: z.number().int(),
    metLate: z.number().int(),
    missed: z.number().int(),
    overdueNow: z.number().int(),
    running: z.number().int(),
    // Optional: an alerter older than this field does not send it.
    backdated: z.number().int().optional().describe("milestones claiming a time within the deadline but recorded after it (counted late)"),
  }),
  dismissed: z.number().int(),
  reraised: z.number().int(),
});

export const AccountabilityQuery = z.object({
  from: isoDateTime.optional().describe("alerts opened at or after; default 30 days ago"),
  to: isoDateTime.optional().describe("alerts opened before; default now"),
});
export const AccountabilityBody = z.object({ from: z.string(), to: z.string(), departments: z.array(DepartmentAccountability.extend({ departmentName: z.string() })) });

/** One notification of an alert to one target (from the alerter's outbox); errors stay in the alerter's log. */
export const Delivery = z.object({
  id: z.string(),
  idempotencyKey: z.string().describe("alert, generation and item (new, reminder, escalation step, regrade)"),
  channel: z.string(),
  targetId: z.string(),
  state: z.enum(["pending", "sending", "sent", "failed", "dead"]),
  attempts: z.number().int(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export const DeliveriesBody = z.object({ alertId: z.string(), deliveries: z.array(Delivery) });

/** One source's feed health, from the detector's flatline check. */
export const SourceHealth = z
  .object({
    source: z.string(),
    lastSeenAt: isoDateTime.describe("when the detector last received a post from the source (processing time)"),
    normalGapMs: z.number().int().nullable().describe("the learned normal gap between deliveries (or the configured one); null while the detector is still learning it"),
    count: z.number().int().describe("posts received, over all detector replicas"),
    silent: z.boolean().describe("the detector flagged the source as gone silent (more than 3× its normal gap, at least 15 min)"),
    silentSince: isoDateTime.optional().describe("when the detector flagged the silence; only when silent"),
    silentForMs: z.number().int().describe("time since the last post"),
  })
  .meta({ id: "SourceHealth" });
export const SourcesBody = z.object({
  now: isoDateTime,
  updatedAt: isoDateTime.nullable().describe("when a detector replica last saved its state; null before it first did (then sources is empty)"),
  sources: z.array(SourceHealth),
  // Added for issue 11 (optional, so older clients and answers still match): each polled feed's latest poll,
  // mislabelled ones first, so a feed whose charset label is wrong or missing stands out.
  feeds: z
    .array(FeedPollStatus.meta({ id: "FeedPoll" }))
    .optional()
    .describe("each polled feed's latest poll as ingest recorded it; mislabelled or failing feeds first"),
});
