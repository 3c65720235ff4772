import { describe, expect, it } from "vitest";
import { DEFAULT_GRADING, figureLowerBound, formatYuan, grade, gradingConfigSchema } from "./grading.js";
import type { FigureSummary, GradingConfig, MaxFigures } from "./grading.js";
import type { FigureKind, Level } from "./types.js";

function fig(kind: FigureKind, value: number, sources = 1, approx = false, text = ""): FigureSummary {
  const list = Array.from({ length: sources }, (_, i) => ["新华网", "人民网", "湖南日报", "永州发布", "澎湃新闻"][i] ?? `源${i}`);
  return { kind, value, approx, text, sources: list, sourceCount: sources, firstReportedAt: 0 };
}

function gradeOf(kind: FigureKind, value: number, category = "生产安全事故"): Level {
  const figures: MaxFigures = { [kind]: fig(kind, value) };
  return grade({ category, figures }).level;
}

describe("grade: 生产安全事故 boundaries (thresholds are inclusive lower bounds)", () => {
  const deaths: [number, Level][] = [
    [1, "IV"],
    [2, "IV"],
    [3, "III"],
    [9, "III"],
    [10, "II"],
    [29, "II"],
    [30, "I"],
    [31, "I"],
  ];
  it.each(deaths)("%i deaths → %s", (n, level) => {
    expect(gradeOf("deaths", n)).toBe(level);
  });

  const injured: [number, Level][] = [
    [9, "IV"],
    [10, "III"],
    [49, "III"],
    [50, "II"],
    [99, "II"],
    [100, "I"],
  ];
  it.each(injured)("%i seriously injured → %s", (n, level) => {
    expect(gradeOf("seriously_injured", n)).toBe(level);
  });

  const loss: [string, number, Level][] = [
    ["999.9万元", 9_999_000, "IV"],
    ["1000万元", 10_000_000, "III"],
    ["4999万元", 49_990_000, "III"],
    ["5000万元", 50_000_000, "II"],
    ["9999万元", 99_990_000, "II"],
    ["1亿元", 100_000_000, "I"],
  ];
  it.each(loss)("direct loss %s → %s", (_label, yuan, level) => {
    expect(gradeOf("loss_yuan", yuan)).toBe(level);
  });
});

describe("grade: reasons", () => {
  it("names the figure, the number of sources, the level and the table", () => {
    const g = grade({ category: "生产安全事故", figures: { deaths: fig("deaths", 12, 3) } });
    expect(g).toMatchObject({ level: "II", table: "生产安全事故", decidedBy: "deaths" });
    expect(g.reason).toBe("据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）");
  });

  it("reads approximate figures by their lower bound and says so", () => {
    const g = grade({ category: "生产安全事故", figures: { deaths: fig("deaths", 30, 1, true, "30余人遇难") } });
    expect(g.level).toBe("I");
    expect(g.reason).toContain("据1个来源报道死亡30人以上（原文「30余人遇难」，按下限计）");
    expect(g.reason).toContain("定为I级（特别重大）");
  });

  it("takes the most severe rule and lists the other graded figures", () => {
    const g = grade({
      category: "生产安全事故",
      figures: { deaths: fig("deaths", 4, 2), loss_yuan: fig("loss_yuan", 120_000_000, 1), seriously_injured: fig("seriously_injured", 11) },
    });
    expect(g.level).toBe("I");
    expect(g.decidedBy).toBe("loss_yuan");
    expect(g.reason).toMatch(/^据1个来源报道直接经济损失1\.2亿元，.*定为I级（特别重大）/);
    expect(g.reason).toContain("；另据2个来源报道死亡4人（达III级）；据1个来源报道重伤11人（达III级）");
  });

  it("money bands read in 万元/亿元", () => {
    expect(grade({ category: "生产安全事故", figures: { loss_yuan: fig("loss_yuan", 60_000_000, 2) } }).reason).toBe(
      "据2个来源报道直接经济损失6000万元，依《生产安全事故报告和调查处理条例》重大事故标准（直接经济损失5000万元–1亿元以下）定为II级（重大）",
    );
    expect(formatYuan(9_999_000)).toBe("999.9万元");
    expect(formatYuan(8_000)).toBe("8000元");
  });

  it("IV for a figure below III, including kinds without thresholds (trapped, injured, missing)", () => {
    const below = grade({ category: "生产安全事故", figures: { deaths: fig("deaths", 2) } });
    expect(below.level).toBe("IV");
    expect(below.reason).toContain("据1个来源报道死亡2人，未达较大事故标准（死亡3–9人），依《生产安全事故报告和调查处理条例》定为IV级（一般）");
    const trapped = grade({ category: undefined, figures: { trapped: fig("trapped", 12) } });
    expect(trapped.level).toBe("IV");
    expect(trapped.reason).toContain("据1个来源报道被困12人（该类数字无分级标准）");
    expect(trapped.reason).toContain("定为IV级（一般）");
  });

  it("ungraded for a 突发事件 category without figures by default, IV where the config lists the category", () => {
    const g = grade({ category: "自然灾害", figures: {} });
    expect(g.level).toBeNull();
    expect(g.reason).toBe("属自然灾害，报道未提及伤亡或损失数字，暂不定级");
    const listed = grade({ category: "自然灾害", figures: {} }, { ...DEFAULT_GRADING, emergencyCategories: ["自然灾害"] });
    expect(listed.level).toBe("IV");
    expect(listed.reason).toBe("属自然灾害（突发事件），暂无伤亡或损失数字，定为IV级（一般）");
  });

  it("ungraded without figures and outside the 突发事件 categories, and says why", () => {
    const g = grade({ category: "政策解读", figures: {} });
    expect(g.level).toBeNull();
    expect(g.reason).toBe("属政策解读，报道未提及伤亡或损失数字，暂不定级");
    expect(grade({ figures: {} }).level).toBeNull();
    expect(grade({ figures: { deaths: fig("deaths", 0) } }).level).toBeNull();
  });

  it("falls back to the 生产安全事故 table for categories without one, and names the fallback", () => {
    const g = grade({ category: "自然灾害", figures: { deaths: fig("deaths", 10) } });
    expect(g.level).toBe("II");
    expect(g.reason).toContain("自然灾害暂无专门标准，参照《生产安全事故报告和调查处理条例》重大事故标准");
  });

  it("uses a category's own table when configured", () => {
    const config: GradingConfig = {
      ...DEFAULT_GRADING,
      tables: [...DEFAULT_GRADING.tables, { category: "自然灾害", rules: [{ kind: "deaths", I: 100, II: 50, III: 10 }] }],
    };
    expect(grade({ category: "自然灾害", figures: { deaths: fig("deaths", 30) } }, config).level).toBe("III");
    expect(grade({ category: "生产安全事故", figures: { deaths: fig("deaths", 30) } }, config).level).toBe("I");
  });
});

