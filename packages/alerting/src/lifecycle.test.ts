import { describe, expect, it } from "vitest";
import { LiaowangError } from "@liaowang/errors";
import { Alert } from "@liaowang/schemas";
import { applyCommand, openAlert, type AlertCommand } from "./lifecycle.js";
import { deadlineStatus, isBackdatedClaim } from "./clocks.js";
import { accountability } from "./accountability.js";
import { sampleIncident, testConfig } from "./testing/fixtures.js";

const config = testConfig();
const H = 3_600_000;
const onset = Date.parse("2024-05-01T02:00:00.000Z");
const t0 = onset + 10 * 60_000;

function open(overrides = {}) {
  return openAlert(sampleIncident(overrides), config, t0).alert;
}

function apply(alert: Alert, command: AlertCommand, at: number) {
  return applyCommand(alert, command, config, at);
}

describe("openAlert", () => {
  it("opens a routed II alert with the 5 h and 24 h clocks counted from onset and an audited opening", () => {
    const { alert, events } = openAlert(sampleIncident(), config, t0);
    expect(Alert.parse(alert)).toEqual(alert);
    expect(alert).toMatchObject({ id: "alert-inc-0001", state: "new", level: "II", department: "kunshan-emergency", seq: 1 });
    expect(alert.deadlines.map((d) => [d.clock, d.dueAt])).toEqual([
      ["authoritative_info", "2024-05-01T07:00:00.000Z"],
      ["press_conference", "2024-05-02T02:00:00.000Z"],
    ]);
    expect(events).toEqual([expect.objectContaining({ id: "alert-inc-0001:1", type: "opened", actor: "system:alerter", at: new Date(t0).toISOString(), to: "new" })]);
    expect(alert.pendingEvents).toEqual(events);
    expect(alert.nextDueAt).toBe(new Date(t0).toISOString());
  });

  it("gives III, IV and ungraded incidents the 48 h answer clock", () => {
    for (const level of ["III", "IV", null] as const) {
      expect(open({ level }).deadlines.map((d) => [d.clock, d.dueAt])).toEqual([["response", "2024-05-03T02:00:00.000Z"]]);
    }
  });
});

