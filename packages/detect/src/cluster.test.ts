import { describe, expect, it } from "vitest";
import { EXPLOSION_POSTS } from "./__fixtures__/explosion.js";
import { facilityDoc } from "./__fixtures__/facilities.js";
import { storyDoc } from "./__fixtures__/stories.js";
import type { StoryName } from "./__fixtures__/stories.js";
import { DEFAULT_CLUSTER_CONFIG } from "./cluster-config.js";
import { applyAssignment, assign, expire, similarity } from "./cluster.js";
import type { Assignment } from "./cluster.js";
import { detectionTime } from "./event-time.js";
import { simhash64, tokenFeatures } from "./hash.js";
import { hamming } from "./similarity.js";
import { parseIncidentState } from "./incident-state.js";
import type { IncidentState } from "./incident-state.js";
import { incidentIdFor } from "./incident.js";
import type { DocFeatures } from "./types.js";

const T0 = Date.parse("2024-07-01T01:10:00+08:00");
const MIN = 60_000;
const HOUR = 3_600_000;

/** Feeds documents through `assign` like the detector does, keeping the open set. */
function run(docs: DocFeatures[], now = T0 + HOUR, start: IncidentState[] = []): { open: IncidentState[]; results: Assignment[] } {
  let open = start;
  const results: Assignment[] = [];
  for (const d of docs) {
    const r = assign(open, d, now);
    results.push(r);
    open = applyAssignment(open, r);
  }
  return { open, results };
}

const at = (name: StoryName, minutes: number, overrides: Partial<DocFeatures> = {}): DocFeatures => storyDoc(name, T0 + minutes * MIN, overrides);

