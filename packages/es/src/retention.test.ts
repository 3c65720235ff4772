import { describe, expect, it } from "vitest";
import { expiredDocumentIndices, RetentionConfig } from "./retention.js";

describe("retention config", () => {
  it("defaults to 180 days of documents and a year of incidents and alerts", () => {
    expect(RetentionConfig.parse({})).toMatchObject({ documents: 180, incidents: 365, alerts: 365, schedule: "30 3 * * *" });
    expect(RetentionConfig.parse({ documents: "90d", alerts: 200 })).toMatchObject({ documents: 90, alerts: 200 });
  });

  it("refuses to keep incidents or alerts less than six months", () => {
    expect(() => RetentionConfig.parse({ incidents: "90d" })).toThrow(/incidents are kept at least 6 months/);
    expect(() => RetentionConfig.parse({ alerts: 183 })).toThrow(/alerts and their audit trail are kept at least 6 months/);
    expect(() => RetentionConfig.parse({ documents: "half a year" })).toThrow(/number of days/);
  });
});

describe("expired monthly document indices", () => {
  const now = Date.parse("2026-12-03T00:00:00Z");
  it("picks the months that ended before the window, nothing else", () => {
    const names = ["l-docs-2025.12", "l-docs-2026.05", "l-docs-2026.06", "l-docs-2026.12", "l-docs-custom", "l-incidents", "m-docs-2020.01"];
    // 180 days before 2026-12-03 is 2026-06-06: May ended 06-01 (all older), June ends 07-01 (not yet).
    expect(expiredDocumentIndices(names, "l-", now, 180)).toEqual(["l-docs-2025.12", "l-docs-2026.05"]);
    expect(expiredDocumentIndices(names, "l-", now, 3650)).toEqual([]);
  });
});