describe("figureLowerBound", () => {
  it("uses min for ranges and approximations, value otherwise", () => {
    expect(figureLowerBound({ kind: "injured", value: 30, approx: true, min: 30, text: "30余人受伤" })).toBe(30);
    expect(figureLowerBound({ kind: "deaths", value: 4, approx: true, min: 3, max: 5, text: "3至5人死亡" })).toBe(3);
    expect(figureLowerBound({ kind: "loss_yuan", value: 120_000_000, approx: true, text: "约1.2亿元" })).toBe(120_000_000);
    expect(figureLowerBound({ kind: "deaths", value: Number.NaN, approx: false, text: "" })).toBe(0);
  });
});

describe("gradingConfigSchema", () => {
  it("accepts the default and rejects inverted thresholds or a missing fallback table", () => {
    expect(gradingConfigSchema.parse(DEFAULT_GRADING)).toEqual(DEFAULT_GRADING);
    const inverted = { ...DEFAULT_GRADING, tables: [{ category: "生产安全事故", rules: [{ kind: "deaths", I: 3, II: 10, III: 30 }] }] };
    expect(gradingConfigSchema.safeParse(inverted).success).toBe(false);
    expect(gradingConfigSchema.safeParse({ ...DEFAULT_GRADING, fallbackCategory: "自然灾害" }).success).toBe(false);
  });
});

describe("grade: injured without stated severity counts toward the 重伤 rule", () => {
  const injured: [number, Level][] = [
    [9, "IV"],
    [10, "III"],
    [49, "III"],
    [50, "II"],
    [99, "II"],
    [100, "I"],
  ];
  it.each(injured)("%i injured → %s", (n, level) => {
    expect(gradeOf("injured", n)).toBe(level);
  });

  it("says the injured figure was counted as seriously injured", () => {
    const g = grade({ category: "生产安全事故", figures: { injured: fig("injured", 60, 2) } });
    expect(g.reason).toBe(
      "据2个来源报道受伤60人（未说明伤情，按重伤计），依《生产安全事故报告和调查处理条例》重大事故标准（重伤50–99人）定为II级（重大）",
    );
  });

  it("uses the larger of 重伤 and 受伤, and nothing extra when the rule has no countAlso", () => {
    const both = grade({ category: "生产安全事故", figures: { seriously_injured: fig("seriously_injured", 12), injured: fig("injured", 55) } });
    expect(both.level).toBe("II");
    const strict: GradingConfig = {
      ...DEFAULT_GRADING,
      tables: [{ category: "生产安全事故", rules: [{ kind: "seriously_injured", I: 100, II: 50, III: 10 }] }],
    };
    expect(grade({ category: "生产安全事故", figures: { injured: fig("injured", 55) } }, strict).level).toBe("IV");
  });
});

describe("grade: approximate figures in words", () => {
  it("calls an estimate an estimate and a floor a floor", () => {
    const loss = grade({ category: "生产安全事故", figures: { loss_yuan: { ...fig("loss_yuan", 120_000_000, 1, true, "直接经济损失约1.2亿元") } } });
    expect(loss.reason).toBe("据1个来源报道直接经济损失约1.2亿元（原文「直接经济损失约1.2亿元」），依《生产安全事故报告和调查处理条例》特别重大事故标准（直接经济损失1亿元以上）定为I级（特别重大）");
    const floor = grade({ category: "生产安全事故", figures: { deaths: fig("deaths", 10, 2, true, "10余人遇难") } });
    expect(floor.reason).toMatch(/^据2个来源报道死亡10人以上（原文「10余人遇难」，按下限计），.*定为II级/);
  });
});
