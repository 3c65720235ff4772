import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readConfigFile, repoRoot } from "@liaowang/config";
import { loadSources, mergeSources, normaliseRecord, readFetched, SELF_ORIGIN } from "@liaowang/ingest";
import { createKafka, ensureTopics } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { IngestRecord } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { TickerCatalog } from "../src/demo/catalog.js";
import { renderDemoFeed } from "../src/demo/feeds.js";
import { IncidentTape } from "../src/demo/ticker.js";
import { readRawTopic } from "./topic.js";

// The shipped config and demo content are valid, and `pnpm start`'s demo mode puts live data on the raw topic.

const configDir = join(repoRoot, "config");

describe("shipped sources and demo content", () => {
  const demo = loadSources(join(configDir, "sources.demo.yaml"));

  it("sources.yaml and sources.demo.yaml are valid and do not clash", () => {
    const main = loadSources(join(configDir, "sources.yaml"));
    expect(mergeSources([main, demo]).sources.length).toBe(main.sources.length + demo.sources.length);
    expect(demo.sources.every((s) => s.url.startsWith(`${SELF_ORIGIN}/demo/feeds/`))).toBe(true);
  });

  it("every demo feed is served and read back without a single rejection, in Chinese", async () => {
    const files = readdirSync(join(configDir, "demo/feeds"));
    const now = new Date();
    for (const source of demo.sources) {
      const file = source.url.slice(`${SELF_ORIGIN}/demo/feeds/`.length);
      expect(files).toContain(file);
      const feed = renderDemoFeed(file, readFileSync(join(configDir, "demo/feeds", file), "utf8"), now);
      const { units } = await readFetched(source, { url: source.url, status: 200, contentType: feed.contentType, bytes: feed.body }, now);
      expect(units.filter((u) => !u.ok)).toEqual([]);
      expect(units.length).toBeGreaterThanOrEqual(4);
      for (const unit of units) {
        if (!unit.ok) continue;
        expect(unit.record.text).toMatch(/[\u4e00-\u9fff]/);
        expect(Date.parse(unit.record.publishedAt)).toBeLessThanOrEqual(now.getTime());
      }
    }
  });

  it("the ticker catalogue writes valid, non-empty posts in every story and style", () => {
    const catalog = readConfigFile(join(configDir, "demo/ticker.yaml"), TickerCatalog);
    const tape = new IncidentTape(catalog, Math.random, { maxOpen: 8, lifetimeMs: 60_000, openChance: 0.5 });
    const now = Date.now();
    const posts = Array.from({ length: 500 }, (_, i) => tape.next(now + i * 1_000));
    for (const post of posts) {
      const record = IngestRecord.parse(post);
      expect(post.text).not.toMatch(/\{[a-zA-Z:]+\}/);
      expect(post.title ?? "").not.toMatch(/\{[a-zA-Z:]+\}/);
      expect(normaliseRecord(record, "webhook", now).text.length).toBeGreaterThan(10);
    }
    expect(new Set(posts.map((p) => p.source))).toEqual(new Set(catalog.sources.map((s) => s.name)));
  });
});

describe("demo mode", () => {
  const { env, topicPrefix } = isolatedEnv("ingest-demo");
  const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS ?? "127.0.0.1:9092"], clientId: "ingest-demo-test", topicPrefix }, createLogger({ service: "test", level: "warn" }));
  let service: SpawnedService | undefined;
  let raw: Awaited<ReturnType<typeof readRawTopic>> | undefined;

  afterEach((context) => {
    if (context.task.result?.state === "fail") process.stderr.write(service?.output().slice(-4000) ?? "");
  });
  afterAll(async () => {
    await service?.stop();
    await raw?.stop();
  });

  it("serves and polls the demo feeds and runs the ticker, with no internet needed", async () => {
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [`${topicPrefix}raw`]);
    await admin.disconnect();
    raw = await readRawTopic(kafka, `${topicPrefix}raw`);
    service = spawnService("services/ingest/src/main.ts", { ...env, LIAOWANG_DEMO: "on", INGEST_HTTP_PORT: "0", INGEST_DEMO_POSTS_PER_MINUTE: "60", LOG_LEVEL: "info" });
    const docs = raw.docs;
    const sources = ["demo-gov-news", "demo-housing", "demo-market", "demo-12345"];
    await waitFor(async () => sources.every((s) => docs.some((d) => d.source === s)) && docs.filter((d) => d.sourceKind === "webhook").length >= 3, {
      timeoutMs: 60_000,
      what: "documents from every demo feed and 3 ticker posts",
    });
    const gov = docs.find((d) => d.title === "关于望城经开区一化工企业爆炸事故的情况通报");
    expect(gov).toMatchObject({ sourceKind: "rss", region: "湖南省长沙市" });
    expect(gov?.text).toContain("造成3人死亡、12人受伤");
    const tick = docs.find((d) => d.sourceKind === "webhook");
    expect(Date.now() - Date.parse(tick?.publishedAt ?? "")).toBeLessThan(120_000);
    expect(await service.stop()).toBe(0);
  });
});
