import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEsClient, type Client } from "@liaowang/es";
import { isolatedEnv } from "@liaowang/testing";
import { AuditLog, authIndices } from "../src/index.js";

// The security audit on the real Elasticsearch: several writers append to one chain, create-only; any edit,
// deletion or insertion is found by verify; retention cannot drop records younger than six months.

let es: Client;
let indexPrefix = "";

beforeAll(() => {
  const isolated = isolatedEnv("security-audit");
  indexPrefix = isolated.indexPrefix;
  es = createEsClient({ node: isolated.env.LIAOWANG_ES_URL as string, indexPrefix });
});

afterAll(async () => {
  await es?.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es?.close();
});

const entry = (i: number) => ({ actor: `p${i % 3}`, action: "alert.transition", outcome: "ok" as const, source: "10.0.0.1", target: `alert-${i}`, details: { action: "acknowledge", n: i } });

describe("security audit", () => {
  it("chains appends from concurrent writers without gaps or overwrites, and verify finds any tampering", async () => {
    const index = authIndices(indexPrefix).audit;
    const a = new AuditLog(es, index);
    const b = new AuditLog(es, index);
    await a.init();
    await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? a : b).append(entry(i))));
    const clean = await a.verify();
    expect(clean).toMatchObject({ ok: true, records: 24, firstSeq: 1, lastSeq: 24, anchor: null, problems: [] });

    // Overwriting a record in place (create-only writes refuse it; a direct index call by someone with ES access does not).
    await expect(es.index({ index, id: "000000000005", document: {}, op_type: "create" })).rejects.toThrow();
    const five = (await es.get<Record<string, unknown>>({ index, id: "000000000005" }))._source ?? {};
    await es.index({ index, id: "000000000005", document: { ...five, actor: "someone-else" }, refresh: true });
    const edited = await a.verify();
    expect(edited.ok).toBe(false);
    expect(edited.problems).toContain("record 5 was altered (hash mismatch)");

    await es.index({ index, id: "000000000005", document: five, refresh: true });
    await es.delete({ index, id: "000000000010", refresh: true });
    const deleted = await a.verify();
    expect(deleted.problems).toEqual(["records 10–10 are missing", "record 11 does not link to record 9 (altered or re-ordered)"]);
  });

  it("refuses to prune records younger than six months", async () => {
    const log = new AuditLog(es, authIndices(indexPrefix).audit);
    await expect(log.prune(new Date(Date.now() - 30 * 86_400_000))).rejects.toThrow(/kept at least 183 days/);
    expect(await log.prune(new Date(Date.now() - 200 * 86_400_000))).toBe(0);
  });
});
