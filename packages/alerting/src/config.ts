import { z } from "zod";
import type { AlertLevel } from "@liaowang/schemas";
import type { WorkCalendar } from "./calendar.js";
import { durationMs } from "./duration.js";
import type { RosterConfig } from "./roster.js";

const HOUR = 3_600_000;
const MINUTE = 60_000;

const id = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "ids are letters, digits and . _ -");

/** A grade as config writes it: I, II, III, IV or ungraded. */
export const LevelName = z.enum(["I", "II", "III", "IV", "ungraded"]);
export type LevelName = z.infer<typeof LevelName>;

/** The config name of a level. */
export function levelName(level: AlertLevel): LevelName {
  return level ?? "ungraded";
}

/** True for 特别重大 / 重大: the 5 h / 24 h clocks, co-notification, and never held by quiet hours. */
export function isMajor(level: AlertLevel): boolean {
  return level === "I" || level === "II";
}

/**
 * Who inside a department is told: its group targets (robots, webhooks), or people of one role; the roster
 * (config/roster.yaml) decides who holds a role at the moment, else departments.yaml's people of that role.
 */
export const Audience = z.enum(["group", "duty", "deputy", "head", "leader"]);
export type Audience = z.infer<typeof Audience>;

/**
 * Where a notification goes: the responsible department, the co-notified ones (I/II), the responsible
 * department's parent, or a named department; and which audience in it.
 */
export const RecipientSpec = z.object({
  department: z.union([z.enum(["responsible", "co", "parent"]), id]),
  audience: Audience.default("group"),
});
export type RecipientSpec = z.infer<typeof RecipientSpec>;

/** A person who can be notified directly (email / SMS) and acknowledge. */
export const Person = z.object({
  id,
  name: z.string().min(1),
  /** The role this person holds when the roster does not say otherwise (deputy: 带班副职). */
  role: z.enum(["duty", "deputy", "head", "leader"]),
  email: z.email().optional(),
  mobile: z.string().regex(/^\+?\d{6,15}$/, "expected a phone number of digits, optionally with a leading +").optional(),
});
export type Person = z.infer<typeof Person>;

/** A department: what it answers for (topics, keywords, jurisdiction), who is in it, and its group targets. */
export const Department = z.object({
  id,
  name: z.string().min(1),
  /** The higher-level department escalations to "parent" go to. */
  parent: id.optional(),
  /** Region names or GB/T 2260 codes it is competent for; empty means every region this deployment covers. */
  jurisdiction: z.array(z.string().min(1)).default([]),
  topics: z.array(z.string().min(1)).default([]),
  keywords: z.array(z.string().min(1)).default([]),
  /** Notify target ids (config/notify.yaml) that group messages go to. */
  targets: z.array(id).default([]),
  people: z.array(Person).default([]),
});
export type Department = z.infer<typeof Department>;

/**
 * config/departments.yaml: departments, the default department, and the departments co-notified for I/II
 * (宣传、网信、公安、通信管理).
 * @example DepartmentsConfig.parse(yaml.parse(readFileSync("config/departments.yaml", "utf8")))
 */
export const DepartmentsConfig = z
  .object({
    departments: z.array(Department).min(1),
    routing: z.object({
      /** Who answers when no department matches (usually the government office 政府办公室). */
      default: id,
      coNotifyMajor: z.array(id).default([]),
    }),
  })
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    const people = new Set<string>();
    config.departments.forEach((d, i) => {
      if (ids.has(d.id)) ctx.addIssue({ code: "custom", path: ["departments", i, "id"], message: `duplicate department id "${d.id}"` });
      ids.add(d.id);
      d.people.forEach((p, j) => {
        if (people.has(p.id)) ctx.addIssue({ code: "custom", path: ["departments", i, "people", j, "id"], message: `duplicate person id "${p.id}"` });
        people.add(p.id);
      });
    });
    config.departments.forEach((d, i) => {
      if (d.parent !== undefined && !ids.has(d.parent)) ctx.addIssue({ code: "custom", path: ["departments", i, "parent"], message: `unknown parent department "${d.parent}"` });
    });
    if (!ids.has(config.routing.default)) ctx.addIssue({ code: "custom", path: ["routing", "default"], message: `unknown department "${config.routing.default}"` });
    config.routing.coNotifyMajor.forEach((c, i) => {
      if (!ids.has(c)) ctx.addIssue({ code: "custom", path: ["routing", "coNotifyMajor", i], message: `unknown department "${c}"` });
    });
  });
