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

  it("anchors the chain head, so verify finds records removed from the chain's end (or rewritten) before the newest anchor", async () => {
    const index = `${indexPrefix}anchored-audit`;
    const log = new AuditLog(es, index);
    await log.init();
    expect(await log.anchor()).toBeUndefined(); // an empty chain has no head
    for (let i = 0; i < 10; i++) await log.append(entry(i));
    expect(await log.anchor()).toMatchObject({ seq: 1, auditSeq: 10 });
    expect(await new AuditLog(es, index).anchor()).toBeUndefined(); // nothing new since: no second anchor
    for (let i = 10; i < 13; i++) await log.append(entry(i));
    const second = await new AuditLog(es, index).anchor(); // another writer (replica) anchors the same chain
    expect(second).toMatchObject({ seq: 2, auditSeq: 13 });
    for (let i = 13; i < 15; i++) await log.append(entry(i));
    const intact = await log.verify();
    expect(intact).toMatchObject({ ok: true, records: 15, anchors: 2, lastAnchor: { seq: 2, auditSeq: 13 }, problems: [] });
    const head = intact.head!;
    expect(head.seq).toBe(15);

    // Removing the newest records after the last anchor leaves a consistent-looking chain: only a head noted
    // elsewhere finds that; removing past the anchor is found by the anchor itself.
    await es.delete({ index, id: "000000000015", refresh: true });
    expect((await log.verify()).ok).toBe(true);
    expect((await log.verify({ expectHead: head })).problems).toEqual([`the head given witnessed record 15, but the chain ends at 14: records 15–15 (at least) were removed from its end`]);
    for (const seq of [14, 13, 12]) await es.delete({ index, id: String(seq).padStart(12, "0"), refresh: true });
    const truncated = await log.verify();
    expect(truncated.ok).toBe(false);
    expect(truncated.lastSeq).toBe(11);
    expect(truncated.problems[0]).toMatch(/^anchor 2 \(.+\) witnessed record 13, but the chain ends at 11: records 12–13 \(at least\) were removed from its end$/);

    // Appending again after the truncation rewrites the anchored place with other records: found too.
    const writer = new AuditLog(es, index);
    for (let i = 0; i < 3; i++) await writer.append({ ...entry(100 + i), actor: "someone-else" });
    const rewritten = await log.verify();
    expect(rewritten.lastSeq).toBe(14);
    expect(rewritten.problems).toEqual(["record 13 is not the record anchor 2 (" + rewritten.lastAnchor?.at + ") witnessed (rewritten)"]);

    // The anchors are a chain of their own: one removed is reported.
    await es.delete({ index: `${index}-anchors`, id: "000000000001", refresh: true });
    await log.anchor();
    expect((await log.verify()).problems).toContain("anchors 1–1 are missing");
  });

  it("refuses to prune records younger than six months", async () => {
    const log = new AuditLog(es, authIndices(indexPrefix).audit);
    await expect(log.prune(new Date(Date.now() - 30 * 86_400_000))).rejects.toThrow(/kept at least 183 days/);
    expect(await log.prune(new Date(Date.now() - 200 * 86_400_000))).toBe(0);
  });
});
