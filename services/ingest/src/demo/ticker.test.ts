import { describe, expect, it } from "vitest";
import { IngestRecord } from "@liaowang/schemas";
import { TickerCatalog } from "./catalog.js";
import { chineseNumber, fill, IncidentTape, openIncident, renderPost } from "./ticker.js";
import { tickerSchedule } from "./runner.js";

/** A repeatable pseudo-random sequence (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const catalog = TickerCatalog.parse({
  regions: [{ name: "湖南省长沙市岳麓区", short: "长沙市岳麓区" }],
  sources: [
    { name: "demo-weibo", style: "social", authors: ["热心市民"] },
    { name: "demo-12345", style: "hotline", authors: ["12345热线"] },
  ],
  chatter: ["希望尽快处理。"],
  stories: [
    {
      id: "accident",
      topic: "安全生产",
      slots: { site: ["一座物流仓库"] },
      numbers: { deaths: [3, 3], injured: [12, 12] },
      titles: ["{region}{site}事故"],
      posts: { social: ["{region}{site}起火，{deaths:zh}人遇难、{injured}人受伤。{chatter}"], hotline: ["来电人反映：{region}{site}起火，{deaths}人死亡"] },
    },
  ],
});
const now = Date.parse("2024-05-01T02:00:00Z");

describe("chineseNumber", () => {
  it.each([[0, "零"], [3, "三"], [10, "十"], [12, "十二"], [30, "三十"], [99, "九十九"], [120, "120"]])("%d → %s", (n, zh) => {
    expect(chineseNumber(n)).toBe(zh);
  });
});

describe("renderPost", () => {
  it("writes a valid ingest record, timestamped now, in the source's style", () => {
    const random = seeded(1);
    const incident = openIncident(catalog, random, now);
    const posts = Array.from({ length: 20 }, () => renderPost(catalog, incident, random, now));
    for (const post of posts) expect(IngestRecord.safeParse(post).success).toBe(true);
    const social = posts.find((p) => p.source === "demo-weibo");
    const hotline = posts.find((p) => p.source === "demo-12345");
    expect(social).toMatchObject({ text: "长沙市岳麓区一座物流仓库起火，三人遇难、12人受伤。希望尽快处理。", region: "湖南省长沙市岳麓区", publishedAt: "2024-05-01T02:00:00.000Z", author: "热心市民" });
    expect(social?.title).toBeUndefined();
    expect(hotline).toMatchObject({ title: "长沙市岳麓区一座物流仓库事故", text: "来电人反映：长沙市岳麓区一座物流仓库起火，3人死亡" });
  });

  it("keeps unknown placeholders visible", () => {
    const incident = openIncident(catalog, seeded(2), now);
    expect(fill("{region}{nope}", incident, ["x"], seeded(3))).toBe("长沙市岳麓区{nope}");
  });
});

describe("IncidentTape", () => {
  it("keeps a few incidents open and retires them after their lifetime", () => {
    const tape = new IncidentTape(catalog, seeded(4), { maxOpen: 2, lifetimeMs: 60_000, openChance: 1 });
    tape.next(now);
    tape.next(now + 1_000);
    tape.next(now + 2_000);
    expect(tape.open).toHaveLength(2);
    tape.next(now + 120_000);
    expect(tape.open.map((i) => i.openedAt)).toEqual([now + 120_000]);
  });
});

describe("tickerSchedule", () => {
  it("spreads posts over the minute", () => {
    expect(tickerSchedule(6)).toBe("*/10 * * * * *");
    expect(tickerSchedule(60)).toBe("*/1 * * * * *");
    expect(tickerSchedule(1)).toBe("0 * * * * *");
    expect(tickerSchedule(0.2)).toBe("0 * * * * *");
  });
});