describe("assign: one story from three sources", () => {
  const docs = [at("xinhua", 0), at("yongzhou", 25), at("weibo", 40)];

  it("opens exactly one incident with the first post as 首发 and grades it II with the reason", () => {
    const { open, results } = run(docs);
    expect(open).toHaveLength(1);
    const inc = open[0] as IncidentState;
    expect(results.map((r) => r.changes[0])).toEqual(["opened", "grew", "grew"]);
    expect(inc.id).toBe(incidentIdFor("doc-xinhua"));
    expect(inc.firstPost).toMatchObject({ id: "doc-xinhua", source: "新华网", publishedAt: T0 });
    expect(inc.onsetAt).toBe(T0);
    expect(inc.volume).toBe(3);
    expect(inc.sources.count).toBe(3);
    expect(inc.sources.list).toEqual(["新华网", "永州发布", "微博"]);
    expect(inc.level).toBe("II");
    expect(inc.gradeReason).toBe("据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）");
    expect(inc.gradeHistory).toEqual([{ at: T0 + HOUR, from: null, to: "II", reason: "据1个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）" }]);
    expect(inc.figures.deaths).toMatchObject({ value: 12, sourceCount: 3, sources: ["新华网", "永州发布", "微博"] });
    expect(inc.regions[0]).toMatchObject({ code: "431129", count: 3 });
    expect(inc.keywords.map((k) => k.word)).toEqual(expect.arrayContaining(["煤矿", "透水事故", "遇难"]));
    expect(inc.velocity).toBe(3);
    expect(inc.posts.length).toBeGreaterThanOrEqual(2);
    expect(inc.timeline[0]).toMatchObject({ kind: "first_post", source: "新华网" });
  });

  it("keeps look-alikes apart: another mine flood in the same province, another province, other news from the county", () => {
    const { open } = run([...docs, at("chenzhou", 50), at("shanxi", 55), at("shenzhen", 60), at("gaokao", 65), at("wages", 70), at("followup", 90)]);
    const byOpener = Object.fromEntries(open.map((i) => [i.openedBy, i]));
    expect(Object.keys(byOpener).sort()).toEqual(["doc-chenzhou", "doc-gaokao", "doc-shanxi", "doc-shenzhen", "doc-wages", "doc-xinhua"]);
    expect(byOpener["doc-xinhua"]?.volume).toBe(4);
    expect(byOpener["doc-chenzhou"]?.level).toBe("III");
    expect(byOpener["doc-shanxi"]?.level).toBe("III");
    expect(byOpener["doc-gaokao"]?.level).toBeNull();
  });

  it("keeps two explosions at different plants in two counties of one city apart, though residents describe them alike", () => {
    // Two residents' 首发 a few seconds apart, real jieba output; the same words but for the plant and the county. In
    // one incident the second explosion's 通报 (II) joined the first's and no alert of its own came out.
    const changsha = { code: "430100", name: "长沙市", level: "city", province: "湖南省" } as const;
    const hunan = { code: "430000", name: "湖南省", level: "province", province: "湖南省" } as const;
    const post = (id: string, title: string, text: string, keywords: string, tokens: string, county: { code: string; name: string }): DocFeatures => ({
      id,
      source: `微博网友@${id}`,
      title,
      text,
      publishedAt: T0,
      tokens: tokens.split(" "),
      keywords: keywords.split(" ").map((kv) => ({ word: kv.split(":")[0] ?? "", weight: Number(kv.split(":")[1]) })),
      simhash: simhash64(tokenFeatures(tokens.split(" "))),
      topics: [],
      regions: [{ ...county, level: "county", province: "湖南省" }, changsha, hunan],
      sentiment: 0,
      figures: [],
    });
    const yuelu = post(
      "yuelu",
      "岳麓区鑫达化工厂爆炸",
      "岳麓区鑫达化工厂刚才一声巨响，浓烟滚滚，附近窗户玻璃都震碎了，好像是鑫达化工厂爆炸了！",
      "化工厂:28.2026 岳麓区:23.4784 爆炸:14.3109 是鑫达:11.7392 震碎:11.7392 浓烟滚滚:11.5981 巨响:8.7767 窗户:7.8628 玻璃:6.894 刚才:5.7557 附近:5.1693 一声:5.1527",
      "岳麓区 鑫 达 化工厂 爆炸 岳麓区 鑫 达 化工厂 刚才 一声 巨响 浓烟滚滚 附近 窗户 玻璃 震碎 是鑫达 化工厂 爆炸",
      { code: "430104", name: "岳麓区" },
    );
    const ningxiang = post(
      "ningxiang",
      "宁乡市新达化工厂爆炸",
      "宁乡市新达化工厂刚才一声巨响，浓烟滚滚，附近窗户玻璃都震碎了，好像是新达化工厂爆炸了！",
      "新达:35.2176 化工厂:28.2026 宁乡市:23.4784 爆炸:14.3109 震碎:11.7392 浓烟滚滚:11.5981 巨响:8.7767 窗户:7.8628 玻璃:6.894 刚才:5.7557 附近:5.1693 一声:5.1527",
      "宁乡市 新达 化工厂 爆炸 宁乡市 新达 化工厂 刚才 一声 巨响 浓烟滚滚 附近 窗户 玻璃 震碎 新达 化工厂 爆炸",
      { code: "430182", name: "宁乡市" },
    );
    const { open, results } = run([yuelu, ningxiang]);
    expect(results.map((r) => r.changes[0])).toEqual(["opened", "opened"]);
    expect(open.map((i) => i.firstPost.title).sort()).toEqual(["宁乡市新达化工厂爆炸", "岳麓区鑫达化工厂爆炸"]);
  });

  it("keeps accidents at two named facilities apart however alike their reports read, and joins posts naming the same one", () => {
    // Two 通报 of one template in one county: the same words and places, only the mine's name differs (the
    // bench's 华远煤矿 and 华源煤矿 stories became one incident).
    const report = (id: string, name: string, deaths: number, minutes: number) => {
      const tokens = ["关于", "江华县", name, "透水事故", "情况", "通报", "江华瑶族自治县", name, "发生", "透水事故", "截至", "事故", "造成", String(deaths), "人", "遇难", String(deaths * 2), "人", "受伤", "搜救", "工作", "进行", "事故", "原因", "调查"];
      return at("xinhua", minutes, {
        id,
        title: `关于江华县${name}透水事故的情况通报`,
        text: `江华瑶族自治县${name}发生透水事故。截至目前，事故已造成${deaths}人遇难、${deaths * 2}人受伤，搜救工作仍在进行，事故原因正在调查中。`,
        tokens,
        simhash: simhash64(tokenFeatures(tokens)),
      });
    };
    const first = report("huayuan-1", "华远煤矿", 12, 0);
    const other = report("huayuan-2", "华源煤矿", 19, 10);
    const again = { ...report("huayuan-3", "华远煤矿", 12, 20), text: "华远煤矿透水事故救援持续，江华瑶族自治县全力搜救。" };
    // Not reposts of each other: their words decide, and the words are the same.
    expect(hamming(first.simhash, other.simhash)).toBeGreaterThan(DEFAULT_CLUSTER_CONFIG.nearDuplicateDistance);
    expect(similarity(assign([], first, T0).incident, other).keywordSimilarity).toBeGreaterThanOrEqual(0.99);
    // Posts naming no facility ("当地煤矿", or the county's name before 煤矿) match both alike: they join one of them,
    // and do not merge the two.
    const vague = [report("huayuan-4", "当地煤矿", 12, 30), report("huayuan-5", "江华煤矿", 12, 40)];
    const { open, results } = run([first, other, again, ...vague]);
    expect(results.map((r) => r.changes[0])).toEqual(["opened", "opened", "grew", "grew", "grew"]);
    expect(results.some((r) => r.merged)).toBe(false);
    expect(open.map((i) => i.openedBy)).toEqual(["huayuan-1", "huayuan-2"]);
    expect(open.map((i) => i.volume).reduce((a, b) => a + b)).toBe(5);
    expect(open.find((i) => i.openedBy === "huayuan-1")?.recentDocIds).toEqual(expect.arrayContaining(["huayuan-1", "huayuan-3"]));
    expect(open.find((i) => i.openedBy === "huayuan-2")?.recentDocIds).not.toContain("huayuan-3");
    // A post naming no facility ("江华一煤矿") still joins the story its words match.
    expect(run([first, at("weibo", 30)]).results[1]?.changes[0]).toBe("grew");
  });

  it("scores same-story posts above the join threshold and look-alikes below it", () => {
    const { open } = run(docs);
    const inc = open[0] as IncidentState;
    expect(similarity(inc, at("followup", 90)).score).toBeGreaterThanOrEqual(DEFAULT_CLUSTER_CONFIG.joinThreshold);
    for (const other of ["chenzhou", "shanxi", "shenzhen", "gaokao", "wages"] as const) {
      expect(similarity(inc, at(other, 90)).score, other).toBeLessThan(DEFAULT_CLUSTER_CONFIG.joinThreshold);
    }
  });

  it("is deterministic: the same stream gives the same incident whatever the processing time", () => {
    const a = run(docs, T0 + HOUR).open[0] as IncidentState;
    const b = run(docs, T0 + 5 * HOUR).open[0] as IncidentState;
    expect(b.id).toBe(a.id);
    expect(b.level).toBe(a.level);
    expect(b.keywords).toEqual(a.keywords);
  });
});

