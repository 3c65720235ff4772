import { describe, expect, it } from "vitest";
import { IngestRecord, toUtcIso } from "./ingest.js";

describe("IngestRecord", () => {
  it("accepts the contract and normalises publishedAt to UTC", () => {
    const record = IngestRecord.parse({
      source: "weibo",
      text: "某市化工厂发生爆炸，造成3人死亡",
      publishedAt: "2024-05-01T09:30:00+08:00",
      metrics: { reposts: 12 },
    });
    expect(record.publishedAt).toBe("2024-05-01T01:30:00.000Z");
    expect(record.metrics?.reposts).toBe(12);
  });

  it("reads a time without a zone as Beijing time", () => {
    expect(toUtcIso("2024-05-01 09:30:00")).toBe("2024-05-01T01:30:00.000Z");
    expect(toUtcIso("2024-05-01")).toBe("2024-04-30T16:00:00.000Z");
    expect(toUtcIso("yesterday")).toBeUndefined();
  });

  it("names the field and the reason when a record is wrong", () => {
    const result = IngestRecord.safeParse({ source: "", text: "", publishedAt: "soon", url: "ftp://x" });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join(".")).sort();
    expect(paths).toEqual(["publishedAt", "source", "text", "url"]);
  });

  it("rejects negative engagement counts", () => {
    const result = IngestRecord.safeParse({ source: "a", text: "b", publishedAt: "2024-01-01T00:00:00Z", metrics: { likes: -1 } });
    expect(result.success).toBe(false);
  });
});
