import { describe, expect, it } from "vitest";
import type { Alert } from "@liaowang/schemas";
import { chineseCalendar } from "./calendar.js";
import { DepartmentsConfig, EscalationConfig, type AlertingConfig } from "./config.js";
import { HolidaysConfig } from "./holidays.js";
import { openAlert } from "./lifecycle.js";
import { resolveRecipients } from "./recipients.js";
import { escalationFor, holderAt, RosterConfig, rosterHolders, rosterProblems, type RosterConfigInput } from "./roster.js";
import { dueItems } from "./schedule.js";
import { departmentsInput, escalationInput, sampleIncident } from "./testing/fixtures.js";

const calendar = chineseCalendar();
/** Beijing wall time → instant. */
const bj = (text: string) => Date.parse(`${text}+08:00`);

const people = [
  { id: "p-a", name: "甲", role: "duty" as const, mobile: "13900000001" },
  { id: "p-b", name: "乙", role: "duty" as const, mobile: "13900000002" },
  { id: "p-c", name: "丙", role: "duty" as const, mobile: "13900000003" },
  { id: "p-h1", name: "节假日甲", role: "duty" as const, mobile: "13900000004" },
  { id: "p-h2", name: "节假日乙", role: "duty" as const, mobile: "13900000005" },
  { id: "p-dep1", name: "副局长一", role: "deputy" as const, mobile: "13900000006" },
  { id: "p-dep2", name: "副局长二", role: "deputy" as const, mobile: "13900000007" },
];
const departments = DepartmentsConfig.parse({
  ...departmentsInput,
  departments: departmentsInput.departments.map((d) => (d.id === "emergency" ? { ...d, people: [...(d.people ?? []), ...people] } : d)),
});

const rosterInput: RosterConfigInput = {
  departments: [
    {
      department: "emergency",
      handover: "08:30",
      rotations: [
        { role: "duty", days: "workday", from: "2026-09-28", people: ["p-a", "p-b", "p-c"] },
        { role: "duty", days: "restday", from: "2026-09-26", people: ["p-h1", "p-h2"] },
        { role: "deputy", shiftDays: 7, from: "2026-09-28", people: ["p-dep1", "p-dep2"] },
        { role: "head", people: ["p-em-head"] },
        { role: "leader", people: ["p-office-head"] },
      ],
      overrides: [{ date: "2026-10-12", role: "duty", person: "p-c", note: "与甲换班" }],
    },
    { department: "kunshan-emergency", handover: "00:00", rotations: [{ role: "duty", from: "2026-12-01", people: ["p-ks-duty", "p-a"] }] },
  ],
};
const roster = RosterConfig.parse(rosterInput);
const duty = (t: number, department = "emergency") => holderAt(roster, department, "duty", t, calendar)?.personId;

