import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEsClient } from "@liaowang/es";
import { Alert, alertIndices, type Incident } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { runCaptured } from "../packages/cli/src/capture.js";
import type { ListedAlert } from "../packages/cli/src/alerts.js";
import { REFUTATION_URL, mixedStream } from "./fixtures/incidents/mixed.js";
import { explosionPosts, type StreamRecord } from "./fixtures/incidents/stream.js";

// Issue 7 end to end, as real processes on the real stack, for a deployment whose jurisdiction is 长沙市
// (LIAOWANG_JURISDICTION): a mixed stream — a local II explosion with a rumour about it and the police's 辟谣, the
// same kind of explosion in 广东 and in 印度, an anniversary of a past local explosion, benign local chatter in three
// sources — must give exactly one alert: the local one, graded II, its 5 h / 24 h clocks from the 首发, the refutation
// on its timeline as authoritative information published; nothing else on the duty board. Posts reach the detector in
// whatever order the partitions interleave; the test makes the hardest order happen: the official 通报 and 辟谣 arrive
// first (an alert opens on them), the earlier posts after, and the alert must move to the true 首发.

const { env, indexPrefix } = isolatedEnv("duty-board");
const es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
const services: SpawnedService[] = [];
const dir = mkdtempSync(join(tmpdir(), "liaowang-board-"));
const onset = new Date(Date.now() - 100 * 60_000);
const H = 3_600_000;

function serviceEnv(): Record<string, string> {
  return {
    ...env,
    LIAOWANG_JURISDICTION: "长沙市",
    ALERTER_ACK_SECRET: "duty-board-ack-secret-0123456789abcdef",
    ALERTER_API_TOKEN: "duty-board-api-token-0123456789",
    ALERTER_HTTP_PORT: "0",
    ALERTER_SCAN_SCHEDULE: "*/2 * * * * *",
    ALERTER_NOTIFY_FILE: join(dir, "notify.json"),
    DETECTOR_TICK_SCHEDULE: "*/5 * * * * *",
  };
}

const cli = (args: string[]) => runCaptured(args, serviceEnv());

async function listAlerts(): Promise<ListedAlert[]> {
  const result = await cli(["alerts", "--json", "--all"]);
  if (result.code !== 0) throw new Error(result.stderr);
  return (JSON.parse(result.stdout) as { alerts: ListedAlert[] }).alerts;
}