describe("assign: reposts, redeliveries, late posts, windows", () => {
  it("joins a near-duplicate repost even without keywords or places, and keeps it out of the representative posts", () => {
    const original = at("xinhua", 0);
    const repostTokens = ["转发", ...original.tokens];
    const repost = at("xinhua", 30, {
      id: "doc-repost",
      source: "微博用户",
      tokens: repostTokens,
      simhash: simhash64(tokenFeatures(repostTokens)),
      keywords: [],
      regions: [],
      metrics: { reposts: 0 },
    });
    const { open, results } = run([original, repost]);
    expect(open).toHaveLength(1);
    expect(results[1]?.match).toMatchObject({ nearDuplicate: true, score: 1 });
    expect(open[0]?.posts.map((p) => p.id)).toEqual(["doc-xinhua"]);
  });

  it("treats a redelivered document as a duplicate that changes nothing", () => {
    const { open } = run([at("xinhua", 0), at("yongzhou", 10)]);
    const again = assign(open, at("yongzhou", 10), T0 + 2 * HOUR);
    expect(again.changes).toEqual(["duplicate"]);
    expect(again.incident).toBe(open[0]);
  });

  it("moves the onset and 首发 back when an earlier post arrives late", () => {
    const { open, results } = run([at("yongzhou", 30), at("xinhua", 0)]);
    expect(open).toHaveLength(1);
    expect(results[1]?.changes).toContain("onset_moved");
    expect(open[0]).toMatchObject({ onsetAt: T0, firstPost: { source: "新华网" }, id: incidentIdFor("doc-yongzhou") });
    expect(open[0]?.timeline.map((e) => e.kind)).toContain("earlier_post");
  });

  // Issue 9 finding 3: a back-dated (or absurdly dated) post moved the 首发 and every deadline with it.
  it("never lets a post with an implausible date move the onset: detection places it at its ingest time", () => {
    const ingestedAt = new Date(T0 + 40 * MIN).toISOString();
    for (const claimed of ["1001-05-01T00:00:00.000Z", new Date(T0 - 47 * HOUR).toISOString(), "9999-12-31T00:00:00.000Z"]) {
      const t = detectionTime({ publishedAt: claimed, ingestedAt, flags: ["date_out_of_window"] });
      const { open, results } = run([at("yongzhou", 30), at("xinhua", 0, { publishedAt: t })]);
      expect(results.map((r) => r.changes[0])).toEqual(["opened", "grew"]);
      expect(results[1]?.changes).not.toContain("onset_moved");
      expect(open[0]).toMatchObject({ onsetAt: T0 + 30 * MIN, lastActivityAt: T0 + 40 * MIN });
    }
    // Unflagged, the claimed time is the time.
    expect(detectionTime({ publishedAt: new Date(T0).toISOString(), ingestedAt })).toBe(T0);
  });

  it("opens a new incident for a post after the window has passed", () => {
    const late = DEFAULT_CLUSTER_CONFIG.windowMs / MIN + 60;
    const { open } = run([at("xinhua", 0), at("yongzhou", late)], T0 + 100 * HOUR);
    expect(open).toHaveLength(2);
  });

  it("upgrades the grade as figures grow and records each change", () => {
    const { open, results } = run([
      at("chenzhou", 0),
      at("chenzhou", 30, { id: "doc-update", source: "湖南日报", figures: [{ kind: "deaths", value: 10, approx: false, text: "死亡人数升至10人" }] }),
    ]);
    expect(results[1]?.changes).toContain("regraded");
    expect(open[0]?.level).toBe("II");
    expect(open[0]?.gradeHistory.map((g) => [g.from, g.to])).toEqual([
      [null, "III"],
      ["III", "II"],
    ]);
    expect(open[0]?.timeline.some((e) => e.kind === "regraded" && e.text.startsWith("定级升级：III级 → II级。"))).toBe(true);
  });
});

