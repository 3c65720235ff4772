import { describe, expect, it } from "vitest";
import { Incident } from "./incidents.js";
import { topics } from "./topics.js";

const t = "2024-07-01T00:10:00.000Z";
const minimal = {
  v: 1,
  id: "inc-0123456789abcdef",
  revision: 1,
  status: "open",
  changes: ["opened"],
  mergedFrom: [],
  title: "江华县一煤矿发生透水事故",
  openedAt: t,
  updatedAt: t,
  onsetAt: t,
  firstSource: { docId: "d1", source: "新华网", snippet: "…", publishedAt: t },
  lastActivityAt: t,
  level: "II",
  gradeReason: "据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）",
  gradeHistory: [{ at: t, from: null, to: "II", reason: "…" }],
  topics: [{ id: "安全生产", score: 1 }],
  regions: [{ code: "431129", name: "江华瑶族自治县", level: "county", province: "湖南省", count: 3 }],
  keywords: [{ word: "透水", weight: 0.3 }],
  sources: { count: 3, names: ["新华网", "人民网", "永州发布"] },
  volume: 3,
  velocity: 3,
  figures: [{ kind: "deaths", value: 12, approx: false, text: "12人遇难", sources: ["新华网"], sourceCount: 3, firstReportedAt: t }],
  representativeDocs: [],
  watchMatches: [],
  bursts: [],
  timeline: [{ at: t, kind: "first_post", text: "首发 新华网" }],
};

describe("Incident message", () => {
  it("parses a full snapshot and is keyed by incident id on the incidents topic", () => {
    const parsed = Incident.parse(minimal);
    expect(parsed.level).toBe("II");
    expect(topics.incidents.key(parsed)).toBe("inc-0123456789abcdef");
  });

  it("accepts ungraded incidents and rejects unknown levels, bad ids and non-positive revisions", () => {
    expect(Incident.safeParse({ ...minimal, level: null }).success).toBe(true);
    expect(Incident.safeParse({ ...minimal, level: "V" }).success).toBe(false);
    expect(Incident.safeParse({ ...minimal, id: "12" }).success).toBe(false);
    expect(Incident.safeParse({ ...minimal, revision: 0 }).success).toBe(false);
    expect(Incident.safeParse({ ...minimal, v: 2 }).success).toBe(false);
  });
});