describe("lifecycle transitions", () => {
  it("walks new → acknowledged → handling → responded → closed, auditing who, when and the note", () => {
    let alert = open();
    alert = apply(alert, { type: "acknowledge", actor: "p-ks-duty", note: "已研判" }, t0 + 5 * 60_000).alert;
    alert = apply(alert, { type: "start_handling", actor: "p-ks-duty" }, t0 + H).alert;
    const responded = apply(alert, { type: "respond", actor: "p-ks-duty", link: "https://gov.example/notice/1", publishedAt: new Date(onset + 4 * H).toISOString(), note: "发布情况通报" }, onset + 4 * H + 60_000);
    alert = responded.alert;
    expect(responded.events[0]).toMatchObject({ type: "responded", from: "handling", to: "responded", actor: "p-ks-duty", data: { link: "https://gov.example/notice/1" } });
    // Publishing information stops the 5 h clock (met), the press conference clock runs on.
    expect(alert.deadlines.map((d) => deadlineStatus(d, onset + 5 * H))).toEqual(["met", "running"]);
    alert = apply(alert, { type: "record_milestone", actor: "p-em-head", kind: "press_conference", at: new Date(onset + 20 * H).toISOString(), link: "https://gov.example/live/1" }, onset + 20 * H).alert;
    expect(alert.deadlines.map((d) => deadlineStatus(d, onset + 30 * H))).toEqual(["met", "met"]);
    alert = apply(alert, { type: "close", actor: "p-em-head", note: "处置完毕" }, onset + 30 * H).alert;
    expect(alert.state).toBe("closed");
    expect(alert.pendingEvents.map((e) => [e.seq, e.type, e.actor, e.from, e.to])).toEqual([
      [1, "opened", "system:alerter", undefined, "new"],
      [2, "acknowledged", "p-ks-duty", "new", "acknowledged"],
      [3, "handling_started", "p-ks-duty", "acknowledged", "handling"],
      [4, "responded", "p-ks-duty", "handling", "responded"],
      [5, "milestone_recorded", "p-em-head", undefined, undefined],
      [6, "closed", "p-em-head", "responded", "closed"],
    ]);
    expect(alert.acknowledgedAt).toBe(new Date(t0 + 5 * 60_000).toISOString());
    expect(alert.nextDueAt).toBeNull();
  });

  it("refuses illegal transitions with a conflict naming the alert and its state", () => {
    const alert = open();
    expect(() => apply(alert, { type: "close", actor: "p1" }, t0)).toThrow(/alert alert-inc-0001 cannot be closed.*it is new/);
    const acked = apply(alert, { type: "acknowledge", actor: "p1" }, t0).alert;
    try {
      apply(acked, { type: "acknowledge", actor: "p2" }, t0);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LiaowangError);
      expect((error as LiaowangError).code).toBe("conflict");
    }
    expect(() => apply(alert, { type: "acknowledge", actor: " " }, t0)).toThrow(/needs an actor/);
    expect(() => apply(alert, { type: "dismiss", actor: "p1", reason: "" }, t0)).toThrow(/needs a reason/);
  });

  it("dismisses with a reason, cancelling the clocks, and re-raises (counted) when the incident grows", () => {
    let alert = open({ level: "IV", volume: 10 });
    alert = apply(alert, { type: "dismiss", actor: "p-ks-duty", reason: "误报：系演练" }, t0 + H).alert;
    expect(alert).toMatchObject({ state: "dismissed", dismissReason: "误报：系演练", volumeAtDismissal: 10 });
    expect(alert.deadlines.every((d) => d.cancelledAt !== null)).toBe(true);
    // A little more chatter is not growth.
    alert = apply(alert, { type: "incident", incident: sampleIncident({ level: "IV", volume: 14, updatedAt: new Date(t0 + 2 * H).toISOString(), revision: 2 }) }, t0 + 2 * H).alert;
    expect(alert.state).toBe("dismissed");
    const grown = apply(alert, { type: "incident", incident: sampleIncident({ level: "IV", volume: 25, updatedAt: new Date(t0 + 3 * H).toISOString(), revision: 3 }) }, t0 + 3 * H);
    expect(grown.alert).toMatchObject({ state: "new", reraiseCount: 1, raisedAt: new Date(t0 + 3 * H).toISOString(), acknowledgedAt: null });
    expect(grown.events).toEqual([expect.objectContaining({ type: "reraised", from: "dismissed", to: "new", actor: "system:alerter" })]);
    expect(grown.alert.deadlines.every((d) => d.cancelledAt === null)).toBe(true);
  });

  it("re-raises a dismissed incident that is upgraded, and lets an officer re-raise by hand", () => {
    const dismissed = apply(open({ level: "IV" }), { type: "dismiss", actor: "p1", reason: "不属实" }, t0 + H).alert;
    const upgraded = apply(dismissed, { type: "incident", incident: sampleIncident({ level: "III", updatedAt: new Date(t0 + 2 * H).toISOString(), revision: 4 }) }, t0 + 2 * H);
    expect(upgraded.events.map((e) => e.type)).toEqual(["regraded", "reraised"]);
    expect(upgraded.alert.reraiseCount).toBe(1);
    const manual = apply(dismissed, { type: "reraise", actor: "p-em-head", note: "舆情反弹" }, t0 + 2 * H);
    expect(manual.alert).toMatchObject({ state: "new", reraiseCount: 1 });
  });

  it("ignores an incident update older than the one applied", () => {
    const alert = open();
    const stale = apply(alert, { type: "incident", incident: sampleIncident({ level: "I", revision: 0 }) }, t0 + H);
    expect(stale.alert.level).toBe("II");
    expect(stale.events).toEqual([]);
  });

  it("closes an alert whose incident was merged into another", () => {
    const merged = apply(open(), { type: "incident", incident: sampleIncident({ status: "merged", mergedInto: "inc-0002", updatedAt: new Date(t0 + H).toISOString(), revision: 5 }) }, t0 + H);
    expect(merged.alert).toMatchObject({ state: "closed", mergedInto: "inc-0002" });
    expect(merged.events.map((e) => e.type)).toEqual(["merged"]);
  });
});

