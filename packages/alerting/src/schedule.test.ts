import { describe, expect, it } from "vitest";
import type { Alert } from "@liaowang/schemas";
import { applyCommand, openAlert, type AlertCommand } from "./lifecycle.js";
import { dueItems, planItems } from "./schedule.js";
import { inQuietHours, quietEndAfter, sendTime } from "./quiet-hours.js";
import { QuietHours, type AlertingConfig } from "./config.js";
import { sampleIncident, testConfig } from "./testing/fixtures.js";

const MIN = 60_000;
const H = 60 * MIN;
const config = testConfig();
/** 2024-05-01 10:00 Beijing. */
const onset = Date.parse("2024-05-01T02:00:00.000Z");

interface Sent {
  at: number;
  key: string;
  kind: string;
}

/**
 * Drive an alert through simulated time the way the alerter's scan does: every `stepMs`, enqueue what is due
 * and record it as notified; `actions` happen at their instants. Skipped spans model a stopped alerter.
 */
function simulate(start: Alert, from: number, to: number, options: { stepMs?: number; actions?: [number, AlertCommand][]; down?: [number, number][]; cfg?: AlertingConfig } = {}) {
  const cfg = options.cfg ?? config;
  const step = options.stepMs ?? MIN;
  const actions = [...(options.actions ?? [])];
  let alert = start;
  const sent: Sent[] = [];
  const superseded: string[] = [];
  for (let t = from; t <= to; t += step) {
    for (const [at, command] of actions.filter(([at]) => at <= t)) {
      alert = applyCommand(alert, command, cfg, at).alert;
      actions.splice(actions.indexOf(actions.find((a) => a[0] === at && a[1] === command) as [number, AlertCommand]), 1);
    }
    if (options.down?.some(([a, b]) => t >= a && t < b)) continue;
    const due = dueItems(alert, cfg.escalation, t);
    for (const item of due.send) sent.push({ at: t, key: item.key, kind: item.kind });
    superseded.push(...due.superseded.map((i) => i.key));
    const iso = new Date(t).toISOString();
    alert = applyCommand(alert, { type: "notified", items: [...due.send.map((i) => ({ key: i.key, at: iso, outcome: "enqueued" as const })), ...due.superseded.map((i) => ({ key: i.key, at: iso, outcome: "superseded" as const }))] }, cfg, t).alert;
  }
  return { alert, sent, superseded };
}

const rel = (sent: Sent[]) => sent.map((s) => [`${(s.at - onset) / MIN}m`, s.key.replace(/^alert-inc-0001:g\d+:/, "")]);

