import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { startStackServers, stopStackServer, waitFor, type PipelineService } from "@liaowang/testing";
import { FaultCase, MAJOR_AUDIENCE, report, SECRET_VALUES } from "./harness.js";

// `pnpm test:faults`: the whole pipeline on the fault suite's private stack, broken mid-stream and healed. Each case
// ends with exact counts (every document indexed once by id, one incident and one alert for the graded explosion,
// every notification step received exactly once) and prints how long the pipeline took to recover.

const HOUR = 3_600_000;
const outputs: string[] = [];
let current: FaultCase | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(label: string, deadlineInMs: number): Promise<FaultCase> {
  current = await FaultCase.start(label, { deadlineInMs });
  return current;
}

/** Each of the five departments heard of the II explosion exactly once (opening notice, or regrade notice). */
function expectMajorNotices(c: FaultCase, alertId: string): void {
  const notices = c.majorNotices(alertId);
  expect(notices.emergency?.[0]).toBe("g0:new");
  for (const d of MAJOR_AUDIENCE) expect(notices[d]?.length, `${d}: ${JSON.stringify(notices[d])}`).toBeGreaterThanOrEqual(1);
  for (const d of MAJOR_AUDIENCE.slice(1)) expect(notices[d], d).toHaveLength(1);
}

afterEach(async (context) => {
  if (!current) return;
  // every incarnation's output is kept in a temp file for a failing case only (nothing left behind otherwise)
  if (context.task.result?.state === "fail") process.stderr.write(`[faults] ${current.label}: service logs in ${current.saveLogs()}\n${current.group.tail(2500)}`);
  if (current.group.unexpectedExits.length > 0) report(`${current.label}: services that exited on their own and were restarted: ${current.group.unexpectedExits.map((e) => `${e.service} (${e.code})`).join(", ")}`);
  await current.close();
  outputs.push(current.group.output());
  current = undefined;
});

afterAll(async () => {
  await current?.close();
});