describe("assign: merging a story found split in two", () => {
  const config = { ...DEFAULT_CLUSTER_CONFIG, mergeThreshold: 0.45 };

  it("merges two incidents of the same story into the older one when a post bridges them", () => {
    const a = assign([], at("xinhua", 0), T0).incident;
    const b = assign([], at("weibo", 20), T0 + MIN).incident;
    const r = assign([a, b], at("yongzhou", 30), T0 + 2 * MIN, config);
    expect(r.changes).toContain("merged");
    expect(r.incident.id).toBe(a.id);
    expect(r.incident.volume).toBe(3);
    expect(r.incident.mergedFrom).toEqual([b.id]);
    expect(r.merged?.absorbed).toEqual([expect.objectContaining({ id: b.id, status: "merged", mergedInto: a.id })]);
    expect(r.incident.figures.deaths?.sourceCount).toBe(3);
    expect(applyAssignment([a, b], r).map((i) => i.id)).toEqual([a.id]);
  });

  it("does not merge different accidents that a vague province-level post resembles", () => {
    const jianghua = assign([], at("xinhua", 0), T0).incident;
    const chenzhou = assign([], at("chenzhou", 5), T0).incident;
    const vague = at("chenzhou", 20, {
      id: "doc-vague",
      source: "某自媒体",
      regions: [{ code: "430000", name: "湖南省", level: "province", province: "湖南省" }],
      keywords: [
        { word: "湖南", weight: 6 },
        { word: "煤矿", weight: 14 },
        { word: "透水事故", weight: 12 },
        { word: "遇难", weight: 18 },
        { word: "井下", weight: 9 },
      ],
    });
    const r = assign([jianghua, chenzhou], vague, T0 + MIN, { ...DEFAULT_CLUSTER_CONFIG, mergeThreshold: 0.3 });
    expect(r.changes).not.toContain("merged");
    expect(r.merged).toBeUndefined();
  });
});