describe("deadline recomputation", () => {
  it("recomputes deadlines with history when the grade changes (IV → II) and keeps an earlier publication as met", () => {
    let alert = open({ level: "IV" });
    alert = apply(alert, { type: "record_milestone", actor: "p-ks-duty", kind: "info_published", at: new Date(onset + H).toISOString(), link: "https://gov.example/n/1" }, onset + H).alert;
    const up = apply(alert, { type: "incident", incident: sampleIncident({ level: "II", levelReason: "12人遇难 → II", updatedAt: new Date(onset + 2 * H).toISOString(), revision: 6 }) }, onset + 2 * H);
    expect(up.alert.level).toBe("II");
    expect(up.alert.gradeHistory).toEqual([{ at: new Date(onset + 2 * H).toISOString(), from: "IV", to: "II", reason: "12人遇难 → II" }]);
    expect(up.alert.deadlineHistory.map((r) => [r.reason, r.level, r.deadlines.map((d) => `${d.clock}@${d.dueAt}`)])).toEqual([
      ["opened", "IV", ["response@2024-05-03T02:00:00.000Z"]],
      ["regraded", "II", ["authoritative_info@2024-05-01T07:00:00.000Z", "press_conference@2024-05-02T02:00:00.000Z"]],
    ]);
    expect(up.alert.deadlines.map((d) => [d.clock, d.metAt])).toEqual([
      ["authoritative_info", new Date(onset + H).toISOString()],
      ["press_conference", null],
    ]);
    expect(up.alert.coDepartments).toEqual(["propaganda", "cyberspace", "police", "telecom"]);
    expect(up.events).toEqual([expect.objectContaining({ type: "regraded", data: { from: "IV", to: "II" } })]);
  });

  it("recomputes deadlines when an officer corrects the onset with a reason, and the detector no longer moves it", () => {
    const alert = open();
    expect(() => apply(alert, { type: "correct_onset", actor: "p1", onsetAt: "2024-05-01T01:00:00Z", reason: "" }, t0)).toThrow(/needs a reason/);
    const corrected = apply(alert, { type: "correct_onset", actor: "p-em-head", onsetAt: "2024-05-01T01:00:00+00:00", reason: "现场视频显示事发于09:00" }, t0 + H).alert;
    expect(corrected.onsetAt).toBe("2024-05-01T01:00:00.000Z");
    expect(corrected.deadlines.map((d) => d.dueAt)).toEqual(["2024-05-01T06:00:00.000Z", "2024-05-02T01:00:00.000Z"]);
    expect(corrected.deadlineHistory.at(-1)).toMatchObject({ reason: "onset_corrected", actor: "p-em-head", note: "现场视频显示事发于09:00" });
    expect(corrected.onsetHistory).toEqual([expect.objectContaining({ from: "2024-05-01T02:00:00.000Z", to: "2024-05-01T01:00:00.000Z", actor: "p-em-head" })]);
    const detector = apply(corrected, { type: "incident", incident: sampleIncident({ onsetAt: "2024-05-01T01:30:00.000Z", updatedAt: new Date(t0 + 2 * H).toISOString(), revision: 7 }) }, t0 + 2 * H).alert;
    expect(detector.onsetAt).toBe("2024-05-01T01:00:00.000Z");
  });

  it("follows the detector when it finds an earlier first post", () => {
    const moved = apply(open(), { type: "incident", incident: sampleIncident({ onsetAt: "2024-05-01T01:40:00.000Z", updatedAt: new Date(t0 + H).toISOString(), revision: 8, firstPost: { source: "微博网友", publishedAt: "2024-05-01T01:40:00.000Z" } }) }, t0 + H);
    expect(moved.alert.deadlines[0]?.dueAt).toBe("2024-05-01T06:40:00.000Z");
    expect(moved.events.map((e) => [e.type, e.actor])).toEqual([["onset_corrected", "system:detector"]]);
    // Recorded as an onset correction with the reason in the officers' words.
    const reason = "监测发现更早的首发：微博网友，起始时间提前20分钟（2024-05-01 10:00 → 2024-05-01 09:40）";
    expect(moved.alert.onsetHistory).toEqual([{ at: new Date(t0 + H).toISOString(), from: "2024-05-01T02:00:00.000Z", to: "2024-05-01T01:40:00.000Z", actor: "system:detector", reason }]);
    expect(moved.alert.deadlineHistory.at(-1)).toMatchObject({ reason: "onset_corrected", actor: "system:detector", note: reason, onsetAt: "2024-05-01T01:40:00.000Z" });
    expect(moved.events[0]?.note).toBe(reason);
  });

  it("counts a milestone against when it was recorded: a back-dated claim cannot turn a missed deadline into a met one", () => {
    let alert = open();
    alert = apply(alert, { type: "acknowledge", actor: "p-ks-duty" }, t0).alert;
    // Recorded 8 h after onset, claiming publication at 4 h: the 5 h clock (due 07:00) was missed.
    const late = apply(alert, { type: "respond", actor: "p-ks-duty", publishedAt: new Date(onset + 4 * H).toISOString() }, onset + 8 * H).alert;
    expect(late.milestones[0]).toMatchObject({ at: new Date(onset + 4 * H).toISOString(), recordedAt: new Date(onset + 8 * H).toISOString() });
    expect(late.deadlines[0]).toMatchObject({ clock: "authoritative_info", metAt: new Date(onset + 4 * H).toISOString(), metRecordedAt: new Date(onset + 8 * H).toISOString() });
    expect(deadlineStatus(late.deadlines[0]!, onset + 9 * H)).toBe("met_late");
    expect(isBackdatedClaim(late.deadlines[0]!)).toBe(true);
    // A second, even earlier claim does not rewrite when the clock stopped.
    const again = apply(late, { type: "record_milestone", actor: "p-ks-duty", kind: "info_published", at: new Date(onset + H).toISOString() }, onset + 9 * H).alert;
    expect(again.deadlines[0]).toMatchObject({ metAt: new Date(onset + 4 * H).toISOString(), milestoneId: "m1" });
    // The 问责 figures count it late and show the claim.
    const figures = accountability([again], { from: "2024-01-01T00:00:00Z", to: "2025-01-01T00:00:00Z" }, onset + 10 * H, 30 * 60_000);
    expect(figures[0]?.deadlines).toMatchObject({ met: 0, metLate: 1, missed: 1, backdated: 1, running: 1 });
    // Recorded in time, the same claim is met and not flagged.
    const prompt = apply(alert, { type: "respond", actor: "p-ks-duty", publishedAt: new Date(onset + 4 * H).toISOString() }, onset + 4 * H + 10 * 60_000).alert;
    expect(deadlineStatus(prompt.deadlines[0]!, onset + 9 * H)).toBe("met");
    expect(isBackdatedClaim(prompt.deadlines[0]!)).toBe(false);
  });

  it("freezes the record of a closed alert: no milestones, no onset corrections, no recomputation on regrade", () => {
    let alert = open();
    alert = apply(alert, { type: "respond", actor: "p-ks-duty" }, onset + 8 * H).alert;
    alert = apply(alert, { type: "close", actor: "p-ks-duty" }, onset + 9 * H).alert;
    const before = alert.deadlines;
    const conflict = (command: AlertCommand) => {
      try {
        apply(alert, command, onset + 10 * H);
        expect.unreachable();
      } catch (error) {
        expect((error as LiaowangError).code).toBe("conflict");
      }
    };
    conflict({ type: "record_milestone", actor: "p-ks-duty", kind: "press_conference", at: new Date(onset + 20 * H).toISOString() });
    conflict({ type: "correct_onset", actor: "p-ks-duty", onsetAt: new Date(onset + 5 * H).toISOString(), reason: "更正" });
    conflict({ type: "respond", actor: "p-ks-duty" });
    conflict({ type: "acknowledge", actor: "p-ks-duty" });
    const regraded = apply(alert, { type: "incident", incident: sampleIncident({ level: "IV", onsetAt: new Date(onset + 6 * H).toISOString(), updatedAt: new Date(onset + 10 * H).toISOString(), revision: 9 }) }, onset + 10 * H).alert;
    expect(regraded.level).toBe("IV");
    expect(regraded.onsetAt).toBe(alert.onsetAt);
    expect(regraded.deadlines).toEqual(before);
    expect(regraded.deadlines.map((d) => deadlineStatus(d, onset + 10 * H))).toEqual(["met_late", "cancelled"]);
    // A dismissed alert's onset is frozen too (a later onset would turn its missed clocks into cancelled ones).
    const dismissed = apply(open(), { type: "dismiss", actor: "p-ks-duty", reason: "误报" }, onset + 6 * H).alert;
    expect(() => apply(dismissed, { type: "correct_onset", actor: "p-ks-duty", onsetAt: new Date(onset + 5 * H).toISOString(), reason: "更正" }, onset + 7 * H)).toThrow(/frozen/);
  });

  it("clears pending events once flushed and records notified items once", () => {
    let alert = open();
    alert = apply(alert, { type: "acknowledge", actor: "p1" }, t0).alert;
    alert = apply(alert, { type: "events_flushed", throughSeq: 1 }, t0).alert;
    expect(alert.pendingEvents.map((e) => e.seq)).toEqual([2]);
    const item = { key: "k", at: new Date(t0).toISOString(), outcome: "enqueued" as const };
    alert = apply(apply(alert, { type: "notified", items: [item] }, t0).alert, { type: "notified", items: [item] }, t0).alert;
    expect(alert.notified).toEqual([item]);
  });
});

