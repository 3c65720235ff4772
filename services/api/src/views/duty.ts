import { beijingDate, calendarCoverage, holderAt, RosterRole, rosterCovers, rosterRoleLabel, type DepartmentsConfig, type RosterConfig, type WorkCalendar } from "@liaowang/alerting";
import { z } from "zod";

/** Who holds one role of a department now. */
export const DutyHolder = z.object({
  role: RosterRole,
  roleLabel: z.string(),
  people: z.array(z.object({ id: z.string(), name: z.string() })),
  /** "roster": config/roster.yaml decides (one person, with the shift); "departments": everyone of that role in departments.yaml. */
  source: z.enum(["roster", "departments"]),
  from: z.string().nullable(),
  until: z.string().nullable(),
  via: z.enum(["rotation", "override"]).nullable(),
  note: z.string().nullable(),
});

/** GET /api/v1/duty: the duty board's strip of who is on duty, and today in the official calendar. */
export const DutyBody = z.object({
  now: z.string(),
  today: z.object({ date: z.string(), workday: z.boolean(), name: z.string().nullable(), covered: z.boolean() }),
  /** How far the official holiday data reaches; `warning` (zh-CN) once it ends within 60 days. */
  calendar: z.object({ coveredUntil: z.string().nullable(), daysLeft: z.number().int(), warning: z.string().nullable() }),
  departments: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      handover: z.string().nullable(),
      holders: z.array(DutyHolder),
    }),
  ),
});
export type DutyBody = z.infer<typeof DutyBody>;

/**
 * Who is on duty in each department at `now`: the roster's holder of each role, else departments.yaml's people
 * of that role; departments with nobody in any role are left out.
 * @example dutyBoard(departments, roster, chineseCalendar(), Date.now()).departments[0].holders
 */
export function dutyBoard(departments: DepartmentsConfig, roster: RosterConfig | undefined, calendar: WorkCalendar, now: number, only?: string): DutyBody {
  const people = new Map(departments.departments.flatMap((d) => d.people.map((p) => [p.id, p] as const)));
  const today = beijingDate(now);
  const out: DutyBody["departments"] = [];
  for (const department of departments.departments) {
    if (only !== undefined && department.id !== only) continue;
    const holders: z.infer<typeof DutyHolder>[] = [];
    for (const role of RosterRole.options) {
      if (roster && rosterCovers(roster, department.id, role)) {
        const holding = holderAt(roster, department.id, role, now, calendar);
        const person = holding ? people.get(holding.personId) : undefined;
        holders.push({
          role,
          roleLabel: rosterRoleLabel(role),
          people: person ? [{ id: person.id, name: person.name }] : [],
          source: "roster",
          from: holding?.from ?? null,
          until: holding?.until ?? null,
          via: holding?.via ?? null,
          note: holding?.note ?? null,
        });
        continue;
      }
      const staff = department.people.filter((p) => p.role === role);
      if (staff.length > 0) holders.push({ role, roleLabel: rosterRoleLabel(role), people: staff.map((p) => ({ id: p.id, name: p.name })), source: "departments", from: null, until: null, via: null, note: null });
    }
    if (holders.length === 0) continue;
    out.push({ id: department.id, name: department.name, handover: roster?.departments.find((r) => r.department === department.id)?.handover ?? null, holders });
  }
  return {
    now: new Date(now).toISOString(),
    today: { date: today, workday: calendar.isWorkday(today), name: calendar.dayName(today) ?? null, covered: calendar.covers(Number(today.slice(0, 4))) },
    calendar: (({ coveredUntil, daysLeft, warning }) => ({ coveredUntil, daysLeft, warning }))(calendarCoverage(calendar, now)),
    departments: out,
  };
}