describe("assign: a post bridging two incidents of one story (arrival order)", () => {
  const [eyewitness, video, , report, , repost] = EXPLOSION_POSTS as [DocFeatures, DocFeatures, DocFeatures, DocFeatures, DocFeatures, DocFeatures];

  it("merges the incidents a post joins when they name the same place and category, below the merge threshold", () => {
    const story = run([eyewitness, video]).open;
    const alone = assign(story, repost, T0).incident;
    expect(alone.openedBy).toBe(repost.id);
    const r = assign([...story, alone], report, T0 + MIN);
    expect(r.match?.score).toBeLessThan(DEFAULT_CLUSTER_CONFIG.mergeThreshold);
    expect(r.changes).toContain("merged");
    expect(r.incident).toMatchObject({ volume: 4, firstPost: { id: eyewitness.id }, onsetAt: eyewitness.publishedAt });
  });

  it("does not bridge incidents of another category or another county", () => {
    const story = run([eyewitness, video]).open;
    const otherCategory = { ...assign(story, repost, T0).incident, category: "社会安全事件" };
    expect(assign([...story, otherCategory], report, T0 + MIN).changes).not.toContain("merged");
    const yuelu = [{ code: "430104", name: "岳麓区", level: "county", province: "湖南省" }] as const;
    const elsewhere = assign(story, { ...repost, regions: yuelu }, T0).incident;
    expect(elsewhere.openedBy).toBe(repost.id);
    expect(assign([...story, elsewhere], report, T0 + MIN).changes).not.toContain("merged");
  });
});

describe("assign: local stories at named facilities (the bench's 25 stories under background traffic)", () => {
  it("does not merge a tunnel collapse into a post that uses the tunnel's name for a person", () => {
    // The bench's 明达隧道 通报 matched both its 首发's incident and an older finance post on a 刘明达 (the shared word
    // 明达; the post names no place to disagree with): the two were merged, under the finance post's 首发 and title.
    const person = assign([], facilityDoc("finance", T0 - 10 * MIN), T0).incident;
    const tunnel = assign([person], facilityDoc("mingdaFirst", T0), T0).incident;
    expect(tunnel.openedBy).toBe("doc-mingdaFirst");
    const r = assign([person, tunnel], facilityDoc("mingdaReport", T0 + MIN), T0 + MIN);
    expect(r.merged).toBeUndefined();
    expect(r.incident).toMatchObject({ id: tunnel.id, volume: 2, level: "II", firstPost: { title: "岳塘区明达隧道坍塌" } });
    // A post on the person does not join the tunnel's story either.
    expect(similarity(r.incident, facilityDoc("finance", T0 + 2 * MIN, { id: "doc-finance-2" }), DEFAULT_CLUSTER_CONFIG, 0).regionFactor).toBe(0);
  });

  it("keeps two facilities of one district apart when one's name also spells a place elsewhere (安达水库, 安达市)", () => {
    // The bench's 盛源商场 通报 (石鼓区), arriving when its 首发's incident was not among the candidates, joined the
    // 安达水库 story of the same district: enrichment lists 安达市 (黑龙江省) for 安达水库, which made 安达 read as a place
    // and the reservoir as no named facility, so nothing told the two 通报 of one template apart.
    const dam = run([facilityDoc("andaFirst", T0), facilityDoc("andaReport", T0 + MIN)]).open;
    expect(dam).toHaveLength(1);
    expect(dam[0]).toMatchObject({ volume: 2, level: "II" });
    // The 通报 first, then the 首发 (another partition's lag), and the other way round.
    for (const order of [["shengyuanReport", "shengyuanFirst"], ["shengyuanFirst", "shengyuanReport"]] as const) {
      const { open, results } = run([facilityDoc(order[0], T0 + 10 * MIN), facilityDoc(order[1], T0 + 11 * MIN)], T0 + HOUR, dam);
      expect(results.map((r) => r.changes[0]), order[0]).toEqual(["opened", "grew"]);
      expect(results.some((r) => r.merged)).toBe(false);
      expect(open.map((i) => [i.firstPost.title, i.volume, i.level])).toEqual([
        ["石鼓区安达水库溃坝", 2, "II"],
        [order[0] === "shengyuanFirst" ? "石鼓区盛源商场火灾" : "关于石鼓区盛源商场火灾事故的情况通报", 2, "II"],
      ]);
    }
  });

  it("lets a 通报 join at its lower similarity only an incident naming the same places, not one naming none", () => {
    // The bench's 永远水库 通报 shared only template words (溃坝, 受伤) with an older placeless post on a 污水池 that
    // burst: enough at a statement's lower threshold, as "the places agree" held for an incident naming none, and the
    // 通报 bridged that post's incident and its own 首发's, under the other post's title.
    const sewage = assign([], facilityDoc("sewage", T0 - 10 * MIN), T0).incident;
    const dam = assign([sewage], facilityDoc("yongyuanFirst", T0), T0).incident;
    expect(dam.openedBy).toBe("doc-yongyuanFirst");
    const report = facilityDoc("yongyuanReport", T0 + MIN);
    expect(similarity(sewage, report, DEFAULT_CLUSTER_CONFIG, 0).score).toBeGreaterThanOrEqual(DEFAULT_CLUSTER_CONFIG.joinThreshold * DEFAULT_CLUSTER_CONFIG.statementJoinFactor);
    const r = assign([sewage, dam], report, T0 + MIN);
    expect(r.merged).toBeUndefined();
    expect(r.incident).toMatchObject({ id: dam.id, volume: 2, level: "II", firstPost: { title: "望城区永远水库溃坝" } });
    // Alone, the 通报 opens its own incident rather than join the placeless one.
    expect(assign([sewage], report, T0 + MIN).changes[0]).toBe("opened");
  });

  it("still joins a follow-up of the same facility and a post naming no facility to the story", () => {
    const { open, results } = run([
      facilityDoc("mingdaFirst", T0),
      facilityDoc("tunnelVague", T0 + 2 * MIN),
      facilityDoc("mingdaReport", T0 + 5 * MIN),
      facilityDoc("mingdaReport", T0 + 30 * MIN, { id: "doc-mingda-again", source: "湘潭发布", text: "明达隧道坍塌事故搜救持续，岳塘区全力救援。" }),
    ]);
    expect(results.map((r) => r.changes[0])).toEqual(["opened", "grew", "grew", "grew"]);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ volume: 4, level: "II" });
  });

  it("joins a post naming the facility to a story giving its name beside its kind (明达一隧道, 孟买一化工厂)", () => {
    // The name is used, but for the same kind of place: not something else, as 刘明达 was.
    const vague = facilityDoc("mingdaFirst", T0, { id: "doc-vague-name", title: "岳塘区明达一隧道坍塌", text: "岳塘区明达一隧道刚才塌方了，工人被困在里面" });
    const story = assign([], vague, T0).incident;
    expect(similarity(story, facilityDoc("mingdaReport", T0 + MIN)).regionFactor).toBe(1);
    expect(assign([story], facilityDoc("mingdaReport", T0 + MIN), T0 + MIN).changes[0]).toBe("grew");
  });
});

