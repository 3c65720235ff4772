import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@liaowang/logger";
import { isolatedEnv } from "@liaowang/testing";
import { createEsClient } from "../src/client.js";
import { applyRetention, RetentionConfig } from "../src/retention.js";

// The retention sweep on the real Elasticsearch: old monthly document indices go whole, finished alerts with
// their audit trail and finished incidents go after their window, and nothing live is touched.

const { env, indexPrefix: p } = isolatedEnv("retention");
const es = createEsClient({ node: env.LIAOWANG_ES_URL as string, indexPrefix: p });
const log = createLogger({ service: "retention-test", level: "warn" });
const now = new Date("2026-12-03T00:00:00Z");

const exists = async (index: string) => es.indices.exists({ index });
const has = async (index: string, id: string) => (await es.exists({ index, id })) as boolean;

beforeAll(async () => {
  for (const month of ["2025.12", "2026.05", "2026.06", "2026.12"]) {
    await es.index({ index: `${p}docs-${month}`, id: `d-${month}`, document: { text: "x", publishedAt: `${month.replace(".", "-")}-15T00:00:00Z` }, refresh: true });
  }
  // Implausibly dated documents (year 1001, 9999) share one index and go by when they were ingested.
  await es.indices.create({ index: `${p}docs-out-of-window`, mappings: { dynamic: false, properties: { publishedAt: { type: "date" }, ingestedAt: { type: "date" } } } });
  const outOfWindow = [
    { id: "oow-old", publishedAt: "1001-05-01T00:00:00Z", ingestedAt: "2026-05-01T00:00:00Z" },
    { id: "oow-old-future", publishedAt: "9999-01-01T00:00:00Z", ingestedAt: "2026-03-01T00:00:00Z" },
    { id: "oow-recent", publishedAt: "1001-05-01T00:00:00Z", ingestedAt: "2026-11-20T00:00:00Z" },
  ];
  await es.bulk({ refresh: true, operations: outOfWindow.flatMap((d) => [{ index: { _index: `${p}docs-out-of-window`, _id: d.id } }, { text: "x", ...d }]) });
  await es.indices.create({ index: `${p}alerts`, mappings: { dynamic: false, properties: { id: { type: "keyword" }, state: { type: "keyword" }, updatedAt: { type: "date" } } } });
  await es.indices.create({ index: `${p}alert-audit`, mappings: { dynamic: false, properties: { alertId: { type: "keyword" } } } });
  await es.indices.create({ index: `${p}incidents`, mappings: { dynamic: false, properties: { id: { type: "keyword" }, status: { type: "keyword" }, lastActivityAt: { type: "date" } } } });
  const alerts = [
    { id: "alert-inc-old-closed", state: "closed", updatedAt: "2026-01-10T00:00:00Z" },
    { id: "alert-inc-old-live", state: "handling", updatedAt: "2025-12-01T00:00:00Z" },
    { id: "alert-inc-recent-closed", state: "dismissed", updatedAt: "2026-11-01T00:00:00Z" },
  ];
  const audit = [
    { id: "alert-inc-old-closed:1", alertId: "alert-inc-old-closed" },
    { id: "alert-inc-old-closed:2", alertId: "alert-inc-old-closed" },
    { id: "alert-inc-recent-closed:1", alertId: "alert-inc-recent-closed" },
  ];
  const incidents = [
    { id: "inc-old-closed", status: "expired", lastActivityAt: "2026-01-01T00:00:00Z" },
    { id: "inc-old-live", status: "expired", lastActivityAt: "2025-11-01T00:00:00Z" },
    { id: "inc-old-orphan", status: "merged", lastActivityAt: "2025-10-01T00:00:00Z" },
    { id: "inc-old-open", status: "open", lastActivityAt: "2025-10-01T00:00:00Z" },
    { id: "inc-recent", status: "expired", lastActivityAt: "2026-10-01T00:00:00Z" },
  ];
  await es.bulk({
    refresh: true,
    operations: [
      ...alerts.flatMap((a) => [{ index: { _index: `${p}alerts`, _id: a.id } }, a]),
      ...audit.flatMap((a) => [{ index: { _index: `${p}alert-audit`, _id: a.id } }, a]),
      ...incidents.flatMap((i) => [{ index: { _index: `${p}incidents`, _id: i.id } }, i]),
    ],
  });
});

afterAll(async () => {
  await es.indices.delete({ index: `${p}*` }).catch(() => undefined);
  await es.close();
});

describe("retention sweep", () => {
  it("deletes expired monthly indices and finished cases past their window, and keeps everything live", async () => {
    const report = await applyRetention(es, p, RetentionConfig.parse({ documents: "180d", incidents: "200d", alerts: "200d" }), now, log);
    expect(report.documentIndices).toEqual([`${p}docs-2025.12`, `${p}docs-2026.05`]);
    expect(await exists(`${p}docs-2025.12`)).toBe(false);
    expect(await exists(`${p}docs-2026.05`)).toBe(false);
    expect(await exists(`${p}docs-2026.06`)).toBe(true);
    expect(await exists(`${p}docs-2026.12`)).toBe(true);

    // the out-of-window index stays; its documents ingested more than 180 days ago go
    expect(report.outOfWindowDocuments).toBe(2);
    expect(await has(`${p}docs-out-of-window`, "oow-old")).toBe(false);
    expect(await has(`${p}docs-out-of-window`, "oow-old-future")).toBe(false);
    expect(await has(`${p}docs-out-of-window`, "oow-recent")).toBe(true);

    expect(report).toMatchObject({ alerts: 1, auditEvents: 2 });
    expect(await has(`${p}alerts`, "alert-inc-old-closed")).toBe(false);
    expect(await has(`${p}alerts`, "alert-inc-old-live")).toBe(true);
    expect(await has(`${p}alerts`, "alert-inc-recent-closed")).toBe(true);
    expect(await has(`${p}alert-audit`, "alert-inc-old-closed:1")).toBe(false);
    expect(await has(`${p}alert-audit`, "alert-inc-recent-closed:1")).toBe(true);

    // the old closed incident lost its alert in this sweep, so it goes too; the one whose alert is live stays
    expect(await has(`${p}incidents`, "inc-old-closed")).toBe(false);
    expect(await has(`${p}incidents`, "inc-old-orphan")).toBe(false);
    expect(await has(`${p}incidents`, "inc-old-live")).toBe(true);
    expect(await has(`${p}incidents`, "inc-old-open")).toBe(true);
    expect(await has(`${p}incidents`, "inc-recent")).toBe(true);
    expect(report.incidents).toBe(2);

    // a second sweep finds nothing more
    expect(await applyRetention(es, p, RetentionConfig.parse({ documents: "180d", incidents: "200d", alerts: "200d" }), now, log)).toEqual({ documentIndices: [], outOfWindowDocuments: 0, incidents: 0, alerts: 0, auditEvents: 0 });
  });

  it("keeps out-of-window documents for their own window when one is configured", async () => {
    const report = await applyRetention(es, p, RetentionConfig.parse({ documents: "180d", outOfWindow: "7d", incidents: "200d", alerts: "200d" }), now, log);
    expect(report.outOfWindowDocuments).toBe(1);
    expect(await has(`${p}docs-out-of-window`, "oow-recent")).toBe(false);
    expect(await exists(`${p}docs-out-of-window`)).toBe(true);
  });
});
