import { beforeAll, describe, expect, it } from "vitest";
import { createSegmenter } from "./segmenter.js";
import type { Segmenter } from "./segmenter.js";

const PARAGRAPH =
  "6月3日，某市一化工厂发生爆炸事故，造成3人死亡、12人受伤，直接经济损失约1.2亿元。事故发生后，应急管理局第一时间启动应急响应，" +
  "市政府召开新闻发布会通报情况，发布权威信息。网信办提醒网民不信谣、不传谣，对散布网络谣言的依法处理。应急管理局表示将开展安全生产隐患排查。";

let seg: Segmenter;
beforeAll(() => {
  seg = createSegmenter();
}, 60_000);

describe("Segmenter.cut with the production dictionaries", () => {
  it("keeps digits whole", () => {
    expect(seg.cut("24小时内发布")).toContain("24");
    expect(seg.cut("2024年6月3日")).toEqual(expect.arrayContaining(["2024", "6", "3"]));
    expect(seg.cut("拨打12345反映")).toContain("12345");
  });

  it("keeps decimals, percentages and Latin words whole", () => {
    expect(seg.cut("直接经济损失约1.2亿元")).toEqual(expect.arrayContaining(["1.2", "亿元"]));
    expect(seg.cut("同比增长3.5%")).toContain("3.5%");
    expect(seg.cut("COVID-19疫情")).toEqual(["COVID-19", "疫情"]);
    expect(seg.cut("5G基站和PM2.5监测")).toEqual(expect.arrayContaining(["5G", "PM2.5"]));
  });

  it("reads full-width letters and digits like half-width ones", () => {
    expect(seg.cut("２４小时")).toEqual(["２４", "小时"]);
    expect(seg.tokensForIndex("ＣＯＶＩＤ－１９疫情")).toEqual(["covid-19", "疫情"]);
  });

  it("keeps user-dictionary terms as one token", () => {
    const cases: Record<string, string> = {
      国务院办公厅印发通知: "国务院办公厅",
      加强政务舆情工作: "政务舆情",
      做好舆情回应: "舆情回应",
      拨打12345热线反映问题: "12345热线",
      落实先诊疗后付费政策: "先诊疗后付费",
      推进家庭医生签约: "家庭医生签约",
      建档立卡户: "建档立卡",
      国家卫生健康委发布: "国家卫生健康委",
      市场监管局介入调查: "市场监管局",
      群众到信访局反映工资拖欠: "工资拖欠",
    };
    for (const [text, term] of Object.entries(cases)) expect(seg.cut(text), text).toContain(term);
  });

  it("keeps policy terms, document numbers' issuers and hotline names whole", () => {
    const cases: Record<string, string[]> = {
      "根据国办发〔2016〕61号文件": ["国办发", "2016", "61"],
      "进一步加强政务公开工作": ["政务公开"],
      "市政府召开新闻发布会通报舆情处置情况": ["新闻发布会", "舆情处置"],
      "网民通过12345热线反映": ["12345热线"],
      "依照属地管理、分级负责、谁主管谁负责的原则": ["属地管理", "分级负责", "谁主管谁负责"],
      "按照政府信息公开条例依申请公开": ["政府信息公开条例", "依申请公开"],
      "推行一网通办和接诉即办": ["一网通办", "接诉即办"],
      "启动Ⅳ级应急响应": ["Ⅳ级", "应急响应"],
      "中央环保督察组进驻后": ["中央环保督察组"],
      "今年政府工作报告提出": ["政府工作报告"],
    };
    for (const [text, terms] of Object.entries(cases)) expect(seg.cut(text), text).toEqual(expect.arrayContaining(terms));
  });

  it("keeps government bodies whole", () => {
    const tokens = seg.cut("省应急管理厅、市卫健委、县市场监管局、区人社局、住建局、信访局、国家防总、网信部门和宣传部门");
    expect(tokens).toEqual(expect.arrayContaining(["应急管理厅", "卫健委", "市场监管局", "人社局", "住建局", "信访局", "国家防总", "网信部门", "宣传部门"]));
  });

  it("keeps the names of provinces, cities and counties whole", () => {
    const cases: Record<string, string[]> = {
      湖南省长沙市浏阳市发生爆炸: ["湖南省", "长沙市", "浏阳市"],
      恩施土家族苗族自治州巴东县: ["恩施土家族苗族自治州", "巴东县"],
      天津市静海区: ["天津市", "静海区"],
      张家口市万全区: ["张家口市", "万全区"],
      西双版纳傣族自治州景洪市: ["西双版纳傣族自治州", "景洪市"],
      神农架林区: ["神农架林区"],
    };
    for (const [text, names] of Object.entries(cases)) expect(seg.cut(text), text).toEqual(names.length === 1 ? names : expect.arrayContaining(names));
    // A place name never takes a character from a common word after it.
    expect(seg.cut("河东区域经济")).toEqual(["河东", "区域", "经济"]);
    expect(seg.cut("南京市长江大桥")).toEqual(["南京市", "长江大桥"]);
  });

  it("keeps numbers with units and Latin words whole in mixed text", () => {
    expect(seg.cut("24小时内发布权威信息")).toEqual(expect.arrayContaining(["24", "小时"]));
    expect(seg.cut("建成5G基站1.2万个")).toEqual(expect.arrayContaining(["5G", "1.2"]));
    expect(seg.cut("COVID-19疫情造成直接经济损失1.2亿元")).toEqual(expect.arrayContaining(["COVID-19", "1.2", "亿元"]));
    expect(seg.cut("ｉＰｈｏｎｅ１５和ＰＭ２．５")).toEqual(["ｉＰｈｏｎｅ１５", "和", "ＰＭ２．５"]);
  });

  it("drops whitespace but keeps punctuation", () => {
    expect(seg.cut("你好， 世界\n")).toEqual(["你好", "，", "世界"]);
    // Whitespace first, last, repeated, ideographic and no-break spaces; and none at all.
    expect(seg.cut(" 市民\u3000反映\t\r\n 问题\u00a0")).toEqual(["市民", "反映", "问题"]);
    expect(seg.cut("\u3000\u3000")).toEqual([]);
    expect(seg.cut("市民反映问题。")).toEqual(seg.segments("市民反映问题。"));
  });

  it("re-joins digits and Latin words wherever they stand, and only there", () => {
    // Numbers at the start, the end, beside whitespace and punctuation, in a text with emoji.
    expect(seg.cut("2024年")).toEqual(["2024", "年"]);
    expect(seg.cut("伤亡人数升至24")).toEqual(expect.arrayContaining(["24"]));
    expect(seg.cut("约 1.2 亿元")).toEqual(["约", "1.2", "亿元"]);
    expect(seg.cut("😀24人受伤😀")).toEqual(expect.arrayContaining(["24"]));
    expect(seg.cut("伤亡人数升至24").join("")).toBe("伤亡人数升至24");
    // A list of numbers stays a list, and a text without ASCII is handed back as the engine cut it.
    expect(seg.cut("3,5,7号楼")).toEqual(expect.arrayContaining(["3", ",", "5", ",", "7"]));
    expect(seg.cut("小区居民反映停水")).toEqual(["小区", "居民", "反映", "停水"]);
  });
});

