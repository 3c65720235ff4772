import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultConfigDir } from "@liaowang/config";
import { Analyzer, analyze } from "./analyzer.js";
import { recognizeForeign } from "./foreign.js";
import type { Analysis } from "./analyzer.js";
import { createSegmenter } from "./segmenter.js";
import { simhashDistance } from "./simhash.js";
import type { Segmenter } from "./segmenter.js";
import { tempDir } from "@liaowang/testing/temp";

let seg: Segmenter;
let analyzer: Analyzer;
beforeAll(() => {
  seg = createSegmenter();
  analyzer = new Analyzer();
}, 60_000);

function run(text: string, regionHint?: string): Analysis {
  const segments = seg.segments(text);
  return analyze(
    { text, segments, tokens: seg.contentTokens(segments), keywords: seg.keywords(text, 20), regionHint: regionHint === undefined ? undefined : seg.segments(regionHint) },
    analyzer.resources,
  );
}

describe("the shipped taxonomy, lexicons and place list", () => {
  it("load and validate", () => {
    const result = analyzer.reload();
    expect(result).toMatchObject({ topics: 14, categories: 4, changed: false });
    expect(result.lexiconWords).toBeGreaterThan(300);
    expect(result.ambiguousPlaces).toBeGreaterThan(20);
    expect(analyzer.resources.taxonomy.config.topics.map((t) => t.id)).toEqual([
      "疫情防控", "经济金融", "工资拖欠", "生态环境", "食品药品安全", "教育", "医疗", "养老", "住房保障", "安全生产", "防灾减灾救灾",
      "困难群众生活", "政策解读", "政府公信力",
    ]);
  });

  it("put each kind of post in its 民生热点 topic", () => {
    const cases: Record<string, string> = {
      "某区新增3例本土确诊病例，相关小区实行封控管理，全员开展核酸检测。": "疫情防控",
      "多家村镇银行储户无法取款，理财产品爆雷引发储户担忧。": "经济金融",
      "工地包工头拖欠农民工工资半年，二十多名工人讨薪无果。": "工资拖欠",
      "化工园区企业夜间偷排污水，河道出现黑臭水体，附近居民投诉恶臭。": "生态环境",
      "学校食堂发生食物中毒，市场监管局抽检发现食品过期变质。": "食品药品安全",
      "家长反映校外培训机构违规收费，教育局称将落实双减政策。": "教育",
      "患者反映医院挂号难、看病贵，异地就医报销周期太长。": "医疗",
      "养老院护理人员不足，老人反映养老金调整后仍不够用。": "养老",
      "小区烂尾楼迟迟不能交房，购房者要求开发商保交楼。": "住房保障",
      "一煤矿发生瓦斯爆炸事故，应急管理局责令停产整顿。": "安全生产",
      "受强降雨影响，山洪灾害致多地受灾，紧急转移安置群众。": "防灾减灾救灾",
      "民政局为低保户和特困人员发放临时救助金。": "困难群众生活",
      "市政府办公室印发实施方案，并发布政策解读和答记者问。": "政策解读",
      "网友质疑当地部门瞒报，相关部门互相推诿不作为。": "政府公信力",
    };
    for (const [text, topic] of Object.entries(cases)) expect(run(text).topics[0]?.id, text).toBe(topic);
  });
});