describe("reminder and escalation schedule over 24 h of simulated time", () => {
  it("for an unacknowledged II alert: opening notice, escalations repeated, reminders at T-2h, T-30m and overdue, each exactly once", () => {
    const t0 = onset + 10 * MIN;
    const { alert } = openAlert(sampleIncident(), config, t0);
    const { sent } = simulate(alert, t0, onset + 25 * H);
    expect(rel(sent)).toEqual([
      ["10m", "new"],
      ["20m", "esc:major:duty:c0:2024-05-01T02:20:00.000Z"],
      ["30m", "esc:major:head:c0:2024-05-01T02:30:00.000Z"],
      ["50m", "esc:major:duty:c1:2024-05-01T02:50:00.000Z"],
      ["60m", "esc:major:head:c1:2024-05-01T03:00:00.000Z"],
      ["180m", "reminder:authoritative_info:T-2h:2024-05-01T07:00:00.000Z"],
      ["240m", "esc:major:parent-before-deadline:authoritative_info:2024-05-01T07:00:00.000Z:c0"],
      ["270m", "esc:major:parent-before-deadline:authoritative_info:2024-05-01T07:00:00.000Z:c1"],
      ["270m", "reminder:authoritative_info:T-30m:2024-05-01T07:00:00.000Z"],
      ["300m", "reminder:authoritative_info:overdue:2024-05-01T07:00:00.000Z"],
      ["1320m", "reminder:press_conference:T-2h:2024-05-02T02:00:00.000Z"],
      ["1380m", "esc:major:parent-before-deadline:press_conference:2024-05-02T02:00:00.000Z:c0"],
      ["1410m", "esc:major:parent-before-deadline:press_conference:2024-05-02T02:00:00.000Z:c1"],
      ["1410m", "reminder:press_conference:T-30m:2024-05-02T02:00:00.000Z"],
      ["1440m", "reminder:press_conference:overdue:2024-05-02T02:00:00.000Z"],
    ]);
    expect(new Set(sent.map((s) => s.key)).size).toBe(sent.length);
  });

  it("stops the unacknowledged escalation once acknowledged and the 5 h reminders once information is published", () => {
    const t0 = onset + 10 * MIN;
    const { alert } = openAlert(sampleIncident(), config, t0);
    const { sent } = simulate(alert, t0, onset + 25 * H, {
      actions: [
        [onset + 25 * MIN, { type: "acknowledge", actor: "p-ks-duty" }],
        [onset + 4 * H, { type: "respond", actor: "p-ks-duty", link: "https://gov.example/n/1" }],
        [onset + 23 * H, { type: "record_milestone", actor: "p-em-head", kind: "press_conference", at: new Date(onset + 23 * H).toISOString() }],
      ],
    });
    expect(rel(sent).map(([, k]) => (k as string).split(":").slice(0, 4).join(":"))).toEqual([
      "new",
      "esc:major:duty:c0",
      "reminder:authoritative_info:T-2h:2024-05-01T07",
      "reminder:press_conference:T-2h:2024-05-02T02",
    ]);
  });

  it("after a stop of the scanner sends each missed item once, only the latest of each group", () => {
    const t0 = onset + 10 * MIN;
    const { alert } = openAlert(sampleIncident(), config, t0);
    const full = simulate(alert, t0, onset + 6 * H).sent;
    // Down from 2h50m to 5h05m: T-2h, the deadline step and T-30m and overdue all fall inside.
    const { sent, superseded } = simulate(alert, t0, onset + 6 * H, { down: [[onset + 170 * MIN, onset + 305 * MIN]] });
    const late = sent.filter((s) => s.at >= onset + 305 * MIN).map((s) => s.key.split(":").slice(2, 6).join(":"));
    expect(late).toEqual(["esc:major:parent-before-deadline:authoritative_info", "reminder:authoritative_info:overdue:2024-05-01T07"]);
    expect(superseded.map((k) => k.split(":").slice(2, 5).join(":"))).toEqual([
      "reminder:authoritative_info:T-2h",
      "reminder:authoritative_info:T-30m",
      "esc:major:parent-before-deadline",
    ]);
    expect(new Set([...sent.map((s) => s.key), ...superseded])).toEqual(new Set(full.map((s) => s.key)));
  });

  it("skips reminder points that were already past when the alert learned of the deadline", () => {
    // Surfaced 4 h after onset: T-2h is history, the opening notice says so; T-30m and overdue still go out.
    const t0 = onset + 4 * H;
    const { alert } = openAlert(sampleIncident(), config, t0);
    const keys = planItems(alert, config.escalation).filter((i) => i.kind === "reminder" && i.clock === "authoritative_info").map((i) => i.label);
    expect(keys).toEqual(["T-30m", "overdue"]);
  });
});

describe("ungraded alerts", () => {
  it("never escalate to department heads by time alone (even when a policy lists ungraded); duty reminders still run", () => {
    const t0 = onset + 10 * MIN;
    const { alert } = openAlert(sampleIncident({ level: null, levelReason: "无伤亡或损失数字，未归入突发事件类别，不定级" }), config, t0);
    const { sent } = simulate(alert, t0, onset + 49 * H, { stepMs: 10 * MIN });
    expect(sent.filter((s) => s.kind === "escalation")).toEqual([]);
    expect(rel(sent).map(([, key]) => key)).toEqual([
      "new",
      "reminder:response:T-2h:2024-05-03T02:00:00.000Z",
      "reminder:response:T-30m:2024-05-03T02:00:00.000Z",
      "reminder:response:overdue:2024-05-03T02:00:00.000Z",
    ]);
    // The same alert graded IV does escalate to the head after 30 min unacknowledged.
    const graded = openAlert(sampleIncident({ level: "IV" }), config, t0).alert;
    expect(simulate(graded, t0, t0 + H).sent.filter((s) => s.kind === "escalation").map((s) => s.key)).toEqual([expect.stringContaining("esc:standard:head")]);
  });
});

