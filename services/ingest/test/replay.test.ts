import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "@liaowang/config";
import { createKafka } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { isolatedEnv, waitFor } from "@liaowang/testing";
import { runCaptured } from "../../../packages/cli/src/capture.js";
import { replayCommand } from "../../../packages/cli/src/replay.js";
import { readRawTopic } from "./topic.js";

// `pnpm liaowang replay` against the real stack: NDJSON with bad lines and a GB2312 feed file reach the raw topic.

const { env, topicPrefix } = isolatedEnv("replay");
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS ?? "127.0.0.1:9092"], clientId: "replay-test", topicPrefix }, createLogger({ service: "test", level: "warn" }));
const fixture = (name: string) => join(repoRoot, "test/fixtures/ingest", name);
let raw: Awaited<ReturnType<typeof readRawTopic>> | undefined;

const replay = (args: string[], extraEnv: Record<string, string> = {}) => runCaptured(args, { ...env, ...extraEnv }, replayCommand);

beforeAll(async () => {
  // The first replay creates the topic; read it afterwards from the beginning.
  const first = await replay([fixture("mixed.ndjson")]);
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  expect(first.stdout).toBe(
    [
      `replayed ${fixture("mixed.ndjson")} (ndjson) into ${topicPrefix}raw`,
      "accepted:   4",
      "duplicates: 0",
      "rejected:   4",
      "  line 3: publishedAt: required (expected string)",
      `  line 4: not valid JSON (Unexpected token 'h', "this line i"... is not valid JSON)`,
      "  line 6: record from weibo: text is empty after removing HTML and control characters",
      '  line 8: url: Invalid URL (got "ftp://not-http.example.com/x")',
      "",
    ].join("\n"),
  );
  raw = await readRawTopic(kafka, `${topicPrefix}raw`);
});

afterAll(async () => {
  await raw?.stop();
});

describe("replay", () => {
  it("puts the valid NDJSON records on the raw topic", async () => {
    const docs = await waitFor(async () => raw !== undefined && raw.docs.length >= 4 && raw.docs, { what: "4 replayed documents" });
    expect(docs.map((d) => d.source).sort()).toEqual(["12345-hotline", "douyin", "toutiao", "weibo"]);
    expect(docs.every((d) => d.sourceKind === "file")).toBe(true);
  });

  it("replays a GB2312 feed file as correct Chinese, and reports as JSON", async () => {
    const result = await replay([fixture("gb2312-feed.xml"), "--source", "xinghe-gov", "--region", "星河市", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { format: string; accepted: number; rejected: unknown[]; ids: string[] };
    expect(report).toMatchObject({ format: "feed", accepted: 3, rejected: [] });
    const docs = await waitFor(async () => {
      const found = raw?.docs.filter((d) => report.ids.includes(d.id)) ?? [];
      return found.length === 3 && found;
    }, { what: "3 feed items" });
    expect(docs.map((d) => d.title).sort()).toEqual(["关于城东化工园区爆炸事故的情况通报", "市人社局集中处理农民工工资拖欠问题", "食品药品安全抽检结果公告（2024年第5期）"].sort());
    expect(docs.every((d) => d.source === "xinghe-gov" && d.region === "星河市")).toBe(true);
  });

  it("keeps a feed item whose date cannot be read, at the replay time, flagged with what the feed said", async () => {
    const before = Date.now();
    const result = await replay([fixture("sample-atom.xml"), "--json"]);
    const report = JSON.parse(result.stdout) as { accepted: number; rejected: unknown[]; ids: string[] };
    expect(report).toMatchObject({ accepted: 3, rejected: [] });
    const doc = await waitFor(async () => raw?.docs.find((d) => report.ids.includes(d.id) && d.title === "日期无法识别的条目"), { what: "the undatable item" });
    expect(doc).toMatchObject({ flags: ["date_unreadable"], dateText: "下周一" });
    expect(Date.parse(doc.publishedAt)).toBeGreaterThanOrEqual(before - 1_000);
  });

  it("exits non-zero with a clear message when Kafka is unreachable, and 2 on bad usage", async () => {
    const down = await replay([fixture("mixed.ndjson")], { LIAOWANG_KAFKA_BROKERS: "127.0.0.1:1" });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^liaowang replay: Kafka is not reachable at 127\.0\.0\.1:1\./);
    expect((await replay([])).code).toBe(2);
    expect((await replay([fixture("nope.ndjson")])).stderr).toMatch(/^liaowang replay: cannot read .*nope\.ndjson: ENOENT/);
  });
});
