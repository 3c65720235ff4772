import { Writable } from "node:stream";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { invalidInput } from "@liaowang/errors";
import { createLogger } from "@liaowang/logger";
import type { RawDocument } from "@liaowang/schemas";
import type { FetchedFeed } from "./fetch.js";
import { Intake } from "./intake.js";
import { FeedPoller, readFetched } from "./poller.js";
import { SourceConfig } from "./sources.js";

const now = new Date("2024-05-01T02:00:00Z");
const gov = SourceConfig.parse({ name: "xinghe-gov", kind: "rss", url: "https://www.xinghe.gov.cn/rss.xml", schedule: "*/5 * * * *", region: "星河市" });
const api = SourceConfig.parse({ name: "hotline", kind: "json", url: "https://12345.xinghe.gov.cn/api/latest", schedule: "* * * * *" });
const broken = SourceConfig.parse({ name: "broken", kind: "atom", url: "https://down.example.cn/atom", schedule: "* * * * *" });

const RSS_GB = iconv.encode(
  `<?xml version="1.0" encoding="gb2312"?><rss><channel><item><title>城东化工厂爆炸</title><description>造成3人死亡</description><link>/a/1.html</link><pubDate>2024-05-01 09:00</pubDate></item><item><title>坏</title><pubDate>x</pubDate></item></channel></rss>`,
  "gb18030",
);

function fetched(url: string, bytes: Buffer | string, contentType?: string): FetchedFeed {
  return { url, status: 200, contentType, bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes) };
}

describe("readFetched", () => {
  it("decodes a GB2312 feed and gives every record the source's name and region", async () => {
    const { units, charset } = await readFetched(gov, fetched(gov.url, RSS_GB, "text/xml; charset=GB2312"), now);
    expect(charset).toBe("gb18030 (header)");
    expect(units[0]).toEqual({ at: { kind: "item", n: 1 }, ok: true, record: { source: "xinghe-gov", region: "星河市", title: "城东化工厂爆炸", text: "造成3人死亡", url: "https://www.xinghe.gov.cn/a/1.html", publishedAt: "2024-05-01T01:00:00.000Z" } });
    // An unreadable date keeps the item, at the fetch time, flagged with what the source wrote.
    expect(units[1]).toMatchObject({ ok: true, record: { title: "坏", publishedAt: now.toISOString() }, notes: { flags: ["date_unreadable"], dateText: "x" } });
  });

  it("reads a JSON source's records as that source", async () => {
    const body = JSON.stringify([{ source: "other", text: "投诉", publishedAt: "2024-05-01T00:00:00Z" }, { text: "无来源", publishedAt: "2024-05-01T00:00:00Z" }]);
    const { units } = await readFetched(api, fetched(api.url, body, "application/json"), now);
    expect(units.map((u) => (u.ok ? u.record.source : u.reason))).toEqual(["hotline", "hotline"]);
  });

  it("uses a configured charset whatever the server says", async () => {
    const lying = SourceConfig.parse({ ...gov, charset: "gbk" });
    const { units, charset } = await readFetched(lying, fetched(gov.url, RSS_GB, "text/xml; charset=utf-8"), now);
    expect(charset).toBe("gb18030 (override)");
    expect(units[0]).toMatchObject({ ok: true, record: { title: "城东化工厂爆炸" } });
  });
});

function harness(sources: SourceConfig[]) {
  const lines: string[] = [];
  const log = createLogger({ service: "test", level: "debug", destination: new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }) });
  const produced: RawDocument[] = [];
  const fetches: string[] = [];
  const fetcher = {
    fetch: async (url: string): Promise<FetchedFeed> => {
      fetches.push(url);
      if (url === broken.url) throw invalidInput(`${url} answered HTTP 404`);
      if (url === api.url) return fetched(url, JSON.stringify([{ text: "投诉：小区停水三天", publishedAt: "2024-05-01T00:00:00Z" }]));
      return fetched(url, RSS_GB, "text/xml; charset=gb2312");
    },
  };
  const intake = new Intake({ send: async (_key, docs) => void produced.push(...(docs as RawDocument[])) }, { now: () => now });
  const poller = new FeedPoller({ sources, timezone: "Asia/Shanghai", fetcher, intake, log, now: () => now });
  return { poller, produced, fetches, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("FeedPoller", () => {
  it("polls every enabled source on demand; a failing feed is reported and logged while the others flow", async () => {
    const disabled = SourceConfig.parse({ ...api, name: "off", enabled: false });
    const { poller, produced, logs } = harness([gov, broken, api, disabled]);
    const results = await poller.pollNow();
    expect(results.map((r) => [r.source, r.ok, r.accepted, r.rejected.length])).toEqual([["xinghe-gov", true, 2, 0], ["broken", false, 0, 0], ["hotline", true, 1, 0]]);
    expect(results[1]?.error).toBe("https://down.example.cn/atom answered HTTP 404");
    expect(produced.map((d) => [d.source, d.sourceKind, d.text]).sort()).toEqual([["hotline", "json", "投诉：小区停水三天"], ["xinghe-gov", "rss", "坏"], ["xinghe-gov", "rss", "造成3人死亡"]]);
    expect(produced.find((d) => d.text === "坏")).toMatchObject({ publishedAt: now.toISOString(), flags: ["date_unreadable"], dateText: "x" });
    expect(logs().find((l) => l["source"] === "broken")).toMatchObject({ level: 40, msg: "poll of broken failed; retrying at its next scheduled time" });
    expect(poller.status().map((s) => s.source).sort()).toEqual(["broken", "hotline", "xinghe-gov"]);
  });

  it("polls one source by name and refuses an unknown one", async () => {
    const { poller, fetches } = harness([gov, api]);
    expect((await poller.pollNow("hotline")).map((r) => r.source)).toEqual(["hotline"]);
    expect(fetches).toEqual([api.url]);
    await expect(poller.pollNow("nope")).rejects.toThrow('no source named "nope"; known: xinghe-gov, hotline');
  });

  it("runs polls of one source one after another, never at once", async () => {
    const { poller, fetches } = harness([gov]);
    const [a, b] = await Promise.all([poller.pollSource("xinghe-gov"), poller.pollSource("xinghe-gov")]);
    expect([a.ok, b.ok, fetches.length]).toEqual([true, true, 2]);
  });

  it("polls on its cron schedule until stopped", async () => {
    const everySecond = SourceConfig.parse({ ...gov, schedule: "* * * * * *" });
    const { poller, fetches } = harness([everySecond]);
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    await poller.stop();
    const polled = fetches.length;
    expect(polled).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(fetches.length).toBe(polled);
  });
});