export type DepartmentsConfigInput = z.input<typeof DepartmentsConfig>;
export type DepartmentsConfig = z.output<typeof DepartmentsConfig>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM (24 h)");

/** Quiet hours: notifications of the listed levels wait until `end`. I and II are never held back. */
export const QuietHours = z.object({
  start: hhmm,
  end: hhmm,
  /** Offset of the wall clock from UTC; Beijing time (UTC+8, no DST) by default. */
  utcOffsetMinutes: z.number().int().min(-720).max(840).default(480),
  levels: z
    .array(LevelName)
    .default(["III", "IV", "ungraded"])
    .refine((levels) => !levels.includes("I") && !levels.includes("II"), "quiet hours never hold back I or II alerts"),
});
export type QuietHours = z.output<typeof QuietHours>;

/** A reminder point relative to each running deadline: "-2h" is two hours before, "0" the moment it is overdue. */
export const ReminderPoint = z.object({
  at: z.union([durationMs, z.literal(0), z.literal("0").transform(() => 0)]),
  label: z.string().min(1).optional(),
});
export type ReminderPoint = z.output<typeof ReminderPoint>;

/** One escalation step: fires after the alert stayed unacknowledged for `after`, or `beforeDeadline` ahead of a running deadline. */
export const EscalationStep = z
  .object({
    id,
    after: durationMs.optional(),
    beforeDeadline: durationMs.optional(),
    /** Which clocks a deadline step watches; all by default. */
    clocks: z.array(z.enum(["authoritative_info", "press_conference", "response", "policy_interpretation"])).optional(),
    notify: z.array(RecipientSpec).min(1),
  })
  .refine((s) => (s.after === undefined) !== (s.beforeDeadline === undefined), "give exactly one of after or beforeDeadline")
  .refine((s) => (s.after ?? 0) >= 0 && (s.beforeDeadline ?? 0) >= 0, "after and beforeDeadline are positive durations");
export type EscalationStep = z.output<typeof EscalationStep>;

/** PagerDuty-style ordered steps for some levels; the whole sequence repeats `repeat.times` more times, `repeat.every` apart. */
export const EscalationPolicy = z.object({
  id,
  levels: z.array(LevelName).min(1),
  steps: z.array(EscalationStep).min(1),
  repeat: z.object({ times: z.number().int().min(0).max(20), every: durationMs }).optional(),
});
export type EscalationPolicy = z.output<typeof EscalationPolicy>;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The daily digest in config/escalation.yaml (`digest:`); absent means no digest. The schedule's syntax is
 * checked by the service (node-cron), this schema only its shape.
 * @example DigestSettings.parse({ schedule: "0 8 * * *", timezone: "Asia/Shanghai", audience: "head" })
 */
export const DigestSettings = z.object({
  /** node-cron expression (5 or 6 fields), read in `timezone`. */
  schedule: z.string().min(1),
  timezone: z.string().default("Asia/Shanghai").refine(isTimeZone, "expected an IANA time zone, e.g. Asia/Shanghai"),
  /** Who in each department receives it: its group targets, or its head(s) by email / SMS. */
  audience: z.enum(["head", "group"]).default("group"),
});
export type DigestSettings = z.output<typeof DigestSettings>;

/**
 * config/escalation.yaml: statutory clock spans, reminder points, quiet hours, escalation policies,
 * the re-raise rule and accountability targets. Every key has the statutory or a sensible default.
 */
