import { describe, expect, it } from "vitest";
import { unavailable } from "@liaowang/errors";
import type { RawDocument } from "@liaowang/schemas";
import { Deduper } from "./dedupe.js";
import { Intake, fromFeedItems, fromLines } from "./intake.js";
import type { RawProducer } from "./intake.js";
import { parseNdjson } from "./records.js";

/** An in-memory stand-in for the raw topic (glue test only; the real producer is covered by integration tests). */
class TopicFake implements RawProducer {
  readonly batches: RawDocument[][] = [];
  failNext = false;
  async send(key: "raw" | "enriched" | "deadLetter" | "incidents" | string, messages: unknown[]): Promise<void> {
    if (key !== "raw") throw new Error(`unexpected topic ${key}`);
    if (this.failNext) {
      this.failNext = false;
      throw unavailable("broker down");
    }
    this.batches.push(messages as RawDocument[]);
  }
  get docs(): RawDocument[] {
    return this.batches.flat();
  }
}

const now = () => new Date("2024-05-01T02:00:00Z");
const line = (text: string, extra: object = {}) => JSON.stringify({ source: "weibo", text, publishedAt: "2024-05-01T01:00:00Z", ...extra });

describe("Intake", () => {
  it("produces the valid records, reports each rejection by position, and counts in-batch duplicates", async () => {
    const topic = new TopicFake();
    const ndjson = [line("城东化工厂爆炸，3人死亡"), "{oops", line("<p>城东化工厂爆炸，3人死亡</p>"), line("<img>"), line("小区停水")].join("\n");
    const report = await new Intake(topic, { now }).accept(fromLines(parseNdjson(ndjson)), "api");
    expect(report.accepted).toBe(2);
    expect(report.duplicates).toBe(1);
    expect(report.rejected).toEqual([
      { where: "line 2", line: 2, reason: expect.stringMatching(/^line 2: not valid JSON/) },
      { where: "line 4", line: 4, reason: "line 4: record from weibo: text is empty after removing HTML and control characters" },
    ]);
    expect(topic.docs.map((d) => d.text)).toEqual(["城东化工厂爆炸，3人死亡", "小区停水"]);
    expect(report.ids).toEqual(topic.docs.map((d) => d.id));
    expect(topic.docs[0]).toMatchObject({ sourceKind: "api", ingestedAt: "2024-05-01T02:00:00.000Z" });
  });

  it("remembers produced ids across calls, but only after the send succeeded", async () => {
    const topic = new TopicFake();
    const intake = new Intake(topic, { deduper: new Deduper({ max: 100 }), now });
    const units = () => fromLines(parseNdjson(line("工资拖欠")));
    topic.failNext = true;
    await expect(intake.accept(units(), "rss")).rejects.toThrow("broker down");
    expect(await intake.accept(units(), "rss")).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await intake.accept(units(), "rss")).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it("splits large inputs into bounded produce calls and labels feed items", async () => {
    const topic = new TopicFake();
    const items = Array.from({ length: 7 }, (_, i) => ({ item: i + 1, ok: true as const, record: { source: "gov", text: `通报${i}`, publishedAt: "2024-05-01T00:00:00.000Z" } }));
    const report = await new Intake(topic, { now, maxBatchDocs: 3 }).accept(fromFeedItems([...items, { item: 8, ok: false, reason: "item 8: bad" }]), "rss");
    expect(topic.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(report).toMatchObject({ accepted: 7, rejected: [{ where: "item 8", item: 8, reason: "item 8: bad" }] });
  });

  it("says how much was already produced when a later batch fails", async () => {
    const topic = new TopicFake();
    let calls = 0;
    const flaky: RawProducer = {
      send: async (key, messages) => {
        if (++calls === 2) throw unavailable("broker down");
        await topic.send(key, messages);
      },
    };
    const units = fromLines(parseNdjson([line("一"), line("二"), line("三")].join("\n")));
    await expect(new Intake(flaky, { now, maxBatchDocs: 2 }).accept(units, "file")).rejects.toThrow("broker down (after 2 document(s) were already produced)");
  });
});