describe("incident state is serialisable", () => {
  it("round-trips through JSON and continues exactly as the in-memory state would", () => {
    const first = run([at("xinhua", 0), at("yongzhou", 25)]).open;
    const restored = first.map((i) => parseIncidentState(JSON.parse(JSON.stringify(i))));
    expect(restored).toEqual(first);
    const next = at("weibo", 40);
    expect(assign(restored, next, T0 + HOUR)).toEqual(assign(first, next, T0 + HOUR));
  });

  it("rejects corrupt stored state naming the incident and the field", () => {
    const inc = run([at("xinhua", 0)]).open[0] as IncidentState;
    expect(() => parseIncidentState({ ...inc, volume: -1 })).toThrow(new RegExp(`stored incident ${inc.id} is not valid incident state: volume`));
    expect(() => parseIncidentState(null)).toThrow(/stored incident \(no id\)/);
  });
});

describe("expire", () => {
  it("expires incidents quiet for longer than the window at the event-time watermark", () => {
    const { open } = run([at("xinhua", 0), at("shanxi", 600)]);
    const watermark = T0 + DEFAULT_CLUSTER_CONFIG.windowMs + 300 * MIN;
    const expired = expire(open, watermark, T0 + 1000 * HOUR);
    expect(expired.map((i) => [i.openedBy, i.status, i.closedAt])).toEqual([["doc-xinhua", "expired", T0 + 1000 * HOUR]]);
    expect(expire(open, T0 + 10 * HOUR, T0 + 1000 * HOUR)).toEqual([]);
  });
});

