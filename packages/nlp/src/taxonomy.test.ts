import { describe, expect, it } from "vitest";
import { classify, parseTaxonomy } from "./taxonomy.js";

const YAML = `
version: 1
minScore: 0.35
maxTopics: 2
categoryMinScore: 0.5
topics:
  - id: 工资拖欠
    keywords: { 欠薪: 3, 拖欠农民工工资: 3, 工资: 1, 农民工: 1.5 }
  - id: 安全生产
    keywords: { 安全生产: 3, 爆炸: 2, 事故: 1.5, 演练: -2 }
  - id: 教育
    keywords: { 学校: 1.5, 学生: 1.5, COVID-19: 1 }
categories:
  - id: 生产安全事故
    keywords: { 爆炸: 2.5, 事故: 2 }
  - id: 自然灾害
    keywords: { 地震: 3 }
`;

const taxonomy = parseTaxonomy(YAML, "taxonomy.yaml");

describe("classify", () => {
  it("scores topics by weighted keywords, best first, within [0, 1]", () => {
    const result = classify(["某", "工地", "拖欠", "农民工", "工资", "，", "工人", "讨薪", "欠薪"], taxonomy);
    expect(result.topics.map((t) => t.id)).toEqual(["工资拖欠"]);
    expect(result.topics[0]!.score).toBeGreaterThan(0.8);
    expect(result.topics[0]!.score).toBeLessThanOrEqual(1);
    expect(result.category).toBeUndefined();
  });

  it("drops topics below minScore and keeps at most maxTopics", () => {
    expect(classify(["工资"], taxonomy).topics).toEqual([]);
    const many = classify(["欠薪", "爆炸", "事故", "学校", "学生", "学生"], taxonomy);
    expect(many.topics.map((t) => t.id)).toEqual(["教育", "安全生产"]);
  });

  it("counts repeats sublinearly and lets negative weights suppress a topic", () => {
    const once = classify(["事故"], taxonomy).topics[0]?.score ?? 0;
    const thrice = classify(["事故", "事故", "事故"], taxonomy).topics[0]?.score ?? 0;
    expect(thrice).toBeGreaterThan(once);
    expect(thrice).toBeLessThan(1 - Math.exp(-4.5 / 3) + 0.001);
    expect(classify(["消防", "爆炸", "演练"], taxonomy).topics).toEqual([]);
  });

  it("finds keywords that span several tokens and Latin keywords in any case", () => {
    expect(classify(["拖欠", "农民工工资"], taxonomy).topics.map((t) => t.id)).toEqual(["工资拖欠"]);
    expect(classify(["covid-19", "学校"], taxonomy).topics.map((t) => t.id)).toEqual(["教育"]);
  });

  it("picks the best category that reaches categoryMinScore", () => {
    expect(classify(["化工厂", "爆炸", "事故"], taxonomy).category).toBe("生产安全事故");
    expect(classify(["地震"], taxonomy).category).toBe("自然灾害");
    expect(classify(["事故"], taxonomy).category).toBeUndefined();
  });
});

describe("parseTaxonomy", () => {
  it("applies defaults", () => {
    const t = parseTaxonomy("version: 1\ntopics:\n  - id: 教育\n    keywords: { 学校: 2 }\n", "t.yaml");
    expect(t.config).toMatchObject({ minScore: 0.4, maxTopics: 3, categoryMinScore: 0.5, categories: [] });
  });

  it("names the file, the key and the problem", () => {
    const bad = (text: string) => () => parseTaxonomy(text, "config/taxonomy.yaml");
    expect(bad("version: 1\ntopics:\n  - id: 教育\n    keywords: { 学校: 高 }\n")).toThrowError(/Invalid taxonomy config\/taxonomy\.yaml:[\s\S]*topics\.0\.keywords\.学校/);
    expect(bad("version: 1\ntopics:\n  - id: 教育\n    keywords: { 学校: 0 }\n")).toThrowError(/weight must be non-zero/);
    expect(bad("version: 1\ntopics:\n  - id: 教育\n    keywords: {}\n")).toThrowError(/needs at least one keyword/);
    expect(bad("version: 1\ntopics:\n  - id: 教育\n    keywords: { a: 1 }\n  - id: 教育\n    keywords: { b: 1 }\n")).toThrowError(/duplicate id "教育"/);
    expect(bad("version: 1\ntopics:\n  - id: 教育\n    keywords: { PM2.5: 1, pm2.5: 2 }\n")).toThrowError(/same keyword as "PM2.5"/);
    expect(bad("version: 2\ntopics: []\n")).toThrowError(/version/);
    expect(bad("version: 1\ntopics:\n  - id: 教育\n    keywords: { 学校: 1, 学校: 2 }\n")).toThrowError(/not valid YAML.*[Mm]ap keys must be unique/);
  });
});