describe("duty roster with the official calendar", () => {
  it("turns the working-day rotation on working days only, hand-over at 08:30", () => {
    expect(duty(bj("2026-09-28T09:00:00"))).toBe("p-a"); // Monday
    expect(duty(bj("2026-09-29T08:29:00"))).toBe("p-a"); // before Tuesday's hand-over: still Monday's shift
    expect(duty(bj("2026-09-29T08:30:00"))).toBe("p-b");
    expect(duty(bj("2026-09-30T12:00:00"))).toBe("p-c");
    expect(duty(bj("2026-10-08T12:00:00"))).toBe("p-a"); // the holiday week took no turns
  });

  it("puts the holiday rotation on duty on a public holiday that falls on a weekday", () => {
    // 2026-10-01 is a Thursday, 国庆节. Rest days since 09-26: 09-26, 09-27 (中秋), then 10-01 is the third.
    expect(duty(bj("2026-10-01T12:00:00"))).toBe("p-h1");
    expect(duty(bj("2026-10-02T12:00:00"))).toBe("p-h2");
    const holding = holderAt(roster, "emergency", "duty", bj("2026-10-01T12:00:00"), calendar);
    expect(holding).toMatchObject({ dutyDate: "2026-10-01", via: "rotation", from: "2026-10-01T00:30:00.000Z", until: "2026-10-02T00:30:00.000Z" });
  });

  it("puts the working-day rotation on duty on a 调休 Saturday", () => {
    // 2026-10-10 is a Saturday made a working day; working days since 09-28: 09-28 a, 09-29 b, 09-30 c, 10-08 a, 10-09 b, 10-10 c.
    expect(duty(bj("2026-10-10T10:00:00"))).toBe("p-c");
    // The Sunday after is an ordinary rest day again.
    expect(holderAt(roster, "emergency", "duty", bj("2026-10-11T10:00:00"), calendar)?.personId).toMatch(/^p-h/);
  });

  it("follows config/holidays.yaml in a year the package does not cover: a 调休 Saturday takes the working-day rotation", () => {
    const withConfig = chineseCalendar(HolidaysConfig.parse({ years: [{ year: 2027, holidays: [{ name: "元旦", from: "2027-01-01", to: "2027-01-03" }], workdays: [{ name: "元旦", date: "2027-01-09" }] }] }));
    const on = (t: number, cal = withConfig) => holderAt(roster, "emergency", "duty", t, cal)?.personId;
    expect(on(bj("2027-01-01T12:00:00"))).toMatch(/^p-h/); // configured holiday (a Friday)
    expect(on(bj("2027-01-09T12:00:00"))).toMatch(/^p-[abc]$/); // configured 调休 Saturday
    // Without the config, 2027 counts Monday–Friday: Friday 01-01 is a working day and Saturday 01-09 is not.
    expect(on(bj("2027-01-01T12:00:00"), calendar)).toMatch(/^p-[abc]$/);
    expect(on(bj("2027-01-09T12:00:00"), calendar)).toMatch(/^p-h/);
  });

  it("hands over at midnight when the department's hand-over is 00:00", () => {
    expect(duty(bj("2026-12-02T23:59:59"), "kunshan-emergency")).toBe("p-a");
    expect(duty(bj("2026-12-03T00:00:00"), "kunshan-emergency")).toBe("p-ks-duty");
    expect(holderAt(roster, "kunshan-emergency", "duty", bj("2026-12-03T00:00:00"), calendar)).toMatchObject({ from: "2026-12-02T16:00:00.000Z", until: "2026-12-03T16:00:00.000Z" });
  });

  it("shows no start or end for a standing holder", () => {
    expect(holderAt(roster, "emergency", "head", bj("2026-10-04T10:00:00"), calendar)).toMatchObject({ personId: "p-em-head", from: null, until: null });
  });

  it("applies a swap (换班) for one duty date", () => {
    expect(holderAt(roster, "emergency", "duty", bj("2026-10-12T10:00:00"), calendar)).toMatchObject({ personId: "p-c", via: "override", note: "与甲换班" });
  });

  it("keeps a weekly rotation for seven days and reports the whole turn", () => {
    expect(holderAt(roster, "emergency", "deputy", bj("2026-10-04T10:00:00"), calendar)).toMatchObject({ personId: "p-dep1", from: "2026-09-28T00:30:00.000Z", until: "2026-10-05T00:30:00.000Z" });
    expect(holderAt(roster, "emergency", "deputy", bj("2026-10-05T10:00:00"), calendar)?.personId).toBe("p-dep2");
  });

  it("names unknown departments and people", () => {
    const bad = RosterConfig.parse({ departments: [{ department: "nowhere", rotations: [{ role: "duty", people: ["p-ghost"] }] }] });
    expect(rosterProblems(bad, departments)).toEqual([
      'departments[0]: unknown department "nowhere" (not in departments.yaml)',
      'departments[0].rotations[0]: unknown person "p-ghost" (not a person in departments.yaml)',
    ]);
    expect(rosterProblems(roster, departments)).toEqual([]);
    expect(() => RosterConfig.parse({ departments: [{ department: "x", rotations: [{ role: "duty", people: ["a", "b"] }] }] })).toThrow(/needs `from`/);
  });
});