describe("Segmenter.segments", () => {
  it("covers the original text exactly", () => {
    for (const text of [PARAGRAPH, "２４小时 ＣＯＶＩＤ－１９\r\n", "emoji 😀 和\u0000控制符\uD800", "  ", ""]) {
      expect(seg.segments(text).join("")).toBe(text);
    }
  });
});

describe("Segmenter.contentTokens", () => {
  it("filters precomputed segments exactly like tokensForIndex", () => {
    const title = "COVID-19 防控 ABC";
    const text = "def 24小时内发布权威信息，群众不满意。";
    const segments = [...seg.segments(title), "\n", ...seg.segments(text)];
    expect(seg.contentTokens(segments)).toEqual(seg.tokensForIndex(`${title}\n${text}`));
  });
});

describe("Segmenter.tokensForIndex", () => {
  it("removes stop words, punctuation and whitespace and lowercases Latin", () => {
    const tokens = seg.tokensForIndex("我们的COVID-19防控工作， 是 非常 重要的。");
    expect(tokens).toEqual(["covid-19", "防控", "工作", "非常", "重要"]);
  });

  it("keeps negations for sentiment", () => {
    expect(seg.tokensForIndex("群众不满意")).toContain("不");
  });
});

describe("Segmenter.cutForSearch", () => {
  it("adds the words inside long words and filters like index tokens", () => {
    const tokens = seg.cutForSearch("国务院办公厅的通知");
    expect(tokens).toEqual(expect.arrayContaining(["国务院", "办公厅", "国务院办公厅", "通知"]));
    expect(tokens).not.toContain("的");
  });

  it("keeps Latin words and numbers whole", () => {
    expect(seg.cutForSearch("COVID-19 24小时")).toEqual(["covid-19", "24", "小时"]);
  });

  it("gives the same terms from segments already cut, and cuts again when they do not cover the text", () => {
    for (const text of [PARAGRAPH, "ＣＯＶＩＤ－１９疫情防控，拨打12345热线", "启动Ⅳ级应急响应😀", ""]) {
      expect(seg.cutForSearchOfSegments(text, seg.segments(text)), text).toEqual(seg.cutForSearch(text));
    }
    expect(seg.cutForSearchOfSegments("国务院办公厅", ["国务院"])).toEqual(seg.cutForSearch("国务院办公厅"));
  });
});

