import { readFileSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "@liaowang/config";
import { createKafka, ensureTopics } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { readRawTopic } from "./topic.js";

// The ingest service as a real process on the real stack: push ingestion with bad lines, and a GB2312 feed
// served by a local HTTP server with "Content-Type: text/xml; charset=gb2312", both ending on the raw topic.

const TOKEN = "integration-token-0123456789";
const { env, topicPrefix } = isolatedEnv("ingest-service");
const log = createLogger({ service: "ingest-test", level: "warn" });
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS ?? "127.0.0.1:9092"], clientId: "ingest-test", topicPrefix }, log);
const dir = mkdtempSync(join(tmpdir(), "liaowang-ingest-"));
let feedServer: Server;
let service: SpawnedService;
let baseUrl: string;
let raw: Awaited<ReturnType<typeof readRawTopic>>;

beforeAll(async () => {
  const gb2312 = readFileSync(join(repoRoot, "test/fixtures/ingest/gb2312-feed.xml"));
  feedServer = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/xml; charset=gb2312" });
    res.end(gb2312);
  });
  await new Promise<void>((resolve) => feedServer.listen(0, "127.0.0.1", resolve));
  const feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/rss.xml`;
  const sourcesFile = join(dir, "sources.yaml");
  // A schedule that never fires during the test: polls happen at start-up and when the test asks.
  writeFileSync(sourcesFile, `sources:\n  - name: xinghe-gov\n    kind: rss\n    url: ${feedUrl}\n    schedule: "0 0 1 1 *"\n    region: 星河市\n`);

  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [`${topicPrefix}raw`]);
  await admin.disconnect();
  raw = await readRawTopic(kafka, `${topicPrefix}raw`);

  service = spawnService("services/ingest/src/main.ts", {
    ...env,
    LIAOWANG_DEMO: "off",
    INGEST_HTTP_PORT: "0",
    LIAOWANG_INGEST_TOKENS: TOKEN,
    INGEST_SOURCES_FILE: sourcesFile,
    INGEST_ALLOW_INTERNAL: "127.0.0.1",
    LOG_LEVEL: "info",
  });
  baseUrl = await waitFor(async () => /ingest listening on (http:\/\/[\d.:]+)/.exec(service.output())?.[1], { timeoutMs: 60_000, what: "the ingest service to listen" });
});

afterEach((context) => {
  if (context.task.result?.state === "fail") process.stderr.write(service.output().slice(-4000));
});

afterAll(async () => {
  await service?.stop();
  await raw?.stop();
  feedServer?.closeAllConnections();
  feedServer?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ingest service", () => {
  it("accepts NDJSON with invalid lines: 202 with each bad line's reason, and the valid ones reach the raw topic", async () => {
    const ndjson = readFileSync(join(repoRoot, "test/fixtures/ingest/mixed.ndjson"));
    const response = await fetch(`${baseUrl}/api/v1/documents`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" }, body: ndjson });
    expect(response.status).toBe(202);
    const report = (await response.json()) as { accepted: number; duplicates: number; rejected: { line: number; reason: string }[]; ids: string[] };
    expect(report.accepted).toBe(4);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 4, 6, 8]);
    expect(report.rejected[0]?.reason).toBe("line 3: publishedAt: required (expected string)");
    expect(report.rejected[3]?.reason).toMatch(/^line 8: url: /);

    const docs = await waitFor(async () => {
      const found = raw.docs.filter((d) => report.ids.includes(d.id));
      return found.length === 4 && found;
    }, { what: "the 4 pushed documents on the raw topic" });
    const explosion = docs.find((d) => d.source === "toutiao");
    expect(explosion).toMatchObject({
      sourceKind: "api",
      title: "城东化工园区爆炸致3人死亡",
      text: "据星河市应急管理局通报，5月1日9时30分许，城东化工园区一企业发生爆炸，造成3人死亡、12人受伤，伤者已送医救治。",
      publishedAt: "2024-05-01T02:20:00.000Z",
      region: "星河市",
    });

    // The same body again: nothing new reaches the topic (recent ids are remembered, and ids are content-derived).
    const again = await fetch(`${baseUrl}/api/v1/documents`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" }, body: ndjson });
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 4 });
  });

  it("decodes a GB2312 feed served with charset=gb2312 into exactly the right Chinese on the raw topic", async () => {
    const poll = await fetch(`${baseUrl}/api/v1/sources/xinghe-gov/poll`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(poll.status).toBe(200);
    expect(await poll.json()).toMatchObject({ source: "xinghe-gov", ok: true, charset: "gb18030 (header)", rejected: [] });
    const docs = await waitFor(async () => {
      const found = raw.docs.filter((d) => d.source === "xinghe-gov");
      return found.length >= 3 && found;
    }, { what: "the 3 feed items on the raw topic" });
    expect(new Set(docs.map((d) => d.id)).size).toBe(3);
    const byTitle = new Map(docs.map((d) => [d.title, d]));
    expect(byTitle.get("关于城东化工园区爆炸事故的情况通报")).toMatchObject({
      sourceKind: "rss",
      region: "星河市",
      text: "5月1日9时30分许，城东化工园区一企业发生爆炸事故，造成3人死亡、12人受伤。\n事故原因正在调查中，市应急管理局已启动应急响应。",
      url: "http://www.xinghe.gov.cn/xwfb/202405/t20240501_1.html",
      publishedAt: "2024-05-01T02:15:00.000Z",
    });
    expect(byTitle.get("市人社局集中处理农民工工资拖欠问题")?.text).toBe("针对群众反映的工资拖欠问题，市人社局会同住建部门开展专项检查，已为210名农民工追回工资386万元。");
    expect(byTitle.get("食品药品安全抽检结果公告（2024年第5期）")?.publishedAt).toBe("2024-05-01T08:40:00.000Z");
  });

  it("refuses pushes without a valid token", async () => {
    const response = await fetch(`${baseUrl}/api/v1/documents`, { method: "POST", headers: { "content-type": "application/json" }, body: "[]" });
    expect(response.status).toBe(401);
  });
});
