import { z } from "zod";
import { addDays, beijingDate, beijingDayStart, dayKind, type WorkCalendar } from "./calendar.js";
import { QuietHours, type AlertingConfig, type DepartmentsConfig, type EscalationConfig, type Person } from "./config.js";

const MINUTE = 60_000;
const DAY = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;
/** How far ahead a shift's end is looked for (a monthly rotation with one person still ends within this). */
const LOOKAHEAD_DAYS = 62;

const id = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "ids are letters, digits and . _ -");
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM (24 h, Beijing time)");
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "not a calendar date");

/** The roles of a department's roster, in escalation order: 值班员, 带班（副职）, 部门负责人, 分管领导. */
export const RosterRole = z.enum(["duty", "deputy", "head", "leader"]);
export type RosterRole = z.infer<typeof RosterRole>;

/** zh-CN name of a roster role. */
export function rosterRoleLabel(role: RosterRole): string {
  switch (role) {
    case "duty":
      return "值班员";
    case "deputy":
      return "带班";
    case "head":
      return "部门负责人";
    case "leader":
      return "分管领导";
  }
}

/**
 * One rotation: people take a role in turn, `shiftDays` duty days each, starting with `people[0]` on `from`.
 * `days` limits it to working days or rest days of the official calendar (a 调休 Saturday is a working day), so
 * a department can keep a separate 节假日值班 rotation; only days of that kind are counted in the turn.
 */
export const Rotation = z
  .object({
    role: RosterRole,
    /** Person ids from config/departments.yaml (any department: a 分管领导 usually sits in the government office). */
    people: z.array(id).min(1),
    days: z.enum(["all", "workday", "restday"]).default("all"),
    shiftDays: z.number().int().min(1).max(31).default(1),
    /** The duty date (Beijing) people[0]'s first shift starts, at the department's hand-over time. */
    from: isoDate.optional(),
  })
  .refine((r) => r.people.length === 1 || r.from !== undefined, { message: "a rotation of several people needs `from` (the date people[0] starts)", path: ["from"] });
export type Rotation = z.output<typeof Rotation>;

/** A one-off change of who holds a role on one duty date (换班). */
export const RosterOverride = z.object({
  date: isoDate,
  role: RosterRole,
  person: id,
  note: z.string().max(200).optional(),
});
export type RosterOverride = z.output<typeof RosterOverride>;

/** One department's roster: hand-over time, rotations, swaps, and optionally its own quiet hours. */
export const DepartmentRoster = z.object({
  department: id,
  /** Daily hand-over (交接班) time, Beijing: a duty date runs from its hand-over to the next day's. */
  handover: hhmm.default("08:30"),
  rotations: z.array(Rotation).default([]),
  overrides: z.array(RosterOverride).default([]),
  /** Replaces escalation.yaml's quiet hours for this department's alerts (still never for I/II). */
  quietHours: QuietHours.optional(),
});
export type DepartmentRoster = z.output<typeof DepartmentRoster>;

/**
 * config/roster.yaml: who holds which role of each department when. Roles without a rotation fall back to
 * the people of that role in departments.yaml.
 * @example RosterConfig.parse(yaml.parse(readFileSync("config/roster.yaml", "utf8")))
 */
export const RosterConfig = z
  .object({ departments: z.array(DepartmentRoster).default([]) })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.departments.forEach((d, i) => {
      if (seen.has(d.department)) ctx.addIssue({ code: "custom", path: ["departments", i, "department"], message: `department "${d.department}" has two rosters` });
      seen.add(d.department);
    });
  });
export type RosterConfigInput = z.input<typeof RosterConfig>;
export type RosterConfig = z.output<typeof RosterConfig>;

/**
 * Problems between the roster and departments.yaml: unknown departments and person ids. Empty when they agree.
 * @example const problems = rosterProblems(roster, departments); if (problems.length) throw …
 */
export function rosterProblems(roster: RosterConfig, departments: DepartmentsConfig): string[] {
  const ids = new Set(departments.departments.map((d) => d.id));
  const people = new Set(departments.departments.flatMap((d) => d.people.map((p) => p.id)));
  const problems: string[] = [];
  roster.departments.forEach((d, i) => {
    if (!ids.has(d.department)) problems.push(`departments[${i}]: unknown department "${d.department}" (not in departments.yaml)`);
    d.rotations.forEach((r, j) => {
      for (const p of r.people) if (!people.has(p)) problems.push(`departments[${i}].rotations[${j}]: unknown person "${p}" (not a person in departments.yaml)`);
    });
    d.overrides.forEach((o, j) => {
      if (!people.has(o.person)) problems.push(`departments[${i}].overrides[${j}]: unknown person "${o.person}" (not a person in departments.yaml)`);
    });
  });
  return problems;
}

/** Who holds a role at an instant, and for which shift. */
export interface Holding {
  department: string;
  role: RosterRole;
  personId: string;
  /** The duty date (Beijing) of the shift. */
  dutyDate: string;
  /** When this person's turn started and ends (hand-over instants, ISO-8601 UTC); null for a standing holder. */
  from: string | null;
  until: string | null;
  via: "rotation" | "override";
  note?: string | undefined;
}

