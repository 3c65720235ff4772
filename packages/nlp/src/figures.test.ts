import { describe, expect, it } from "vitest";
import { FIGURE_WORDS, KIND_WORD_LIST, extractFigures, maxFigures } from "./figures.js";
import type { Figure, FigureKind } from "./figures.js";

/** kind:value with "~" for approximate and [min,max] when bounded: compact enough to read many cases. */
function brief(text: string): string[] {
  return extractFigures(text).map((f) => {
    const bounds = f.min !== undefined || f.max !== undefined ? `[${f.min ?? ""},${f.max ?? ""}]` : "";
    return `${f.kind}:${f.approx ? "~" : ""}${f.value}${bounds}`;
  });
}

describe("extractFigures: casualties", () => {
  it("reads the common phrasings of deaths, injuries, missing and trapped people", () => {
    const cases: Record<string, string[]> = {
      造成十二人遇难: ["deaths:12"],
      "30余人受伤": ["injured:~30[30,]"],
      "已致3人死亡、2人失联": ["deaths:3", "missing:2"],
      死亡人数上升至23人: ["deaths:23"],
      "事故造成3人死亡，12人受伤，其中2人重伤": ["deaths:3", "injured:12", "seriously_injured:2"],
      "死亡3人、受伤12人、失踪1人": ["deaths:3", "injured:12", "missing:1"],
      一名50岁男子经抢救无效死亡: ["deaths:1"],
      "3名工人当场遇难，另有5名工人被困井下": ["deaths:3", "trapped:5"],
      "井下仍有两人被困": ["trapped:2"],
      遇难者人数已升至二十三人: ["deaths:23"],
      "截至目前，事故共造成3死2伤": ["deaths:3", "injured:2"],
      "共有一百零五人受伤送医": ["injured:105"],
      "12名伤者已送医救治": ["injured:12"],
      "2人受重伤，5人受轻伤": ["seriously_injured:2", "injured:5"],
      "新增死亡病例3例": ["deaths:3"],
      "目前已有十几人失联": ["missing:~11[11,19]"],
      "数十人受伤": ["injured:~20[20,90]"],
      "上百人被困": ["trapped:~100[100,]"],
      "造成3至5人死亡": ["deaths:~3[3,5]"],
      "约3-5人受伤": ["injured:~3[3,5]"],
      "二三十人受伤": ["injured:~20[20,30]"],
      "近30人死亡": ["deaths:~29[,29]"],
      "超过10人遇难": ["deaths:~10[10,]"],
      "10人以上受伤": ["injured:~10[10,]"],
      "约20人受伤": ["injured:~20"],
      "约有20人受伤": ["injured:~20"],
      "已有逾百人受伤": ["injured:~100[100,]"],
      "导致1名女子当场身亡，另有一人受伤": ["deaths:1", "injured:1"],
      "已有68人遇难，另有数十人失踪": ["deaths:68", "missing:~20[20,90]"],
      "致1死1伤": ["deaths:1", "injured:1"],
      "３人死亡，１２人受伤": ["deaths:3", "injured:12"],
      "3人不幸遇难": ["deaths:3"],
      "造成12万人受灾": ["affected:120000"],
      "受灾人口3.5万人，紧急转移安置1200余人": ["affected:35000"],
      "受灾群众达1.2万余人": ["affected:~12000[12000,]"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });

  it("keeps the span, the unit and the bounds", () => {
    expect(extractFigures("当日3名工人当场死亡。")).toEqual([{ kind: "deaths", value: 3, approx: false, unit: "人", text: "3名工人当场死亡" }]);
    expect(extractFigures("约30余人受伤")[0]).toMatchObject({ text: "约30余人受伤", approx: true, min: 30 });
  });

  it("ignores rates, denials, dates, phone numbers and numbers that count something else", () => {
    for (const text of [
      "该病死亡率为3%",
      "死亡率下降至2.1%",
      "事故未造成人员伤亡",
      "3名工人均未受伤",
      "暂无人员死亡",
      "3人赶赴现场调查死亡原因",
      "2023年6月3日死亡",
      "死亡3天后才被发现",
      "咨询电话0731-12345678，受伤人员请就近就医",
      "拨打13812345678",
      "第一人民医院收治伤员",
      "多人受伤",
      "其他人员死亡率较低",
    ]) {
      expect(brief(text), text).toEqual([]);
    }
  });

  it("does not read one number twice", () => {
    expect(brief("3人死亡2人受伤")).toEqual(["deaths:3", "injured:2"]);
  });

  it("reports every update but not exact repeats", () => {
    const text = "3人死亡。据最新通报，3人死亡，死亡人数上升至5人。";
    expect(brief(text)).toEqual(["deaths:3", "deaths:5"]);
    expect(maxFigures(extractFigures(text)).deaths?.value).toBe(5);
  });
});

describe("extractFigures: economic loss", () => {
  it("reads yuan amounts with 万/亿, hedges and either word order", () => {
    const cases: Record<string, string[]> = {
      "直接经济损失约1.2亿元": ["loss_yuan:~120000000"],
      "直接经济损失5000万元": ["loss_yuan:50000000"],
      "造成直接经济损失3000余万元": ["loss_yuan:~30000000[30000000,]"],
      "直接经济损失达1,200万元": ["loss_yuan:12000000"],
      "初步估算直接经济损失约为人民币2.3亿元": ["loss_yuan:~230000000"],
      "造成约1.2亿元直接经济损失": ["loss_yuan:~120000000"],
      "造成8000万元的直接经济损失": ["loss_yuan:80000000"],
      "财产损失超过500万元": ["loss_yuan:~5000000[5000000,]"],
      "经济损失近1亿元": ["loss_yuan:~99999999[,99999999]"],
      "直接经济损失一千二百万元": ["loss_yuan:12000000"],
      "直接经济损失１．２亿元": ["loss_yuan:120000000"],
      "直接经济损失五千万元": ["loss_yuan:50000000"],
      "事故造成的直接经济损失在1000万元以上": ["loss_yuan:~10000000[10000000,]"],
      "已造成2.3万人受灾，直接经济损失达3.6亿元": ["affected:23000", "loss_yuan:360000000"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });

  it("ignores amounts that are not losses", () => {
    expect(brief("投资1.2亿元建设")).toEqual([]);
    expect(brief("挽回经济损失")).toEqual([]);
  });
});

describe("extractFigures on a realistic report", () => {
  it("finds every figure once, in order", () => {
    const text =
      "6月3日14时许，某市一化工厂发生爆炸事故。截至4日8时，事故已造成十二人遇难、30余人受伤（其中5人重伤），仍有2人失联。" +
      "初步统计，直接经济损失约1.2亿元。有关部门咨询电话：0731-84001234。";
    const figures: Figure[] = extractFigures(text);
    const kinds: FigureKind[] = figures.map((f) => f.kind);
    expect(kinds).toEqual(["deaths", "injured", "seriously_injured", "missing", "loss_yuan"]);
    expect(figures.map((f) => f.value)).toEqual([12, 30, 5, 2, 120_000_000]);
    expect(figures.map((f) => f.unit)).toEqual(["人", "人", "人", "人", "元"]);
  });
});

describe("extractFigures: kinds beyond deaths and injuries", () => {
  it("reads infections and illness as infected, never as injured or dead", () => {
    const cases: Record<string, string[]> = {
      "疫情已致12人死亡340人感染": ["deaths:12", "infected:340"],
      "截至昨日，累计确诊病例升至58例": ["infected:58"],
      "该病毒感染者增至9人": ["infected:9"],
      "一工厂食堂发生食物中毒，46名工人送医": [],
      "某中学46名学生食物中毒": ["infected:46"],
      "6名儿童染怪病，其中1人死亡": ["infected:6", "deaths:1"],
      "确诊人数升至120人": ["infected:120"],
      "30名学生疑似食物中毒": ["infected:30"],
      "新增确诊病例8例": ["infected:8"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });

  it("reads combined 死伤 / 伤亡 counts as casualties, never as deaths", () => {
    const cases: Record<string, string[]> = {
      "爆炸致死伤近20人": ["casualties:~19[,19]"],
      "冲突造成5人伤亡": ["casualties:5"],
      "伤亡人数已超过百人": ["casualties:~100[100,]"],
      "造成数十人伤亡": ["casualties:~20[20,90]"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });
});

describe("extractFigures: verb-first, compact and passive phrasings", () => {
  it("reads the count after a verb of killing or wounding", () => {
    for (const verb of ["打死", "撞死", "砸死", "烧死", "淹死", "毒死", "杀死", "刺死", "炸死", "砍死"]) {
      expect(brief(`歹徒${verb}3名路人后逃离`), verb).toEqual(["deaths:3"]);
    }
    for (const verb of ["打伤", "撞伤", "咬伤", "砍伤", "炸伤", "烧伤", "刺伤"]) {
      expect(brief(`一男子${verb}4人`), verb).toEqual(["injured:4"]);
    }
    expect(brief("空袭炸死至少9名武装人员")).toEqual(["deaths:~9[9,]"]);
    expect(brief("男子行凶杀死一家四口")).toEqual(["deaths:4"]);
    expect(brief("货车撞死1人后又撞伤2人")).toEqual(["deaths:1", "injured:2"]);
    expect(brief("一名男子将2人打伤")).toEqual(["injured:2"]);
    expect(brief("车祸死2人，伤11人")).toEqual(["deaths:2", "injured:11"]);
  });

  it("reads compact counts, alone or in a chain", () => {
    const cases: Record<string, string[]> = {
      "隧道车祸致2死3重伤": ["deaths:2", "seriously_injured:3"],
      "两车相撞3死2伤": ["deaths:3", "injured:2"],
      "山区暴雨12死5失踪": ["deaths:12", "missing:5"],
      "一起致5死事故的调查报告": ["deaths:5"],
      "致6死火灾原因查明": ["deaths:6"],
      "爆炸致至少40死": ["deaths:~40[40,]"],
      "民房倒塌一死两伤": ["deaths:1", "injured:2"],
      "袭击致8死5伤18人遭绑架": ["deaths:8", "injured:5"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });

  it("reads 死于…者 and passive 被…死", () => {
    const cases: Record<string, string[]> = {
      "当地死于该传染病者增至15人": ["deaths:15"],
      "3名儿童被失控货车撞死": ["deaths:3"],
      "两名路人遭歹徒刺伤": ["injured:2"],
      "2名工人被困在屋内烧死": ["deaths:2"],
      "14名村民被30余名持械男子打伤": ["injured:14"],
      "五名男孩是被人打伤后死亡": ["deaths:5"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });

  it("reads headline counts without 名/人, first cases, totals and 被杀", () => {
    const cases: Record<string, string[]> = {
      "失控货车撞死两行人": ["deaths:2"],
      "5男生结伴游泳溺水身亡": ["deaths:5"],
      "3名儿童在水塘溺亡": ["deaths:3"],
      "2名工人从脚手架坠亡": ["deaths:2"],
      "伤者中2人送院后不治": ["deaths:2"],
      "1人重伤不治": ["deaths:1"],
      "歹徒将三个小学生砍伤": ["injured:3"],
      "男子杀害对方一家五口": ["deaths:5"],
      "两名村民被杀": ["deaths:2"],
      "3名武装分子被当场击毙": ["deaths:3"],
      "该省确诊首例输入性病例": ["infected:1"],
      "医院发现一例禽流感病例": ["infected:1"],
      "死亡人数新增3人，总数达45人": ["deaths:3", "deaths:45"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });

  it("gives a count to the clause it stands in", () => {
    expect(brief("事故致3人死亡12人送医观察")).toEqual(["deaths:3"]);
    expect(brief("火灾造成7人遇难9人受伤")).toEqual(["deaths:7", "injured:9"]);
    expect(brief("车祸致2人死亡1人伤")).toEqual(["deaths:2", "injured:1"]);
  });

  it("does not count relatives, suspects, agents, people held responsible or idioms", () => {
    for (const text of [
      "5名遇难者家属赶到现场",
      "30余名死者亲属聚集",
      "警方抓获3名犯罪嫌疑人",
      "3名男子打伤路人后逃跑",
      "2名嫌犯持刀砍伤店主",
      "12名事故责任人被追责",
      "这名老兵九死一生",
      "万死不辞",
      "2名患病女婴被遗弃",
      "打死也不说",
      "救援人员300人连夜搜救",
      "3口井被污染",
      "初三学生被打伤",
      "一男子坠楼身亡",
      "三人骗婚被识破后杀人灭口",
      "17例疑似病例正在排查",
      "疑似病例增至17人",
      "袭击中另有18人遭绑架",
    ]) {
      expect(brief(text), text).toEqual([]);
    }
  });

  it("reads no casualty in scores, prices, ages, dates and quotes", () => {
    for (const text of [
      "主队3比1击败客队，前锋连进2球",
      "该基金单位净值1.0235元，日涨3.2%",
      "新盘均价每平米2.3万元",
      "16岁少年考入名校",
      "2010年3月12日上午开幕",
      "球队伤兵满营，3名主力伤停",
      "死忠球迷5万人涌入球场",
      "热门游戏《死亡空间2》评分9.5",
    ]) {
      expect(brief(text), text).toEqual([]);
    }
  });
});

describe("extractFigures: long clauses, counts after the noun, pairs and named events", () => {
  it("reads a count whose kind word comes after a long modifier in the same clause", () => {
    const cases: Record<string, string[]> = {
      "3名来自外省的务工人员在工地宿舍内煤气中毒身亡": ["deaths:3"],
      "2名前往山区支教的大学生遭遇山洪身亡": ["deaths:2"],
      "一名游客在景区游玩时不慎坠崖身亡": ["deaths:1"],
      "1名工人在12楼外墙作业时坠落身亡": ["deaths:1"],
      "3名袭击联合国驻地的武装人员被击毙": ["deaths:3"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });

  it("does not reach across a long clause to someone else's death or a denial", () => {
    for (const text of [
      "一名男子在河边钓鱼时看到有人落水身亡",
      "5名学生在河边玩耍时有人溺水身亡",
      "3名民警赶到现场时该男子已身亡",
      "一名女士结账时跟在身边的孩子突然失踪",
      "3名男子及时示警避免路人伤亡",
    ]) {
      expect(brief(text), text).toEqual([]);
    }
    expect(brief("姐弟两人1死1重伤")).toEqual(["deaths:1", "seriously_injured:1"]);
  });

  it("reads a count after the victim noun and X俩 as two", () => {
    const cases: Record<string, string[]> = {
      歹徒砍死邻居夫妇二人: ["deaths:2"],
      货车撞伤行人3名: ["injured:3"],
      男子打伤其同事两人: ["injured:2"],
      死亡矿工3名: ["deaths:3"],
      "受伤学生12名已送医": ["injured:12"],
      母子俩在家中煤气中毒身亡: ["deaths:2"],
      兄弟俩下河游泳溺水身亡: ["deaths:2"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });

  it("reads a toll that names its event, but not a class of accidents or a threat", () => {
    expect(brief("某地踩踏15人死亡事件调查结果公布")).toEqual(["deaths:15"]);
    expect(brief("隧道塌方3人死亡事故调查报告发布")).toEqual(["deaths:3"]);
    expect(brief("全年发生3人以上死亡事故12起")).toEqual([]);
    expect(brief("3名死亡事故责任人被问责")).toEqual([]);
    expect(brief("20多名记者收到死亡威胁")).toEqual([]);
  });

  it("counts staff, police and soldiers after 名 and deaths in battle", () => {
    const cases: Record<string, string[]> = {
      "3名民警在处置警情时受伤": ["injured:3"],
      "工厂5名员工受伤送医": ["injured:5"],
      "2名民工在工地遇难": ["deaths:2"],
      "交火中5名士兵阵亡": ["deaths:5"],
      "6名外卖骑手在暴雨中送餐时摔伤": ["injured:6"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
    expect(brief("他在比赛中获得3名次提升")).toEqual([]);
  });

  it("does not count helpers, visitors or mourners of the victims", () => {
    for (const text of [
      "20名志愿者在灾区帮助受伤群众",
      "30名医护人员连夜救治受伤村民",
      "12名消防员冒险进入火场抢救被困群众",
      "市领导带领10余名干部看望慰问受伤职工",
    ]) {
      expect(brief(text), text).toEqual([]);
    }
    expect(brief("2名工人在搜救被困矿工时遇难")).toEqual(["deaths:2"]);
    expect(brief("2名消防员在救援中牺牲")).toEqual(["deaths:2"]);
    expect(brief("3人经抢救无效死亡")).toEqual(["deaths:3"]);
  });

  it("reads trapped people and the ill of a food poisoning with a vague count before the noun", () => {
    expect(brief("暴雨致300余游客被困山顶")).toEqual(["trapped:~300[300,]"]);
    expect(brief("某小学二十多名学生早餐后出现呕吐腹泻")).toEqual(["infected:~20[20,]"]);
    expect(brief("工地食堂12名工人晚饭后上吐下泻")).toEqual(["infected:12"]);
  });
});

describe("the pre-check that lets most posts skip figure reading", () => {
  it("finds every kind word, verb, bare 死/伤, illness, case and loss word, so no figure is skipped", () => {
    for (const word of [...KIND_WORD_LIST, "死", "伤", "损失", "病例", "染病", "患肝炎", "感染者"]) expect(FIGURE_WORDS.test(word), word).toBe(true);
  });

  it("still reads figures whose only kind word holds none of 死, 伤, 染, 患", () => {
    const cases: Record<string, string[]> = {
      "3人遇难": ["deaths:3"],
      "3人殒命": ["deaths:3"],
      "一名伤者送医后不治": ["deaths:1"],
      "2人失联": ["missing:2"],
      "3人下落不明": ["missing:3"],
      "2名矿工被困": ["trapped:2"],
      "5000人受影响": ["affected:5000"],
      "造成3人中毒": ["infected:3"],
      "17例确诊病例": ["infected:17"],
      "确诊首例甲型流感病例": ["infected:1"],
      "击毙2名歹徒": ["deaths:2"],
      "两人被杀": ["deaths:2"],
      "直接经济损失约1.2亿元": ["loss_yuan:~120000000"],
    };
    for (const [text, expected] of Object.entries(cases)) expect(brief(text), text).toEqual(expected);
  });

  it("skips texts whose characters of kind words only stand in other words", () => {
    for (const text of ["困难群众的联系方式", "落实生命安全责任", "影响交通，请绕行", "加强治理，排除危险"]) {
      expect(FIGURE_WORDS.test(text), text).toBe(false);
      expect(extractFigures(text), text).toEqual([]);
    }
  });
});