describe("scope and refutation from the detector", () => {
  it("shows why the alert was raised and its scope", () => {
    const { alert } = openAlert(
      sampleIncident({ scope: "本地", scopeReason: "事发地昆山市在辖区（苏州市）内", dutyBoard: true, boardReason: "事发地昆山市在辖区（苏州市）内；定为II级（重大）" }),
      testConfig(),
      Date.parse("2024-05-01T02:10:00.000Z"),
    );
    expect(alert).toMatchObject({ scope: "本地", scopeReason: "事发地昆山市在辖区（苏州市）内", raiseReason: "事发地昆山市在辖区（苏州市）内；定为II级（重大）" });
  });

  it("records an authority's refutation once as information published, which stops the 5 h clock", () => {
    const config = testConfig();
    const opened = openAlert(sampleIncident(), config, Date.parse("2024-05-01T02:10:00.000Z")).alert;
    const refutedBy = { at: "2024-05-01T03:00:00.000Z", source: "昆山市公安局", url: "https://example.gov.cn/py/1", title: "网传爆炸系谣言", authority: true };
    const once = applyCommand(opened, { type: "incident", incident: sampleIncident({ revision: 2, refutedBy }) }, config, Date.parse("2024-05-01T03:05:00.000Z")).alert;
    expect(once.refuted).toEqual(refutedBy);
    expect(once.milestones).toEqual([expect.objectContaining({ kind: "info_published", at: "2024-05-01T03:00:00.000Z", link: "https://example.gov.cn/py/1", note: "官方辟谣：昆山市公安局「网传爆炸系谣言」" })]);
    expect(once.deadlines.find((d) => d.clock === "authoritative_info")?.metAt).toBe("2024-05-01T03:00:00.000Z");
    const twice = applyCommand(once, { type: "incident", incident: sampleIncident({ revision: 3, refutedBy }) }, config, Date.parse("2024-05-01T03:10:00.000Z")).alert;
    expect(twice.milestones).toHaveLength(1);
  });

  it("does not take a refutation by a non-authority for information published", () => {
    const config = testConfig();
    const opened = openAlert(sampleIncident(), config, Date.parse("2024-05-01T02:10:00.000Z")).alert;
    const refutedBy = { at: "2024-05-01T03:00:00.000Z", source: "某网友", authority: false };
    const next = applyCommand(opened, { type: "incident", incident: sampleIncident({ revision: 2, refutedBy }) }, config, Date.parse("2024-05-01T03:05:00.000Z")).alert;
    expect(next.refuted).toEqual(refutedBy);
    expect(next.milestones).toEqual([]);
  });
});

