import { createHook } from "node:async_hooks";
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@liaowang/logger";
import { topicName, type RawDocument } from "@liaowang/schemas";
import { isolatedEnv } from "@liaowang/testing";
import { createKafka, createProducer, ensureTopics, type TypedProducer } from "../src/index.js";

// The producer against the real broker: many callers sending at once (push requests, enrich batches) share produce
// requests instead of queueing one acknowledged round trip each, and every record lands exactly once.

const { env, topicPrefix } = isolatedEnv("kafka-producer");
const log = createLogger({ service: "kafka-test", level: "silent" });
const kafka = createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS!], clientId: "kafka-producer-test", topicPrefix }, log);
const raw = topicName(topicPrefix, "raw");
let producer: TypedProducer;

function doc(i: number): RawDocument {
  return {
    v: 1,
    id: createHash("sha256").update(`p${i}`).digest("hex").slice(0, 32),
    source: "测试",
    sourceKind: "api",
    text: `第${i}条：某区居民反映小区连续停水三天，物业未作回应。`.repeat(4),
    publishedAt: "2026-11-20T02:00:00.000Z",
    ingestedAt: "2026-11-20T02:00:01.000Z",
    lang: "zh",
  };
}

async function records(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(raw)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [raw]);
  await admin.disconnect();
  // A small limit, so one caller's send is cut into several chunks and chunks of many callers must share requests.
  producer = await createProducer(kafka, topicPrefix, { maxBatchBytes: 64 * 1024 });
});

afterAll(async () => {
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [raw] }).catch(() => undefined);
  await admin.disconnect();
});

describe("createProducer", () => {
  it("carries the chunks of 200 concurrent sends in a few produce requests, each record once", async () => {
    await producer.send("raw", [doc(-1)]);
    const before = producer.stats();
    // 199 callers with one record each and one with 600 (~250 KB: cut into chunks below the 64 KiB limit).
    await Promise.all([...Array.from({ length: 199 }, (_, i) => producer.send("raw", [doc(i)])), producer.send("raw", Array.from({ length: 600 }, (_, i) => doc(1_000 + i)))]);
    const after = producer.stats();
    const chunks = after.chunks - before.chunks;
    const requests = after.requests - before.requests;
    expect(chunks).toBeGreaterThanOrEqual(199 + 4);
    // One request per round trip carries whatever queued meanwhile; one per chunk would be 200+.
    expect(requests).toBeLessThan(chunks / 4);
    expect(await records()).toBe(1 + 199 + 600);
  });

  it("refuses a message that does not match its topic's schema unless the caller says it is the schema's output", async () => {
    const before = await records();
    const bad = { ...doc(5_000), id: "not-a-content-id" };
    await expect(producer.send("raw", [doc(5_001), bad])).rejects.toThrow(/message 1 for topic .*raw does not match its schema: id/);
    expect(await records()).toBe(before);
    // `validated`: built from a schema parse by the caller (ingest, enrich), so not parsed again; produced as given.
    await producer.send("raw", [doc(5_002)], { validated: true });
    expect(await records()).toBe(before + 1);
  });

  it("produces prepared messages (encoded one by one) like sendAll, leaving out by index what alone is too large", async () => {
    const before = await records();
    const big = { ...doc(6_001), text: "超长正文".repeat(20_000) };
    const prepared = [doc(6_000), big, doc(6_002)].map((d) => producer.prepare("raw", d, { validated: true }));
    expect(prepared[1]!.bytes).toBeGreaterThan(64 * 1024);
    const tooLarge = await producer.sendPrepared("raw", prepared);
    expect(tooLarge).toEqual([expect.objectContaining({ index: 1, reason: expect.stringMatching(/more than topic .*raw accepts in one message/) })]);
    expect(await records()).toBe(before + 2);
    // Without `validated` the message is checked with its topic's schema when it is prepared; the error names its id.
    expect(() => producer.prepare("raw", { ...doc(6_003), sourceKind: "fax" } as unknown as RawDocument)).toThrow(/message \(id [0-9a-f]{32}\) for topic .*raw does not match its schema: sourceKind/);
  });

  it("computes each record batch's CRC-32C natively, the same checksum the broker verifies (patched kafkajs)", () => {
    // kafkajs 2.2.4 computes it byte by byte in JavaScript; the patch uses @node-rs/crc32 when its binary loads.
    const kafkajs = createRequire(dirname(createRequire(import.meta.url).resolve("kafkajs")) + "/");
    const crc32C = kafkajs("./src/protocol/recordBatch/crc32C/index.js") as ((buffer: Buffer) => number) & { native: boolean };
    const inJs = kafkajs("./src/protocol/recordBatch/crc32C/crc32C.js") as (buffer: Buffer) => number;
    expect(crc32C.native).toBe(true);
    // The CRC-32C check value (RFC 3720).
    expect(crc32C(Buffer.from("123456789"))).toBe(0xe3069283);
    for (const size of [0, 1, 7, 64, 1_000, 65_537]) {
      const bytes = randomBytes(size);
      expect(crc32C(bytes)).toBe(inJs(bytes));
    }
  });

  it("leaves the process asleep while idle: no timer per connection firing every millisecond (patched kafkajs)", async () => {
    // Unpatched kafkajs 2.2.4 re-armed a 1 ms timer after every response on every connection, forever: ~1,000 wake-ups
    // a second per connection, a few percent of a core per idle service (patches/kafkajs@2.2.4.patch).
    await producer.send("raw", [doc(-2)]);
    let timers = 0;
    const hook = createHook({ init: (_id, type) => void (type === "Timeout" && timers++) }).enable();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    hook.disable();
    // The 1 s wait above is one; kafkajs's own idle timers are a handful. The unpatched loop made ~1,000.
    expect(timers).toBeLessThan(50);
  });
});
