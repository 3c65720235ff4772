// Elasticsearch's CPU for indexing the documents alone, as the indexer writes them: real short posts enriched in this
// process (once, cached under the OS temp dir, never in the repository), turned into bulk sources by the indexer's own
// code (`parseForIndex`) and written with `bulkIndex` at a steady rate (one bulk every 250 ms, as the indexer's
// fetches gather under a steady stream), until the documents alias counts them all. Prints Elasticsearch's CPU per
// document by thread pool (write, refresh, merge, transport workers…: /proc per thread, named with `jcmd`) and the
// store size per document. Several templates alternate round by round (INDEX_TEMPLATES, comma-separated JSON files in
// the format of config/es/documents.json), so a mapping change is measured against the current one on the same node
// at the same time.
//
//   source /work/wt/stackenv.sh   # or any running dev stack
//   LIAOWANG_EVAL_DIR=../shared/eval INDEX_TEMPLATES=config/es/documents.json,/tmp/other.json pnpm exec tsx bench/index-alone.ts
//
// INDEX_POSTS per round (20,000), INDEX_RATE posts/s (3,000), INDEX_ROUNDS per template (3).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { stackStatus } from "@liaowang/devstack";
import { bulkIndex, createEsClient } from "@liaowang/es";
import { createLogger } from "@liaowang/logger";
import type { EnrichedDocument } from "@liaowang/schemas";
import { parseForIndex, sourceTail, type IndexRecord } from "../services/indexer/src/es-source.js";
import { backgroundRecord, loadCorpus } from "./lib/corpus.js";
import { serviceEnricher } from "./lib/enrich-once.js";
import { cpuByPool, threadCpu } from "./lib/jvm-threads.js";
import { sleep } from "./lib/measure.js";

const CONFIG_DIR = join(import.meta.dirname, "..", "config");
const POSTS = Number(process.env.INDEX_POSTS ?? 20_000);
const RATE = Number(process.env.INDEX_RATE ?? 3_000);
const ROUNDS = Number(process.env.INDEX_ROUNDS ?? 3);
const TEMPLATES = (process.env.INDEX_TEMPLATES ?? join(CONFIG_DIR, "es", "documents.json")).split(",").map((f) => resolve(f.trim()));
const TICK_MS = 250;
const corpus = loadCorpus(process.env.LIAOWANG_EVAL_DIR ?? join(import.meta.dirname, "..", "..", "shared", "eval"));

/** The bench's short posts, enriched as the enrich service does (cached: segmenting 20,000 posts takes a minute). */
function enriched(): EnrichedDocument[] {
  const file = join(tmpdir(), `liaowang-index-alone-${createHash("sha256").update(`${corpus.source}:${POSTS}`).digest("hex").slice(0, 12)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as EnrichedDocument[];
  const now = new Date();
  const enrich = serviceEnricher(now);
  const out = Array.from({ length: POSTS }, (_, i) => enrich(backgroundRecord(corpus, "ia", i, now.getTime())));
  writeFileSync(file, JSON.stringify(out));
  return out;
}

const statuses = await stackStatus({ env: process.env });
const esStatus = statuses.find((s) => s.name === "elasticsearch");
if (!esStatus?.pid || esStatus.state !== "healthy") throw new Error("no healthy dev stack Elasticsearch: start one (pnpm liaowang stack up) or source stackenv.sh");
const esPid = esStatus.pid;
const es = createEsClient({ node: esStatus.address ?? "http://127.0.0.1:9200", indexPrefix: "" });
const log = createLogger({ service: "index-alone", level: "warn" });
const docs = enriched().map((doc) => Buffer.from(JSON.stringify(doc)));
const run = `ia${Date.now().toString(36)}`;

interface Round {
  template: string;
  cpuMs: number;
  pools: [string, number][];
  wallS: number;
  storeBytes: number;
}

async function round(template: string, r: number, t: number): Promise<Round> {
  const prefix = `bench-${run}-${r}-${t}-`;
  const file = JSON.parse(readFileSync(template, "utf8")) as { index_patterns_suffix: string; priority: number; template: Record<string, unknown> };
  await es.indices.putIndexTemplate({ name: `${prefix}docs`, index_patterns: [`${prefix}${file.index_patterns_suffix}`], priority: file.priority, template: { ...file.template, aliases: { [`${prefix}docs`]: {} } } as never });
  const parse = parseForIndex(prefix);
  const records: IndexRecord[] = docs.map((bytes) => {
    const parsed = parse(bytes);
    if (!parsed.ok) throw new Error(`document not indexable: ${JSON.stringify(parsed)}`);
    return parsed.value;
  });
  // The monthly index exists before the clock starts, as it does for a running indexer.
  await es.indices.create({ index: records[0]!.index }).catch(() => undefined);
  await sleep(1_000);
  const before = threadCpu(esPid);
  const t0 = performance.now();
  const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
  const writes: Promise<unknown>[] = [];
  for (let i = 0, tick = 0; i < records.length; i += perTick, tick++) {
    await sleep(Math.max(0, t0 + tick * TICK_MS - performance.now()));
    const tail = sourceTail(new Date().toISOString());
    writes.push(bulkIndex(es, records.slice(i, i + perTick).map((rec) => ({ index: rec.index, id: rec.id, document: [...rec.head, tail], ref: undefined })), { log }));
  }
  await Promise.all(writes);
  for (;;) {
    const { count } = await es.count({ index: `${prefix}docs` });
    if (count >= records.length) break;
    await sleep(TICK_MS);
  }
  const wallS = (performance.now() - t0) / 1000;
  const after = threadCpu(esPid);
  const pools = cpuByPool(esPid, before, after);
  const stats = await es.indices.stats({ index: `${prefix}docs`, metric: "store" });
  const storeBytes = stats._all.primaries?.store?.size_in_bytes ?? 0;
  await es.indices.delete({ index: `${prefix}docs-*` });
  await es.indices.deleteIndexTemplate({ name: `${prefix}docs` });
  return { template, cpuMs: pools.reduce((n, [, s]) => n + s, 0) * 1000, pools, wallS, storeBytes };
}

const results: Round[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const [t, template] of TEMPLATES.entries()) {
    const res = await round(template, r, t);
    results.push(res);
    const top = res.pools.slice(0, 6).map(([pool, s]) => `${pool} ${((s * 1000) / POSTS).toFixed(3)}`).join(", ");
    console.log(`round ${r + 1} ${template}: ${(res.cpuMs / POSTS).toFixed(3)} ms/doc (${top}); ${res.wallS.toFixed(1)} s; store ${(res.storeBytes / POSTS).toFixed(0)} B/doc`);
  }
}
console.log(`\n${POSTS} docs per round at ${RATE}/s, ${ROUNDS} rounds; Elasticsearch ms of CPU per document (median, range):`);
for (const template of TEMPLATES) {
  const mine = results.filter((r) => r.template === template).map((r) => r.cpuMs / POSTS).sort((a, b) => a - b);
  const pools = new Map<string, number[]>();
  for (const r of results.filter((x) => x.template === template)) for (const [pool, s] of r.pools) pools.set(pool, [...(pools.get(pool) ?? []), (s * 1000) / POSTS]);
  const poolText = [...pools.entries()]
    .map(([pool, v]) => [pool, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([pool, v]) => `${pool} ${v.toFixed(3)}`)
    .join(", ");
  console.log(`  ${template}: ${mine[Math.floor(mine.length / 2)]!.toFixed(3)} (${mine[0]!.toFixed(3)}–${mine.at(-1)!.toFixed(3)}); ${poolText}`);
}
await es.close();