describe("notifications follow the roster", () => {
  const config: AlertingConfig = { departments, escalation: EscalationConfig.parse(escalationInput), roster, calendar };
    const city = [{ code: "320500", name: "苏州市", province: "江苏省", level: "city" as const }];
  const major = (at: number): Alert => openAlert(sampleIncident({ level: "II", regions: city, onsetAt: new Date(at - 60_000).toISOString() }), config, at).alert;

  it("sends duty notices to whoever is on duty at that moment, not to every duty person", () => {
    const at = bj("2026-10-10T10:00:00"); // 调休 Saturday: p-c
    const alert = major(at);
    const recipients = resolveRecipients([{ department: "responsible", audience: "duty" }], alert, departments, rosterHolders(roster, departments, calendar, at));
    expect(recipients.map((r) => r.ackAs)).toEqual(["p-c"]);
    const holiday = resolveRecipients([{ department: "responsible", audience: "duty" }], alert, departments, rosterHolders(roster, departments, calendar, bj("2026-10-01T12:00:00")));
    expect(holiday.map((r) => r.ackAs)).toEqual(["p-h1"]);
  });

  it("sends each escalation step to the holder of that step's role when it fires", () => {
    const at = bj("2026-10-04T10:00:00");
    const alert = major(at);
    const holders = rosterHolders(roster, departments, calendar, at + 20 * 60_000);
    expect(resolveRecipients([{ department: "responsible", audience: "deputy" }], alert, departments, holders).map((r) => r.ackAs)).toEqual(["p-dep1"]);
    expect(resolveRecipients([{ department: "responsible", audience: "head" }], alert, departments, holders).map((r) => r.ackAs)).toEqual(["p-em-head", "p-em-head"]); // SMS and email
    expect(resolveRecipients([{ department: "parent", audience: "leader" }], alert, departments, holders)).toEqual([]); // gov-office has no roster and no leader
    expect(resolveRecipients([{ department: "responsible", audience: "leader" }], alert, departments, holders).map((r) => r.ackAs)).toEqual(["p-office-head"]);
  });

  it("falls back to departments.yaml's people of a role the roster does not cover", () => {
    const alert = major(bj("2026-10-04T10:00:00"));
    const holders = rosterHolders(RosterConfig.parse({ departments: [] }), departments, calendar, Date.now());
    expect(resolveRecipients([{ department: "responsible", audience: "deputy" }], alert, departments, holders).map((r) => r.ackAs)).toEqual(["p-dep1", "p-dep2"]);
  });

  it("holds III/IV notices for the department's own quiet hours, never I/II", () => {
    const quiet = RosterConfig.parse({ departments: [{ department: "emergency", quietHours: { start: "20:00", end: "08:30" } }] });
    const cfg: AlertingConfig = { ...config, roster: quiet };
    expect(escalationFor("emergency", cfg).quietHours).toMatchObject({ start: "20:00", end: "08:30" });
    expect(escalationFor("education", cfg).quietHours).toMatchObject({ start: "22:00", end: "07:00" });
    const at = bj("2026-12-02T21:00:00"); // quiet for emergency (from 20:00), not yet for the global 22:00
    const minor = openAlert(sampleIncident({ level: "IV", regions: city, onsetAt: new Date(at - 60_000).toISOString() }), cfg, at).alert;
    expect(dueItems(minor, escalationFor(minor.department, cfg), at).send).toEqual([]);
    expect(minor.nextDueAt).toBe(new Date(bj("2026-12-03T08:30:00")).toISOString());
    const serious = major(at);
    expect(dueItems(serious, escalationFor(serious.department, cfg), at).send.map((i) => i.kind)).toEqual(["new"]);
    expect(() => RosterConfig.parse({ departments: [{ department: "emergency", quietHours: { start: "20:00", end: "08:30", levels: ["II", "III"] } }] })).toThrow(/never hold back I or II/);
  });
});
