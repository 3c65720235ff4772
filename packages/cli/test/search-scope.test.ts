import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "@liaowang/config";
import type { Jurisdiction } from "@liaowang/detect";
import { createEsClient, DOCUMENTS, documentIndex, installTemplate, searchDocuments } from "@liaowang/es";
import { isolatedEnv } from "@liaowang/testing";
import { backfillScope } from "../src/backfill-scope.js";
import { runCli } from "../src/commands.js";

// Documents indexed before the scope field get one from the backfill (idempotent, resumable), and search with a
// scope filter says how many documents it cannot see for want of one. On the real Elasticsearch.

const { env, indexPrefix } = isolatedEnv("search-scope");
const es = createEsClient({ node: env.LIAOWANG_ES_URL as string, indexPrefix });
// As config/jurisdiction.yaml has it (长沙市), which the CLI reads.
const changsha: Jurisdiction = { all: false, codes: ["430100"], label: "长沙市", entities: ["橘子洲"], localSources: [] };
const AT = "2026-11-20T08:00:00.000Z";
const CHANGSHA = { code: "430100", name: "长沙市", level: "city", province: "湖南省", role: "venue" };
const SUZHOU = { code: "320500", name: "苏州市", level: "city", province: "江苏省", role: "venue" };

function doc(id: string, fields: Record<string, unknown>, analysed = true): Record<string, unknown> {
  return {
    id,
    v: 1,
    source: "本地论坛",
    sourceKind: "webhook",
    text: "欠薪",
    title_seg: "",
    text_seg: "欠薪",
    search_terms: "欠薪",
    publishedAt: AT,
    ingestedAt: AT,
    enrichedAt: AT,
    indexedAt: AT,
    lang: "zh",
    keywords: [{ word: "欠薪", weight: 1 }],
    ...(analysed ? { sentiment: { score: -0.5, label: "negative" }, topics: [], regions: [], abroad: [] } : {}),
    ...fields,
  };
}

const docs: Record<string, Record<string, unknown>> = {
  "d-cs": doc("d-cs", { title: "长沙一工地欠薪", regions: [CHANGSHA] }),
  "d-sz": doc("d-sz", { title: "苏州一工厂欠薪", regions: [SUZHOU] }),
  "d-entity": doc("d-entity", { text: "橘子洲旁的工地欠薪", text_seg: "橘子洲 旁 的 工地 欠薪", search_terms: "橘子洲 旁 的 工地 欠薪" }),
  "d-abroad": doc("d-abroad", { title: "日本一工厂欠薪", abroad: [{ code: "JP", name: "日本", role: "venue" }] }),
  // A scope enrich wrote is never overwritten, even where the stored places would now read otherwise.
  "d-scoped": doc("d-scoped", { title: "长沙欠薪（已有属地）", regions: [CHANGSHA], scope: "外地" }),
  // Indexed before enrich read places: nothing to read a scope from.
  "d-old": doc("d-old", { title: "早期文章欠薪" }, false),
};

const scopes = async (): Promise<Record<string, string | undefined>> => {
  const res = await es.search<{ id: string; scope?: string }>({ index: `${indexPrefix}docs`, size: 100, _source: ["id", "scope"] });
  return Object.fromEntries(res.hits.hits.map((h) => [h._source?.id as string, h._source?.scope]));
};

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c: Buffer) => out.push(c.toString()));
  stderr.on("data", (c: Buffer) => err.push(c.toString()));
  const code = await runCli(args, { stdin: Readable.from([]), stdout, stderr, env: { ...process.env, ...env, LIAOWANG_CONFIG_DIR: join(repoRoot, "config") } });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

beforeAll(async () => {
  await installTemplate(es, join(repoRoot, "config"), indexPrefix, DOCUMENTS);
  const bulk = await es.bulk({ refresh: true, operations: Object.entries(docs).flatMap(([id, d]) => [{ index: { _index: documentIndex(indexPrefix, AT), _id: id } }, d]) });
  expect(bulk.errors).toBe(false);
});

afterAll(async () => {
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

describe("scope backfill and the scope filter", () => {
  it("says how many documents a scope filter cannot see before the backfill", async () => {
    const before = await searchDocuments(es, indexPrefix, { terms: ["欠薪"], scope: ["本地", "涉本地"] });
    expect(before.total).toBe(0);
    expect(before.unscoped).toBe(5);
    // Without a scope filter there is nothing to say.
    expect((await searchDocuments(es, indexPrefix, { terms: ["欠薪"] })).unscoped).toBeUndefined();
  });

  it("scopes unscoped analysed documents in batches, resumes where it stopped, and changes nothing the second time", async () => {
    const first = await backfillScope(es, indexPrefix, changsha, { batch: 1, limit: 2 });
    expect(first).toMatchObject({ scanned: 2, updated: 2, failed: 0, remaining: 2, unanalysed: 1 });

    // The CLI (config/jurisdiction.yaml: 长沙市) goes on with the rest.
    const run = await cli(["search", "backfill-scope", "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ jurisdiction: "长沙市", updated: 2, remaining: 0, unanalysed: 1, failed: 0 });

    expect(await scopes()).toEqual({ "d-cs": "本地", "d-sz": "外地", "d-entity": "本地", "d-abroad": "境外", "d-scoped": "外地", "d-old": undefined });
    const again = await backfillScope(es, indexPrefix, changsha);
    expect(again).toMatchObject({ scanned: 0, updated: 0, remaining: 0, unanalysed: 1 });
  });

  it("filters by scope afterwards, still naming what stays unscoped, in the API's search and the CLI's --scope", async () => {
    const local = await searchDocuments(es, indexPrefix, { terms: ["欠薪"], scope: ["本地"] });
    expect(local.hits.map((h) => h.id).sort()).toEqual(["d-cs", "d-entity"]);
    expect(local.unscoped).toBe(1);

    const text = await cli(["search", "欠薪", "--scope", "外地,境外"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('3 document(s) match "欠薪" in scope 外地, 境外');
    expect(text.stdout).toContain("note: 1 more document(s) match but carry no scope");
    const json = JSON.parse((await cli(["search", "欠薪", "--scope", "本地+涉本地", "--json"])).stdout) as { hits: { id: string; scope: string }[]; unscoped: number };
    expect(json.hits.map((h) => [h.id, h.scope]).sort()).toEqual([["d-cs", "本地"], ["d-entity", "本地"]]);
    expect(json.unscoped).toBe(1);

    const wrong = await cli(["search", "欠薪", "--scope", "市内"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("not 市内");
  });
});