describe("the pipeline under faults", () => {
  it("poison on every topic, then the Kafka broker stopped for 20 s mid-stream: nothing lost, nothing twice", async () => {
    const c = await open("kafka", 1 * HOUR);
    const perTopic = await c.poisonEveryTopic();
    let healedAt = 0;
    await c.stream(6, async (i) => {
      if (i !== 1) return;
      await stopStackServer(c.stackDir, "kafka");
      report("kafka: broker stopped");
      await sleep(20_000);
      await startStackServers(inject("faultStack"));
      healedAt = Date.now();
      report("kafka: broker back");
    });
    report(`kafka: caught up ${await c.caughtUp(healedAt)} s after the broker came back`);
    const { alert } = await c.verifyExactlyOnce({ reminders: false });
    expect(alert.level).toBe("II");
    expectMajorNotices(c, alert.id);

    // every poison record read by a service is dead-lettered once per consumer, naming where it was and why;
    // the api's live feed skips foreign records on alert-events and nothing consumes dead-letter, so poison there is
    // not dead-lettered again
    const letters = await waitFor(async () => {
      const all = await c.deadLetters();
      return all.length >= 4 * perTopic && all;
    }, { timeoutMs: 30_000, what: "dead letters for the poison" });
    const where = letters.map((l) => `${l.service} ${l.topic.slice(c.topicPrefix.length)}`).sort();
    expect(where).toEqual(
      ["enrich raw", "indexer enriched", "detector enriched", "alerter incidents"].flatMap((w) => Array<string>(perTopic).fill(w)).sort(),
    );
    expect(letters.every((l) => l.code === "invalid_message" && /empty message|not valid JSON|expected/.test(l.reason))).toBe(true);
    // the api follows alert-events for live updates and skips what is not an alert event
    expect((await fetch(`http://127.0.0.1:${c.ports.api}/api/v1/health`)).status).toBeLessThan(500);
  });

  it("Elasticsearch stopped for 20 s, then answering 429 for 10 s: nothing lost, nothing twice", async () => {
    const c = await open("es", 1 * HOUR);
    let healedAt = 0;
    await c.stream(6, async (i) => {
      if (i !== 1) return;
      await stopStackServer(c.stackDir, "elasticsearch");
      report("es: node stopped");
      await sleep(20_000);
      c.proxy.setMode("throttle");
      await startStackServers(inject("faultStack"));
      report("es: node back, answering 429 through the proxy");
      await sleep(10_000);
      c.proxy.setMode("forward");
      healedAt = Date.now();
      report(`es: 429 period over (${c.proxy.throttled()} requests refused)`);
    });
    expect(c.proxy.throttled()).toBeGreaterThan(0);
    report(`es: caught up ${await c.caughtUp(healedAt)} s after the 429s stopped`);
    const { alert } = await c.verifyExactlyOnce({ reminders: false });
    expectMajorNotices(c, alert.id);
  });

  it("kill -9 of each service mid-stream, restarted: nothing lost, nothing twice", async () => {
    const c = await open("kill", 1 * HOUR);
    const order: PipelineService[] = ["ingest", "enrich", "indexer", "detector", "alerter", "api"];
    const back: string[] = [];
    let lastRestart = 0;
    await c.stream(order.length, async (i) => {
      const name = order[i] as PipelineService;
      await c.group.kill(name);
      await sleep(1_000);
      const restarted = Date.now();
      await c.group.start(name);
      lastRestart = Date.now();
      back.push(`${name} ${((lastRestart - restarted) / 1000).toFixed(1)} s`);
    });
    report(`kill: restart to "started" per service: ${back.join(", ")}`);
    report(`kill: caught up ${await c.caughtUp(lastRestart)} s after the last restart`);
    const { alert } = await c.verifyExactlyOnce({ reminders: false });
    expectMajorNotices(c, alert.id);
    const health = await fetch(`http://127.0.0.1:${c.ports.api}/api/v1/health`);
    expect(health.status).toBe(200);
  });

  it("the alerter killed mid-countdown, one receiver failing then recovering and two failing for good: each step once, failures visible", async () => {
    const c = await open("countdown", 80_000);
    // the responsible department's receiver fails until healed; police answers 500 for good, telecom 404 for good
    c.replies.set("/hooks/emergency", 503);
    c.replies.set("/hooks/police", 500);
    c.replies.set("/hooks/telecom", 404);
    await c.stream(2);
    const alertId = await waitFor(async () => (await c.explosionAlerts())[0]?.id, { timeoutMs: 60_000, what: "the explosion alert" });
    await waitFor(async () => c.deliveries.some((d) => d.path === "/hooks/emergency" && d.status === 503 && d.key === `${alertId}:g0:new`), { what: "a failed opening notice" });
    await sleep(8_000);
    c.replies.set("/hooks/emergency", 200);
    const healedAt = Date.now();
    await waitFor(async () => c.receivedSteps(alertId, "emergency").includes("g0:new"), { timeoutMs: 60_000, what: "the opening notice after the receiver recovered" });
    report(`countdown: receiver recovered, opening notice delivered ${((Date.now() - healedAt) / 1000).toFixed(1)} s later`);

    // the first reminder goes out; the alerter is killed and stays down while the next one falls due
    await waitFor(async () => c.receivedSteps(alertId, "emergency").includes("g0:reminder:authoritative_info:T-45s"), { timeoutMs: 60_000, what: "the T-45s reminder" });
    await sleep(1_000);
    await c.group.kill("alerter");
    await sleep(Math.max(0, c.deadlineAt - 23_000 - Date.now()));
    expect(c.receivedSteps(alertId, "emergency")).not.toContain("g0:reminder:authoritative_info:T-25s");
    const restarted = Date.now();
    await c.group.start("alerter");
    await waitFor(async () => c.receivedSteps(alertId, "emergency").includes("g0:reminder:authoritative_info:T-25s"), { timeoutMs: 60_000, what: "the T-25s reminder after the restart" });
    report(`countdown: alerter restarted, missed reminder sent ${((Date.now() - restarted) / 1000).toFixed(1)} s later`);

    const { alert, delivery } = await c.verifyExactlyOnce({ reminders: true });
    expect(c.receivedSteps(alert.id, "emergency").filter((s) => s !== "g0:regrade")).toEqual(["g0:new", "g0:reminder:authoritative_info:T-25s", "g0:reminder:authoritative_info:T-45s", "g0:reminder:authoritative_info:overdue"]);
    // failing for good is visible on the alert, with the reason: still retrying (5xx) or given up (4xx)
    // (co-notified departments hear of it by the opening or, if it opened below II, the regrade notice)
    const police = delivery.filter((d) => d.targetId === "hook-police");
    const telecom = delivery.filter((d) => d.targetId === "hook-telecom");
    expect(police.length).toBeGreaterThanOrEqual(1);
    expect(telecom.length).toBeGreaterThanOrEqual(1);
    for (const d of police) {
      expect(d.state).toBe("failed");
      expect(d.lastError).toMatch(/500/);
    }
    for (const d of telecom) {
      expect(d.state).toBe("dead");
      expect(d.lastError).toMatch(/404/);
    }
    expect(alert.delivery.failed + alert.delivery.dead).toBeGreaterThanOrEqual(2);
  });

  it("no password, token or secret in any service log of the run", () => {
    const all = outputs.join("\n");
    expect(all.length).toBeGreaterThan(10_000);
    const leaks: string[] = [];
    for (const secret of SECRET_VALUES) if (all.includes(secret)) leaks.push(`a configured secret (${secret.slice(0, 6)}…)`);
    const patterns = [/Bearer\s+[A-Za-z0-9._~+/=-]{12,}/, /"(authorization|password|token|secret|apiKey)"\s*:\s*"(?!\[Redacted\])[^"]+"/i, /\/ack\/[A-Za-z0-9._~-]{16,}/, /(password|passwd|secret)=[^&\s"]+/i];
    for (const pattern of patterns) {
      const match = pattern.exec(all);
      if (match) leaks.push(`${pattern}: …${all.slice(Math.max(0, match.index - 80), match.index + 40)}…`);
    }
    expect(leaks).toEqual([]);
  });
});
