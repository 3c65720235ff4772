import { beforeAll, describe, expect, it } from "vitest";
import { Analyzer, createSegmenter } from "@liaowang/nlp";
import type { Segmenter } from "@liaowang/nlp";
import { EnrichedDocument, SEGMENT_SEPARATOR } from "@liaowang/schemas";
import type { RawDocument } from "@liaowang/schemas";
import { defaultConfigDir } from "@liaowang/config";
import { loadJurisdiction } from "@liaowang/nlp/jurisdiction";
import { enrichDocument } from "./enrich.js";

let segmenter: Segmenter;
let analyzer: Analyzer;
beforeAll(() => {
  segmenter = createSegmenter();
  analyzer = new Analyzer();
}, 60_000);

const NOW = new Date("2026-06-04T01:00:00Z");

function raw(over: Partial<RawDocument> = {}): RawDocument {
  return {
    v: 1,
    id: "0123456789abcdef0123456789abcdef",
    source: "weibo",
    sourceKind: "webhook",
    title: "湖南浏阳一烟花厂发生爆炸",
    text: "6月3日14时许，浏阳市一烟花厂发生爆炸事故，已造成十二人遇难、30余人受伤，直接经济损失约1.2亿元。群众质疑企业长期违规生产，监管部门不作为。",
    publishedAt: "2026-06-03T06:10:00Z",
    ingestedAt: "2026-06-03T06:11:00Z",
    lang: "zh",
    ...over,
  };
}

describe("enrichDocument", () => {
  it("adds topics, category, sentiment, regions, figures and SimHash that the document schema accepts", () => {
    const doc = enrichDocument(raw(), segmenter, { keywords: 20, analysis: analyzer.resources }, NOW);
    expect(EnrichedDocument.parse(doc)).toEqual(doc);
    expect(doc.topics?.[0]?.id).toBe("安全生产");
    expect(doc.category).toBe("生产安全事故");
    expect(doc.sentiment?.label).toBe("negative");
    expect(doc.regions).toEqual([
      { code: "430181", name: "浏阳市", level: "county", province: "湖南省" },
      { code: "430100", name: "长沙市", level: "city", province: "湖南省" },
      { code: "430000", name: "湖南省", level: "province", province: "湖南省" },
    ]);
    expect(doc.figures).toEqual([
      { kind: "deaths", value: 12, approx: false, unit: "人", text: "十二人遇难" },
      { kind: "injured", value: 30, approx: true, min: 30, unit: "人", text: "30余人受伤" },
      { kind: "loss_yuan", value: 120_000_000, approx: true, unit: "元", text: "直接经济损失约1.2亿元" },
    ]);
    expect(doc.timeRef).toEqual({ kind: "current" });
    expect(doc.simhash).toMatch(/^[0-9a-f]{16}$/);
    expect(doc.enrichedAt).toBe(NOW.toISOString());
  });

  it("reads the post's scope against the jurisdiction, for the search filter", () => {
    const jurisdiction = (area: string) => loadJurisdiction({ configDir: defaultConfigDir, env: { LIAOWANG_JURISDICTION: area }, gazetteer: analyzer.resources.gazetteer });
    const options = (area: string) => ({ keywords: 20, analysis: analyzer.resources, jurisdiction: jurisdiction(area) });
    // 浏阳市 is a county of 长沙市
    expect(enrichDocument(raw(), segmenter, options("长沙市"), NOW).scope).toBe("本地");
    expect(enrichDocument(raw(), segmenter, options("株洲市"), NOW).scope).toBe("外地");
    const tourists = raw({ title: "长沙籍游客在泰国遇险", text: "一批长沙籍游客在泰国普吉岛遇险，当地警方正在搜救。" });
    expect(enrichDocument(tourists, segmenter, options("长沙市"), NOW).scope).toBe("涉本地");
    expect(EnrichedDocument.parse(enrichDocument(tourists, segmenter, options("长沙市"), NOW)).scope).toBe("涉本地");
    // no jurisdiction, no scope
    expect(enrichDocument(raw(), segmenter, { keywords: 20, analysis: analyzer.resources }, NOW).scope).toBeUndefined();
  });

  it("grounds figures in the post's publication time", () => {
    const recalled = raw({ title: "浏阳烟花厂爆炸十周年", text: "2016年6月3日，浏阳市一烟花厂爆炸，造成十二人遇难。", publishedAt: "2026-06-03T06:10:00Z" });
    const doc = enrichDocument(recalled, segmenter, { keywords: 10, analysis: analyzer.resources }, NOW);
    expect(doc.timeRef).toEqual({ kind: "past", cue: "周年", year: 2016 });
    expect(doc.figures?.map((f) => [f.kind, f.value, f.time])).toEqual([["deaths", 12, "past"]]);
    const fresh = raw({ title: "浏阳一烟花厂爆炸", text: "6月3日14时许，浏阳市一烟花厂爆炸，造成十二人遇难。", publishedAt: "2026-06-03T06:10:00Z" });
    expect(enrichDocument(fresh, segmenter, { keywords: 10, analysis: analyzer.resources }, NOW).figures?.[0]?.time).toBeUndefined();
  });

  it("segments title and text once, exactly as segmenting them together would", () => {
    const r = raw({ title: "COVID-19 防控 ABC", text: "def 24小时内发布权威信息" });
    const doc = enrichDocument(r, segmenter, { keywords: 10 }, NOW);
    expect(doc.tokens).toEqual(segmenter.tokensForIndex(`${r.title}\n${r.text}`));
    expect(doc.titleSeg.split(SEGMENT_SEPARATOR).join("")).toBe(r.title);
    expect(doc.textSeg.split(SEGMENT_SEPARATOR).join("")).toBe(r.text);
  });

  it("takes keywords from the segments it already cut, exactly as keywords() of the whole text gives them", () => {
    for (const r of [raw(), raw({ title: "ＣＯＶＩＤ－19 防控：２４小时内发布", text: "def 24小时内发布权威信息，损失约1.2亿元。" }), raw({ title: undefined })]) {
      const full = r.title ? `${r.title}\n${r.text}` : r.text;
      const doc = enrichDocument(r, segmenter, { keywords: 20 }, NOW);
      const direct = segmenter.keywords(full, 20).map((k) => ({ word: k.word, weight: Math.round(k.weight * 10_000) / 10_000 }));
      expect(doc.keywords).toEqual(direct);
      expect(direct.length).toBeGreaterThan(0);
    }
  });

  it("reads the ingest record's region as a place", () => {
    const doc = enrichDocument(raw({ title: undefined, text: "朝阳区一小区连续三天停水，居民投诉无人处理。", region: "北京市" }), segmenter, { keywords: 10, analysis: analyzer.resources }, NOW);
    expect(doc.regions?.map((r) => r.name)).toEqual(["朝阳区", "北京市"]);
  });

  it("produces only tokens and keywords without analysis resources", () => {
    const doc = enrichDocument(raw(), segmenter, { keywords: 5 }, NOW);
    expect(doc.keywords).toHaveLength(5);
    expect(doc).not.toHaveProperty("topics");
    expect(doc).not.toHaveProperty("simhash");
  });
});