function minutesOf(time: string): number {
  const [h, m] = time.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * The duty date an instant belongs to: the Beijing date, or the day before while it is still before that
 * morning's hand-over.
 * @example dutyDateAt(Date.parse("2026-12-02T23:00:00Z"), "08:30") === "2026-12-02" // 12-03 07:00 Beijing, before the hand-over
 */
export function dutyDateAt(t: number, handover: string): string {
  const wall = t + BEIJING_OFFSET_MS;
  const minute = Math.floor((((wall % DAY) + DAY) % DAY) / MINUTE);
  const date = beijingDate(t);
  return minute < minutesOf(handover) ? addDays(date, -1) : date;
}

/** The instant a duty date's shift starts (its hand-over). */
export function handoverAt(dutyDate: string, handover: string): number {
  return beijingDayStart(dutyDate) + minutesOf(handover) * MINUTE;
}

function matches(rotation: Rotation, date: string, calendar: WorkCalendar): boolean {
  return rotation.days === "all" || dayKind(date, calendar) === rotation.days;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/** The person of a rotation on a duty date, or undefined when the rotation does not cover that date. */
function rotationHolder(rotation: Rotation, date: string, calendar: WorkCalendar): string | undefined {
  if (!matches(rotation, date, calendar)) return undefined;
  if (rotation.people.length === 1) return rotation.people[0];
  const from = rotation.from as string;
  const span = daysBetween(from, date);
  if (span < 0) return undefined;
  let n = span;
  if (rotation.days !== "all") {
    // Only days of the rotation's kind take a turn: count them from `from` up to (not including) `date`.
    n = 0;
    for (let d = from; d < date; d = addDays(d, 1)) if (matches(rotation, d, calendar)) n++;
  }
  return rotation.people[Math.floor(n / rotation.shiftDays) % rotation.people.length];
}

function holderOn(roster: DepartmentRoster, role: RosterRole, date: string, calendar: WorkCalendar): { personId: string; via: "rotation" | "override"; note?: string | undefined } | undefined {
  const override = roster.overrides.find((o) => o.date === date && o.role === role);
  if (override) return { personId: override.person, via: "override", note: override.note };
  for (const rotation of roster.rotations) {
    if (rotation.role !== role) continue;
    const personId = rotationHolder(rotation, date, calendar);
    if (personId !== undefined) return { personId, via: "rotation" };
  }
  return undefined;
}

/** Whether the roster decides who holds this role of the department (else departments.yaml's people do). */
export function rosterCovers(roster: RosterConfig, department: string, role: RosterRole): boolean {
  const d = roster.departments.find((r) => r.department === department);
  return d !== undefined && (d.rotations.some((r) => r.role === role) || d.overrides.some((o) => o.role === role));
}

/**
 * Who holds a role of a department at `now` per the roster: an override (换班) for the duty date, else the
 * first rotation of that role covering the date's kind (working day / rest day per the official calendar).
 * Undefined when the roster has nobody for it then.
 * @example holderAt(roster, "emergency", "duty", Date.now(), chineseCalendar())?.personId
 */
export function holderAt(roster: RosterConfig, department: string, role: RosterRole, now: Date | number, calendar: WorkCalendar): Holding | undefined {
  const d = roster.departments.find((r) => r.department === department);
  if (!d) return undefined;
  const t = typeof now === "number" ? now : now.getTime();
  const date = dutyDateAt(t, d.handover);
  const held = holderOn(d, role, date, calendar);
  if (!held) return undefined;
  // The turn started at the first earlier duty date with the same holder, and ends at the next change; a
  // holder unchanged over the whole look-around (a standing head, say) has no start or end to show.
  let first: string | null = date;
  for (let i = 0; first !== null && holderOn(d, role, addDays(first, -1), calendar)?.personId === held.personId; i++) first = i < LOOKAHEAD_DAYS ? addDays(first, -1) : null;
  let end: string | null = addDays(date, 1);
  for (let i = 0; end !== null && holderOn(d, role, end, calendar)?.personId === held.personId; i++) end = i < LOOKAHEAD_DAYS ? addDays(end, 1) : null;
  return {
    department,
    role,
    personId: held.personId,
    dutyDate: date,
    from: first === null ? null : new Date(handoverAt(first, d.handover)).toISOString(),
    until: end === null ? null : new Date(handoverAt(end, d.handover)).toISOString(),
    via: held.via,
    ...(held.note ? { note: held.note } : {}),
  };
}

/**
 * Who receives a department role's notifications at `now`: the roster's holder when the roster covers that
 * role, else undefined so the caller falls back to departments.yaml's people of that role.
 * @example resolveRecipients(specs, alert, departments, rosterHolders(roster, departments, calendar, now))
 */
export function rosterHolders(roster: RosterConfig, departments: DepartmentsConfig, calendar: WorkCalendar, now: Date | number): (department: string, role: RosterRole) => Person[] | undefined {
  const people = new Map(departments.departments.flatMap((d) => d.people.map((p) => [p.id, p] as const)));
  return (department, role) => {
    if (!rosterCovers(roster, department, role)) return undefined;
    const holding = holderAt(roster, department, role, now, calendar);
    const person = holding ? people.get(holding.personId) : undefined;
    return person ? [person] : [];
  };
}

/** The quiet hours that apply to a department's alerts: its roster's, else escalation.yaml's. */
export function quietHoursFor(department: string, roster: RosterConfig | undefined, escalation: EscalationConfig): EscalationConfig["quietHours"] {
  return roster?.departments.find((d) => d.department === department)?.quietHours ?? escalation.quietHours;
}

/**
 * The escalation settings for a department's alerts: escalation.yaml with the department's own quiet hours
 * from the roster, if it has them.
 */
export function escalationFor(department: string, config: AlertingConfig): EscalationConfig {
  const quiet = config.roster?.departments.find((d) => d.department === department)?.quietHours;
  return quiet ? { ...config.escalation, quietHours: quiet } : config.escalation;
}
