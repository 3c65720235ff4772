import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEsClient } from "@liaowang/es";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { runCaptured } from "../packages/cli/src/capture.js";
import type { ListedAlert } from "../packages/cli/src/alerts.js";
import { explosionPosts } from "./fixtures/incidents/stream.js";

// A burst through the real stack, as when a hotline export is replayed in one go or a story explodes: thousands of
// posts land in `raw` at once with a graded story among them. Every post must become searchable with no stage
// stalling or retrying a batch, and the story's alert must come out.

const { env, indexPrefix } = isolatedEnv("burst");
const es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
const services: SpawnedService[] = [];
const dir = mkdtempSync(join(tmpdir(), "liaowang-burst-"));
const BACKGROUND = 3_000;
const serviceEnv = {
  ...env,
  ALERTER_ACK_SECRET: "burst-test-ack-secret-0123456789abcdef",
  ALERTER_API_TOKEN: "burst-test-api-token-0123456789",
  ALERTER_HTTP_PORT: "0",
  DETECTOR_TICK_SCHEDULE: "*/5 * * * * *",
  ENRICH_WATCH_DICTIONARIES: "off",
};
const cli = (args: string[]) => runCaptured(args, serviceEnv);

const districts = ["岳麓区", "开福区", "雨花区", "天心区", "芙蓉区", "望城区"];
const issues = ["小区停水", "道路积水", "噪音扰民", "垃圾清运不及时", "公交线路调整", "物业收费争议", "路灯不亮", "占道经营"];
function background(i: number, onset: Date): Record<string, string> {
  return {
    source: `市民热线${i % 12}`,
    text: `${districts[i % districts.length]}第${i}号小区居民反映${issues[i % issues.length]}问题，已通过12345热线提交，希望有关部门尽快处理（工单${100_000 + i}）。`,
    publishedAt: new Date(onset.getTime() + (i % 3_600) * 1_000).toISOString(),
    region: "湖南省长沙市",
  };
}

beforeAll(() => {
  for (const entry of ["enrich", "indexer", "detector", "alerter"]) services.push(spawnService(`services/${entry}/src/main.ts`, serviceEnv));
});

afterEach((context) => {
  if (context.task.result?.state === "fail") for (const s of services) process.stderr.write(s.output().slice(-4000));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a burst through the real stack", () => {
  it("makes every post searchable with no stall, and the graded story among them raises its alert", async () => {
    const onset = new Date(Date.now() - 60 * 60_000);
    const story = explosionPosts(onset);
    const records = Array.from({ length: BACKGROUND }, (_, i) => background(i, onset));
    story.forEach((post, k) => records.splice(Math.floor(((k + 1) * BACKGROUND) / (story.length + 1)), 0, post as unknown as Record<string, string>));
    const file = join(dir, "burst.ndjson");
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n"));
    const replay = await cli(["replay", file, "--json"]);
    expect(replay.code, replay.stderr).toBe(0);
    const total = records.length;
    expect(JSON.parse(replay.stdout)).toMatchObject({ accepted: total, rejected: [] });

    const index = `${indexPrefix}docs`;
    await waitFor(
      async () => {
        await es.indices.refresh({ index });
        return (await es.count({ index })).count === total;
      },
      { timeoutMs: 150_000, intervalMs: 1_000, what: `all ${total} posts searchable` },
    );
    const alert = await waitFor(
      async () => {
        const result = await cli(["alerts", "--json"]);
        if (result.code !== 0) throw new Error(result.stderr);
        return (JSON.parse(result.stdout) as { alerts: ListedAlert[] }).alerts.find((a) => a.level === "II" && a.title.includes("化工"));
      },
      { timeoutMs: 90_000, intervalMs: 1_000, what: "the explosion's II alert" },
    );
    expect(alert.reason).toMatch(/12/);
    for (const s of services) {
      expect(s.output()).not.toContain("STAGE STUCK");
      expect(s.output()).not.toContain("batch failed, retrying");
    }
  });
});