describe("validation", () => {
  it("rejects documents without a usable id, time or simhash", () => {
    expect(() => assign([], at("xinhua", 0, { id: "" }), T0)).toThrow(/without id/);
    expect(() => assign([], at("xinhua", 0, { publishedAt: Number.NaN }), T0)).toThrow(/doc-xinhua: publishedAt/);
    expect(() => assign([], at("xinhua", 0, { simhash: "xyz" }), T0)).toThrow(/doc-xinhua: simhash "xyz"/);
  });
});

describe("assign: one word in common is no story in common", () => {
  /** A post from its words (weights as jieba's TF-IDF gives them), naming no place. */
  function post(id: string, text: string, keywords: [string, number][], regions: DocFeatures["regions"] = []): DocFeatures {
    const tokens = keywords.map(([word]) => word);
    return storyDoc("gaokao", T0, { id, title: undefined, text, tokens, keywords: keywords.map(([word, weight]) => ({ word, weight })), simhash: simhash64(tokenFeatures(tokens)), regions, figures: [] });
  }
  const yuelu = [{ code: "430104", name: "岳麓区", level: "county", province: "湖南省" }] as const;
  // Real texts of the evaluation (paraphrased here): a joke about exes and a murder that share only 女友.
  const joke = post("doc-joke", "你真的要开启最近访客功能了吗？那我以后怎么看女友、前女友、女友的前男友", [["女友", 46.5], ["前女友", 46.4], ["讨厌", 24.5], ["前男友", 23.9], ["访客", 11.8], ["对象", 11.8]]);
  const murder = post("doc-murder", "男子因女友提出分手将其掐死", [["掐死", 10.1], ["女友", 9.3], ["分手", 8.0], ["男子", 6.7], ["提出", 4.7]]);

  it("keeps a short post apart from an incident it shares a single heavy word with", () => {
    const story = assign([], joke, T0).incident;
    const m = similarity(story, murder);
    // On its words alone it would have joined (0.4 is the join threshold) …
    expect(m.keywordSimilarity).toBeGreaterThanOrEqual(DEFAULT_CLUSTER_CONFIG.joinThreshold);
    // … but 女友 is all it shares.
    expect(m.score).toBe(0);
    expect(assign([story], murder, T0 + MIN).incident.openedBy).toBe("doc-murder");
  });

  it("still joins a post that shares two words, and a post of a single word that shares it", () => {
    const story = assign([], { ...murder, regions: [...yuelu] }, T0).incident;
    const followUp = post("doc-murder-2", "岳麓区掐死女友男子被刑拘", [["掐死", 10.1], ["女友", 9.3], ["刑拘", 9.0]], [...yuelu]);
    expect(assign([story], followUp, T0 + MIN)).toMatchObject({ incident: { id: story.id, volume: 2 } });
    const oneWord = post("doc-murder-3", "岳麓区掐死", [["掐死", 10.1]], [...yuelu]);
    expect(similarity(story, oneWord).score).toBeGreaterThan(0);
  });

  it("asks more of the words when neither the post nor the incident names a place", () => {
    // A crime headline and the joke, no place named: 女友 / 前女友 are roles, not a story (on the 11,686 texts the two,
    // a murder and two more crimes became one incident this way).
    const kidnap = post("doc-kidnap", "男子绑架前女友索要10万赎金", [["前女友", 11.6], ["赎金", 10.1], ["索要", 9.4], ["绑架", 8.6], ["男子", 6.7]]);
    const story = assign([], kidnap, T0).incident;
    const m = similarity(story, joke);
    expect(m.keywordSimilarity).toBeGreaterThanOrEqual(DEFAULT_CLUSTER_CONFIG.joinThreshold);
    expect(m.keywordSimilarity).toBeLessThan(DEFAULT_CLUSTER_CONFIG.placelessJoinThreshold);
    expect(m.score).toBe(0);
    // The same words with the place named: one story.
    const placed = assign([], { ...kidnap, regions: [...yuelu] }, T0).incident;
    expect(similarity(placed, { ...joke, regions: [...yuelu] }).score).toBeGreaterThanOrEqual(DEFAULT_CLUSTER_CONFIG.joinThreshold);
  });
});