describe("analyze", () => {
  const REPORT =
    "湖南浏阳一烟花厂发生爆炸 已致3人死亡\n" +
    "6月3日14时许，湖南省长沙市浏阳市一烟花厂发生爆炸事故，截至4日8时，事故已造成十二人遇难、30余人受伤，仍有2人失联，" +
    "直接经济损失约1.2亿元。应急管理局已责令同类企业停产整顿。";

  it("reads topic, category, sentiment, places, figures and a SimHash from an accident report", () => {
    const a = run(REPORT);
    expect(a.topics[0]?.id).toBe("安全生产");
    expect(a.category).toBe("生产安全事故");
    expect(a.sentiment.label).toBe("negative");
    expect(a.regions.map((r) => r.name)).toEqual(["浏阳市", "长沙市", "湖南省"]);
    expect(a.figures.map((f) => `${f.kind}:${f.value}`)).toEqual(["deaths:3", "deaths:12", "injured:30", "missing:2", "loss_yuan:120000000"]);
    expect(a.simhash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("gives reposts nearly the same SimHash", () => {
    const original = run(REPORT).simhash;
    for (const repost of [`【转】${REPORT} #浏阳爆炸#`, REPORT.replace("十二人", "12人"), `转发：${REPORT.replace("应急管理局已责令同类企业停产整顿。", "")}`]) {
      expect(simhashDistance(run(repost).simhash, original), repost).toBeLessThanOrEqual(10);
    }
    expect(simhashDistance(run("某地一小区老人反映养老金调整后仍不够用，养老院护理人员不足。").simhash, original)).toBeGreaterThan(20);
  });

  it("tells praise from complaint", () => {
    expect(run("社区工作人员处置非常及时，问题妥善解决，群众纷纷点赞。").sentiment.label).toBe("positive");
    expect(run("投诉三个月了没人管，相关部门互相推诿，群众很不满意。").sentiment.label).toBe("negative");
    expect(run("市政府召开常务会议，研究部署下半年工作。").sentiment.label).toBe("neutral");
  });

  it("uses the post's region hint as a place and as context", () => {
    expect(run("朝阳区一小区停水", "北京市").regions.map((r) => r.code)).toEqual(["110105", "110000"]);
    expect(run("朝阳区一小区停水").regions).toEqual([]);
  });

  it("reads an organisation that is a place abroad (config/dict/foreign-actors.txt) as its country", () => {
    // 驻阿 names no one country (阿富汗, 阿联酋, 阿根廷 …); the Taliban put the story in 阿富汗.
    expect(run("3名袭击联合国驻阿机构的塔利班人员被击毙").abroad.map((p) => [p.code, p.name])).toEqual([["AF", "阿富汗"]]);
    expect(run("美联储宣布加息25个基点").abroad.map((p) => p.code)).toEqual(["US"]);
    // Named beside a place in China, the Chinese place still decides (see docScope): both are read.
    expect(run("塔利班代表团抵达北京").abroad.map((p) => p.code)).toEqual(["AF"]);
  });

  it("does not take 打死都 / 打死也 (no matter what) for a killing, nor 地震局 or 业绩地震 for an earthquake", () => {
    expect(run("他对别的女人狼心狗肺，打死都只爱我一个").category).toBeUndefined();
    expect(run("问他钱放哪了，他打死也不说").category).toBeUndefined();
    expect(run("男子酒后将邻居打死").category).toBe("社会安全事件");
    // institutions, metaphors and titles that name a disaster (real headlines local media carried)
    expect(run("国家公务员报名一周：气象局地震局变热门").category).toBeUndefined();
    expect(run("基金高管离职带来业绩地震").category).toBeUndefined();
    expect(run("小伙伴们都被《生活大爆炸》最新一集感动").category).toBeUndefined();
    expect(run("四川发生6.5级地震").category).toBe("自然灾害");
  });

  it("reads 打成重伤 as violent crime and 撞飞 as a road accident (real headlines that opened no incident)", () => {
    expect(run("高中女生受批评后找人将老师打成重伤").category).toBe("社会安全事件");
    expect(run("肇事司机搀伤员走向路边时被轿车撞飞").category).toBe("生产安全事故");
  });

  it("leaves fields empty for a text without any", () => {
    const a = run("今天天气晴。");
    expect(a).toMatchObject({ topics: [], regions: [], figures: [], sentiment: { label: "neutral" } });
    expect(a.category).toBeUndefined();
  });
});

describe("Analyzer.reload", () => {
  it("applies edited files, keeps the old data on a bad file, and skips unchanged files", { timeout: 60_000 }, () => {
    const dir = tempDir("liaowang-analyzer-");
    cpSync(join(defaultConfigDir, "taxonomy.yaml"), join(dir, "taxonomy.yaml"));
    cpSync(join(defaultConfigDir, "sentiment"), join(dir, "sentiment"), { recursive: true });
    cpSync(join(defaultConfigDir, "dict", "region-ambiguous.txt"), join(dir, "region-ambiguous.txt"));
    cpSync(join(defaultConfigDir, "dict", "foreign-ambiguous.txt"), join(dir, "foreign-ambiguous.txt"));
    const actorsPath = join(dir, "foreign-actors.txt");
    writeFileSync(actorsPath, "塔利班 AF\n");
    const local = new Analyzer({ configDir: dir, ambiguousPlacesPath: join(dir, "region-ambiguous.txt"), ambiguousForeignPath: join(dir, "foreign-ambiguous.txt"), foreignActorsPath: actorsPath });
    expect(local.paths).toHaveLength(8);
    const before = local.resources;

    const taxonomyPath = join(dir, "taxonomy.yaml");
    const original = readFileSync(taxonomyPath, "utf8");
    writeFileSync(taxonomyPath, original.replace("  - id: 政府公信力", "  - id: 网络安全\n    keywords: { 网络攻击: 3 }\n  - id: 政府公信力"));
    expect(local.reload()).toMatchObject({ topics: 15, changed: true });
    expect(local.resources.lexicon).toBe(before.lexicon);
    expect(local.resources.gazetteer).toBe(before.gazetteer);

    writeFileSync(join(dir, "sentiment", "degrees.txt"), "非常\n");
    expect(() => local.reload()).toThrowError(/degrees\.txt:1: degree word "非常" needs a factor/);
    expect(local.resources.taxonomy.config.topics).toHaveLength(15);

    writeFileSync(join(dir, "sentiment", "degrees.txt"), "非常 1.75\n");
    expect(local.reload().changed).toBe(true);
    expect(local.reload().changed).toBe(false);

    // The foreign actors: a bad line names the file and line and keeps what was loaded; a good edit applies.
    const taliban = (a: Analyzer) => recognizeForeign(["塔利班", "白宫"], a.resources.foreign).map((p) => p.code);
    expect(taliban(local)).toEqual(["AF"]);
    writeFileSync(actorsPath, "塔利班 AF\n白宫 USA\n");
    expect(() => local.reload()).toThrowError(/foreign-actors\.txt:2: expected a name and a two-letter country code, got "白宫 USA"/);
    writeFileSync(actorsPath, "塔利班 AF\n白宫 CN\n");
    expect(() => local.reload()).toThrowError(/foreign-actors\.txt:2: "CN" is not the ISO 3166-1 alpha-2 code of a country abroad/);
    expect(taliban(local)).toEqual(["AF"]);
    writeFileSync(actorsPath, "塔利班 AF\n白宫 US\n");
    local.reload();
    expect(taliban(local)).toEqual(["AF", "US"]);

    writeFileSync(taxonomyPath, "version: 1\ntopics: []\n");
    expect(() => local.reload()).toThrowError(/Invalid taxonomy .*taxonomy\.yaml/);
  });

  it("fails clearly when a file is missing", () => {
    expect(() => new Analyzer({ taxonomyPath: "/nonexistent/taxonomy.yaml" })).toThrowError(/Taxonomy file \/nonexistent\/taxonomy\.yaml does not exist/);
  });
});