async function replay(name: string, records: readonly StreamRecord[]): Promise<unknown> {
  const file = join(dir, name);
  writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const result = await cli(["replay", file, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

async function storedAlert(id: string): Promise<Alert> {
  const res = await es.get<unknown>({ index: alertIndices(indexPrefix).alerts, id });
  return Alert.parse(res._source);
}

async function incidents(): Promise<Incident[]> {
  const res = await es.search<Incident>({ index: `${indexPrefix}incidents`, size: 100, query: { match_all: {} } }, { ignore: [404] });
  return (res.hits?.hits ?? []).flatMap((h) => (h._source ? [h._source] : []));
}

beforeAll(() => {
  // No notification targets: this test is about what reaches the duty board, not about delivery.
  writeFileSync(join(dir, "notify.json"), JSON.stringify({ timeoutMs: 3_000, targets: {} }));
  const e = serviceEnv();
  services.push(
    spawnService("services/enrich/src/main.ts", e),
    spawnService("services/detector/src/main.ts", e),
    spawnService("services/alerter/src/main.ts", e),
  );
});

afterEach(async (context) => {
  if (context.task.result?.state !== "fail") return;
  for (const s of services) process.stderr.write(s.output().slice(-5000));
  const alerts = await listAlerts().catch(() => []);
  process.stderr.write(`alerts: ${JSON.stringify(alerts.map((a) => [a.level, a.title, a.onsetAt, a.state, a.raiseReason]), null, 1)}\n`);
  process.stderr.write(`incidents: ${JSON.stringify((await incidents().catch(() => [])).map((i) => [i.status, i.level, i.scope, i.dutyBoard, i.title]), null, 1)}\n`);
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("duty board of a 长沙市 deployment on a mixed stream", () => {
  it("raises exactly the local II explosion, with its clocks from the 首发 and the 辟谣 on its timeline; nothing else", { timeout: 300_000 }, async () => {
    const stream = mixedStream(onset);
    const official = (r: StreamRecord) => r.source === "长沙县应急管理局" || r.source === "长沙县公安局";
    const tongbao = stream.find((r) => r.source === "长沙县应急管理局")!;
    expect(await replay("official.ndjson", stream.filter(official))).toMatchObject({ accepted: 2, rejected: [] });
    // The alert opens on the 通报 (its onset 75 min after the real 首发) before the earlier posts arrive.
    const early = await waitFor(async () => (await listAlerts()).find((a) => a.title === tongbao.title), { timeoutMs: 60_000, intervalMs: 1_000, what: "an alert opened on the 通报" });
    expect(early.onsetAt).toBe(tongbao.publishedAt);
    expect(await replay("rest.ndjson", stream.filter((r) => !official(r)))).toMatchObject({ accepted: 14, rejected: [] });

    // The detector has read the whole stream once the refutation joined the explosion and the incidents elsewhere
    // are published for analysts.
    const firstPost = explosionPosts(onset)[0]!;
    const done = await waitFor(
      async () => {
        const all = await incidents();
        const local = all.find((i) => i.status === "open" && i.refutedBy !== undefined && i.level === "II");
        const elsewhere = all.filter((i) => i.scope === "外地" || i.scope === "境外");
        // The 首发 may be read after the posts elsewhere (the enriched topic's partitions are read independently), so
        // the wait lasts until it has joined: its onset is the earliest of the story.
        return local && local.onsetAt === firstPost.publishedAt && elsewhere.length >= 2 ? { local, elsewhere } : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 1_500, what: "the local incident refuted, graded II and holding the 首发, and the incidents elsewhere published" },
    );
    expect(done.local).toMatchObject({ scope: "本地", dutyBoard: true, onsetAt: firstPost.publishedAt });
    expect(done.local.refutedBy).toMatchObject({ kind: "辟谣", source: "长沙县公安局", url: REFUTATION_URL, authority: true });
    expect(done.local.timeline.some((e) => e.kind === "refuted" && e.text.startsWith("已辟谣：长沙县公安局（官方）"))).toBe(true);
    expect(done.local.gradeReason).toMatch(/^据\d+个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）/);
    // Elsewhere: published for the 外地/境外关注 list, ungraded, never on the duty board.
    expect(done.elsewhere.map((i) => [i.scope, i.level, i.dutyBoard]).sort()).toEqual([
      ["境外", null, false],
      ["外地", null, false],
    ]);
    expect(done.elsewhere.every((i) => i.boardReason?.includes("列入外地/境外关注，不计时、不通知"))).toBe(true);

    // The duty board: the alerter applies the incident's revisions after the detector stored them, so wait until the
    // alert shows the incident as the detector now has it (its 首发 and title), with the refutation recorded; then
    // it stays the only one.
    const alert = await waitFor(
      async () => {
        const alerts = await listAlerts();
        const a = alerts.find((x) => x.incidentId === done.local.id);
        const caughtUp = a?.onsetAt === done.local.onsetAt && a.title === done.local.title;
        return caughtUp && a.level === "II" && a.refuted && a.deadlines.some((d) => d.clock === "authoritative_info" && d.metAt) ? a : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: "the II alert on the incident's 首发 with the refutation recorded" },
    );
    expect(alert.id).toBe(early.id);
    expect(alert.title).toBe(firstPost.text.slice(0, 60));
    expect(alert).toMatchObject({ scope: "本地", departmentName: "市应急管理局", state: "new" });
    expect(alert.raiseReason).toMatch(/^事发地.*长沙县.*在辖区（长沙市）内；定为II级（重大）$/);
    const due = Object.fromEntries(alert.deadlines.map((d) => [d.clock, Date.parse(d.dueAt) - Date.parse(firstPost.publishedAt)]));
    expect(due).toEqual({ authoritative_info: 5 * H, press_conference: 24 * H });
    // The police's 辟谣 is authoritative information published: it meets the 5 h clock at its publication time.
    expect(alert.deadlines.find((d) => d.clock === "authoritative_info")?.metAt).toBe(new Date(onset.getTime() + 85 * 60_000).toISOString());
    expect(alert.deadlines.find((d) => d.clock === "press_conference")?.status).toBe("running");
    // Each move to an earlier 首发 is on the alert's record, with the reason in the officers' words (one move, or
    // several when the earlier posts themselves arrived out of order), ending on the true 首发.
    const history = (await storedAlert(alert.id)).onsetHistory;
    expect(history.length).toBeGreaterThan(0);
    for (const [i, h] of history.entries()) {
      expect(h).toMatchObject({ actor: "system:detector", reason: expect.stringMatching(/^监测发现更早的首发：.+，起始时间提前\d+分钟（/) });
      expect(Date.parse(h.to)).toBeLessThan(Date.parse(h.from));
      if (i > 0) expect(h.from).toBe(history[i - 1]?.to);
    }
    expect(history.at(-1)).toMatchObject({ to: firstPost.publishedAt, reason: expect.stringMatching(/^监测发现更早的首发：微博网友@星沙小陈，/) });

    // Nothing else reaches the duty board, also after a few more detector ticks and alerter scans.
    await new Promise((r) => setTimeout(r, 12_000));
    expect((await listAlerts()).map((a) => a.incidentId)).toEqual([done.local.id]);
  });
});