describe("one story found split in two: the survivor's alert takes over the absorbed one's record", () => {
  it("carries the officers' acknowledgement, handling and milestones over once, and closes the absorbed alert as merged", () => {
    let absorbed = open({ id: "inc-0002", title: "网传昆山化工厂爆炸" });
    absorbed = apply(absorbed, { type: "start_handling", actor: "p-ks-duty", note: "已核实" }, t0 + 5 * 60_000).alert;
    absorbed = apply(absorbed, { type: "record_milestone", actor: "p-ks-duty", kind: "info_published", at: new Date(onset + 2 * H).toISOString(), link: "https://gov.example/notice/2" }, onset + 2 * H).alert;
    const survivor = open();
    const taken = apply(survivor, { type: "absorb_alert", from: absorbed }, onset + 3 * H);
    expect(taken.alert).toMatchObject({ state: "handling", acknowledgedBy: "p-ks-duty", absorbedAlerts: ["alert-inc-0002"] });
    expect(taken.alert.milestones).toEqual([expect.objectContaining({ id: "m1", kind: "info_published", at: new Date(onset + 2 * H).toISOString(), actor: "p-ks-duty", link: "https://gov.example/notice/2" })]);
    expect(taken.alert.deadlines.map((d) => deadlineStatus(d, onset + 3 * H))).toEqual(["met", "running"]);
    expect(taken.events).toEqual([
      expect.objectContaining({ type: "merged", actor: "system:alerter", from: "new", to: "handling", note: "并入预警 alert-inc-0002（网传昆山化工厂爆炸）的处置记录：权威信息已发布、已由p-ks-duty接报", data: { absorbedAlert: "alert-inc-0002", absorbedIncident: "inc-0002" } }),
    ]);
    // Once: a later revision of the survivor's incident brings the same absorbed alert again.
    expect(apply(taken.alert, { type: "absorb_alert", from: absorbed }, onset + 4 * H).events).toEqual([]);
    // The absorbed alert ends, pointing at the incident that carries the story on.
    const closed = apply(absorbed, { type: "incident", incident: sampleIncident({ id: "inc-0002", status: "merged", mergedInto: "inc-0001", revision: 3 }) }, onset + 3 * H);
    expect(closed.alert).toMatchObject({ state: "closed", mergedInto: "inc-0001" });
    expect(closed.events.at(-1)).toMatchObject({ type: "merged", note: "事件已并入 inc-0001，由其预警继续处置" });
  });

  it("leaves an ended alert's record as it is", () => {
    const absorbed = apply(open({ id: "inc-0002" }), { type: "acknowledge", actor: "p-ks-duty" }, t0).alert;
    let survivor = apply(open(), { type: "respond", actor: "p-em-duty" }, t0 + H).alert;
    survivor = apply(survivor, { type: "close", actor: "p-em-duty" }, t0 + 2 * H).alert;
    const after = apply(survivor, { type: "absorb_alert", from: absorbed }, t0 + 3 * H);
    expect(after.events).toEqual([]);
    expect(after.alert).toEqual({ ...survivor, updatedAt: new Date(t0 + 3 * H).toISOString() });
  });
});