describe("grade upgrade", () => {
  it("recomputes deadlines: IV → II at onset + 1 h moves reminders from the 48 h clock to the 5 h and 24 h ones and tells the co-notified", () => {
    const t0 = onset + 10 * MIN;
    const { alert } = openAlert(sampleIncident({ level: "IV", levelReason: "2人受伤" }), config, t0);
    const { sent, alert: after } = simulate(alert, t0, onset + 6 * H, {
      actions: [[onset + H, { type: "incident", incident: sampleIncident({ level: "II", levelReason: "12人遇难 → II", revision: 2 }) }]],
    });
    expect(after.deadlines.map((d) => `${d.clock}@${d.dueAt}`)).toEqual(["authoritative_info@2024-05-01T07:00:00.000Z", "press_conference@2024-05-02T02:00:00.000Z"]);
    expect(after.deadlineHistory.map((r) => r.reason)).toEqual(["opened", "regraded"]);
    const kinds = rel(sent).map(([at, k]) => `${at} ${(k as string).split(":").slice(0, 3).join(":")}`);
    expect(sent.filter((s) => s.key.includes("esc:major:duty")).map((s) => s.key.split(":")[5])).toEqual(["c1"]);
    expect(kinds).toEqual([
      "10m new",
      "40m esc:standard:head",
      // The major policy counts from when the alert was raised: of each step's past cycles only the latest fires.
      "60m esc:major:duty",
      "60m esc:major:head",
      "60m regrade:2024-05-01T03:00",
      "180m reminder:authoritative_info:T-2h",
      "240m esc:major:parent-before-deadline",
      "270m esc:major:parent-before-deadline",
      "270m reminder:authoritative_info:T-30m",
      "300m reminder:authoritative_info:overdue",
    ]);
    expect(sent.some((s) => s.key.includes("reminder:response"))).toBe(false);
    const regrade = planItems(after, config.escalation).find((i) => i.kind === "regrade");
    expect(regrade?.recipients).toContainEqual({ department: "co", audience: "group" });
    expect(after.coDepartments).toHaveLength(4);
  });
});

describe("quiet hours", () => {
  const quiet = QuietHours.parse({ start: "22:00", end: "07:00" });
  /** 2024-05-01 23:00 Beijing. */
  const night = Date.parse("2024-05-01T15:00:00.000Z");

  it("knows the window across midnight in Beijing time", () => {
    expect(inQuietHours(night, quiet)).toBe(true);
    expect(inQuietHours(Date.parse("2024-05-01T23:30:00.000Z"), quiet)).toBe(false);
    expect(new Date(quietEndAfter(night, quiet)).toISOString()).toBe("2024-05-01T23:00:00.000Z");
    expect(new Date(sendTime(night, night, "IV", quiet)).toISOString()).toBe("2024-05-01T23:00:00.000Z");
    expect(sendTime(night, night, "II", quiet)).toBe(night);
  });

  it("holds a IV alert's notices until 07:00 but never an I or II alert's", () => {
    const nightOnset = night - 10 * MIN;
    const iv = openAlert(sampleIncident({ level: "IV", onsetAt: new Date(nightOnset).toISOString() }), config, night).alert;
    const ivSent = simulate(iv, night, night + 10 * H).sent;
    expect(ivSent.map((s) => [new Date(s.at).toISOString(), s.kind])).toEqual([
      ["2024-05-01T23:00:00.000Z", "new"],
      ["2024-05-01T23:00:00.000Z", "escalation"],
    ]);
    const ii = openAlert(sampleIncident({ level: "II", onsetAt: new Date(nightOnset).toISOString() }), config, night).alert;
    const iiSent = simulate(ii, night, night + 6 * H).sent;
    expect(iiSent.slice(0, 3).map((s) => [(s.at - night) / MIN, s.kind])).toEqual([
      [0, "new"],
      [10, "escalation"],
      [20, "escalation"],
    ]);
    expect(iiSent.some((s) => s.key.includes("authoritative_info:overdue") && s.at === nightOnset + 5 * H)).toBe(true);
  });

  it("refuses quiet hours that would hold back I or II", () => {
    expect(QuietHours.safeParse({ start: "22:00", end: "07:00", levels: ["II", "III"] }).success).toBe(false);
  });
});