describe("Segmenter.keywords", () => {
  it("ranks the topical words of a realistic paragraph", () => {
    const keywords = seg.keywords(PARAGRAPH, 15);
    const words = keywords.map((k) => k.word);
    expect(keywords).toHaveLength(15);
    // Mentioned twice, so first; user-dictionary words are absent from the IDF table and get its average IDF.
    expect(words.slice(0, 2)).toEqual(["应急管理局", "事故"]);
    expect(words).toEqual(expect.arrayContaining(["网信办", "网络谣言", "直接经济损失", "新闻发布会", "安全生产"]));
    for (const k of keywords) {
      expect([...k.word].length).toBeGreaterThan(1);
      expect(seg.isStopWord(k.word)).toBe(false);
      expect(k.weight).toBeGreaterThan(0);
    }
    for (let i = 1; i < keywords.length; i++) expect(keywords[i - 1]!.weight).toBeGreaterThanOrEqual(keywords[i]!.weight);
    expect(words).not.toContain("1.2");
  });

  it("counts whole Latin words and, when asked, numbers", () => {
    expect(seg.keywords("COVID-19疫情防控，COVID-19疫苗", 3).map((k) => k.word)).toContain("covid-19");
    expect(seg.keywords("损失1.2亿元", 5, { includeNumbers: true }).map((k) => k.word)).toContain("1.2");
  });

  it("returns nothing for empty text or topN 0", () => {
    expect(seg.keywords("", 5)).toEqual([]);
    expect(seg.keywords(PARAGRAPH, 0)).toEqual([]);
  });
});

describe("Segmenter.keywordsOfSegments", () => {
  // Our own sentences; the expected top words are what the former nodejieba extractor gave for them.
  const SENTENCES: Array<[string, string[]]> = [
    [
      "6月3日，某市一化工厂发生爆炸事故，造成3人死亡、12人受伤，直接经济损失约1.2亿元。应急管理局第一时间启动应急响应，应急管理局表示将开展安全生产隐患排查。",
      ["应急管理局", "安全生产", "应急响应", "直接经济损失", "第一时间", "隐患排查", "某市", "发生爆炸"],
    ],
    ["小区居民反映连续三天停水，物业公司迟迟没有回应，多名业主拨打12345热线投诉，住建部门称已责令物业公司限期整改。", ["物业公司", "12345热线"]],
    [
      "受强降雨影响，多个乡镇出现山洪和泥石流，防汛抗旱指挥部启动Ⅳ级应急响应，转移安置群众两千余人。",
      ["强降雨", "ⅳ级", "应急响应", "转移安置", "防汛抗旱指挥部", "两千余", "山洪", "泥石流"],
    ],
    ["网传某中学食堂饭菜变质导致学生腹泻，教育局和市场监管局联合调查，目前学生已无大碍，食堂暂停营业。", ["食堂", "暂停营业", "市场监管局", "网传", "学生", "大碍", "教育局", "饭菜"]],
  ];

  it("ranks the segments already cut exactly as keywords() ranks the text, with the former extractor's top words", () => {
    for (const [text, top] of SENTENCES) {
      const fromSegments = seg.keywordsOfSegments(text, seg.segments(text), 8);
      expect(fromSegments, text).toEqual(seg.keywords(text, 8));
      expect(fromSegments.map((k) => k.word).slice(0, top.length), text).toEqual(top);
    }
  });

  it("weighs a word by its count × IDF: twice mentioned, twice the weight", () => {
    const once = seg.keywords("泥石流冲毁道路", 5).find((k) => k.word === "泥石流");
    const twice = seg.keywords("泥石流冲毁道路，泥石流", 5).find((k) => k.word === "泥石流");
    expect(once?.weight).toBeGreaterThan(5);
    expect(twice?.weight).toBeCloseTo(2 * (once?.weight ?? 0), 6);
  });

  it("reads full-width text like keywords() and falls back to cutting when the segments do not cover the text", () => {
    const text = "ＣＯＶＩＤ－１９疫情防控，ＣＯＶＩＤ－１９疫苗接种";
    expect(seg.keywordsOfSegments(text, seg.segments(text), 5)).toEqual(seg.keywords(text, 5));
    expect(seg.keywordsOfSegments(text, ["ＣＯＶＩＤ"], 5)).toEqual(seg.keywords(text, 5));
  });
});