export const EscalationConfig = z
  .object({
    clocks: z
      .object({
        authoritativeInfo: durationMs.optional(),
        pressConference: durationMs.optional(),
        response: durationMs.optional(),
      })
      .prefault({})
      .transform((c) => ({
        // 国办发〔2016〕80号 (5 h), 61号/80号 (24 h), 61号 (48 h).
        authoritativeInfo: c.authoritativeInfo ?? 5 * HOUR,
        pressConference: c.pressConference ?? 24 * HOUR,
        response: c.response ?? 48 * HOUR,
      })),
    reminders: z
      .object({
        points: z.array(ReminderPoint).optional(),
        notify: z.array(RecipientSpec).optional(),
      })
      .prefault({})
      .transform((r) => ({
        points: r.points ?? [
          { at: -2 * HOUR, label: "T-2h" },
          { at: -30 * MINUTE, label: "T-30m" },
          { at: 0, label: "overdue" },
        ],
        notify: r.notify ?? [
          { department: "responsible", audience: "group" as const },
          { department: "responsible", audience: "duty" as const },
        ],
      })),
    /** Who is told when an alert opens, is re-raised or regraded; "co" is empty below II. */
    onOpen: z
      .array(RecipientSpec)
      .optional()
      .transform(
        (v) =>
          v ?? [
            { department: "responsible", audience: "group" as const },
            { department: "responsible", audience: "duty" as const },
            { department: "co", audience: "group" as const },
          ],
      ),
    quietHours: QuietHours.optional(),
    policies: z.array(EscalationPolicy).default([]),
    reraise: z
      .object({ volumeFactor: z.number().min(1).default(2), minNewDocuments: z.number().int().min(1).default(5) })
      .prefault({}),
    /** Acknowledging later than this after an alert is raised counts as late (accountability). */
    ackTarget: durationMs.optional().transform((v) => v ?? 30 * MINUTE),
    /**
     * How long an acknowledge link stays valid. Short on purpose (a forwarded mail or a group's history should not
     * hold a working link for days); every reminder and escalation sends a fresh one.
     */
    ackLinkTtl: durationMs
      .optional()
      .transform((v) => v ?? 12 * HOUR)
      .refine((v) => v <= 72 * HOUR, "expected at most 72h: acknowledge links are short-lived (reminders send fresh ones)"),
    /** The daily digest per department; none when absent. */
    digest: DigestSettings.optional(),
  })
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    config.policies.forEach((p, i) => {
      if (ids.has(p.id)) ctx.addIssue({ code: "custom", path: ["policies", i, "id"], message: `duplicate policy id "${p.id}"` });
      ids.add(p.id);
      const steps = new Set<string>();
      p.steps.forEach((s, j) => {
        if (steps.has(s.id)) ctx.addIssue({ code: "custom", path: ["policies", i, "steps", j, "id"], message: `duplicate step id "${s.id}"` });
        steps.add(s.id);
      });
    });
    const labels = new Set<string>();
    config.reminders.points.forEach((p, i) => {
      if (p.at > 0) ctx.addIssue({ code: "custom", path: ["reminders", "points", i, "at"], message: "reminder points are at or before the deadline (e.g. -2h, -30m, 0)" });
      const label = reminderLabel(p);
      if (labels.has(label)) ctx.addIssue({ code: "custom", path: ["reminders", "points", i], message: `duplicate reminder point "${label}"` });
      labels.add(label);
    });
  });
export type EscalationConfigInput = z.input<typeof EscalationConfig>;
export type EscalationConfig = z.output<typeof EscalationConfig>;

/** The stable label of a reminder point (part of its idempotency key). */
export function reminderLabel(point: ReminderPoint): string {
  return point.label ?? (point.at === 0 ? "overdue" : `T${point.at}ms`);
}

/** Everything the alerting domain needs from config. */
export interface AlertingConfig {
  departments: DepartmentsConfig;
  escalation: EscalationConfig;
  /** config/roster.yaml: who holds which role when, and per-department quiet hours; absent = departments.yaml's people. */
  roster?: RosterConfig | undefined;
  /** The official working-day calendar (holidays and 调休) the roster and working-day clocks use. */
  calendar?: WorkCalendar | undefined;
}
