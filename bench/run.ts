// `pnpm bench`: throughput figures for segmentation, enrichment and (when the dev stack is up) bulk indexing.
// Prints numbers only; nothing here gates CI on absolute time.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { repoRoot } from "@liaowang/config";
import { bulkIndex, createEsClient, documentIndex, installTemplate, DOCUMENTS, toEsDocument } from "@liaowang/es";
import { createLogger } from "@liaowang/logger";
import { Analyzer, createSegmenter } from "@liaowang/nlp";
import type { EnrichedDocument, RawDocument } from "@liaowang/schemas";
import { enrichDocument } from "../services/enrich/src/enrich.js";

// Any folder of UTF-8 .txt files (LIAOWANG_BENCH_CORPUS); the default is the seed documents beside the repository.
const seedsDir = process.env.LIAOWANG_BENCH_CORPUS ?? join(repoRoot, "..", "shared", "seeds");
if (!existsSync(seedsDir)) throw new Error(`no benchmark corpus at ${seedsDir}: set LIAOWANG_BENCH_CORPUS to a folder of UTF-8 .txt files`);
const paragraphs = readdirSync(seedsDir)
  .filter((f) => f.endsWith(".txt"))
  .flatMap((f) => readFileSync(join(seedsDir, f), "utf8").split(/\n+/))
  .map((p) => p.trim())
  .filter((p) => p.length >= 20);
if (paragraphs.length === 0) throw new Error(`no paragraphs found under ${seedsDir}`);

// ~1,000 posts of realistic length, cycling through the corpus
const posts: RawDocument[] = Array.from({ length: 1000 }, (_, i) => {
  const text = paragraphs[i % paragraphs.length]!.slice(0, 400);
  return {
    v: 1,
    id: createHash("sha256").update(`${i}:${text}`).digest("hex").slice(0, 32),
    source: `bench-${i % 10}`,
    sourceKind: "file",
    text,
    publishedAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    ingestedAt: new Date().toISOString(),
    lang: "zh",
  };
});
const chars = posts.reduce((n, p) => n + p.text.length, 0);

function measure(label: string, rounds: number, body: () => void): void {
  body(); // warm-up
  const start = performance.now();
  for (let r = 0; r < rounds; r++) body();
  const seconds = (performance.now() - start) / 1000;
  const docs = (posts.length * rounds) / seconds;
  const mchars = (chars * rounds) / seconds / 1e6;
  console.log(`${label.padEnd(34)} ${docs.toFixed(0).padStart(8)} posts/s   ${mchars.toFixed(2)} M chars/s`);
}

const segmenter = createSegmenter();
console.log(`corpus: ${posts.length} posts, ${chars} characters (from ${seedsDir})`);
measure("segment (exact, cut)", 5, () => posts.forEach((p) => segmenter.cut(p.text)));
measure("segment (search mode)", 5, () => posts.forEach((p) => segmenter.cutForSearch(p.text)));
measure("keywords (TF-IDF, top 20)", 3, () => posts.forEach((p) => segmenter.keywords(p.text, 20)));
measure("enrich (segments + keywords)", 3, () => posts.forEach((p) => enrichDocument(p, segmenter, { keywords: 20 }, new Date())));
const analysis = new Analyzer().resources;
let enriched: EnrichedDocument[] = [];
measure("enrich (full: + topics, sentiment, …)", 3, () => {
  enriched = posts.map((p) => enrichDocument(p, segmenter, { keywords: 20, analysis }, new Date()));
});

const esUrl = process.env.LIAOWANG_ES_URL ?? "http://127.0.0.1:9200";
const es = createEsClient({ node: esUrl, indexPrefix: "bench-" });
try {
  await es.ping();
} catch {
  console.log(`bulk index: skipped (no Elasticsearch at ${esUrl}; run \`pnpm liaowang stack up\`)`);
  process.exit(0);
}
const prefix = `bench-${Date.now()}-`;
const log = createLogger({ service: "bench", level: "warn" });
try {
  await installTemplate(es, join(repoRoot, "config"), prefix, DOCUMENTS);
  const now = new Date().toISOString();
  const rounds = 5;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    const items = enriched.map((doc) => ({
      index: documentIndex(prefix, doc.publishedAt),
      id: `${r}-${doc.id}`,
      document: toEsDocument(doc, now),
      ref: doc.id,
    }));
    for (let i = 0; i < items.length; i += 500) {
      const failures = await bulkIndex(es, items.slice(i, i + 500), { log });
      if (failures.length > 0) throw new Error(`bulk failures: ${failures[0]!.reason}`);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`${"bulk index (500/request)".padEnd(34)} ${((posts.length * rounds) / seconds).toFixed(0).padStart(8)} posts/s`);
} finally {
  await es.indices.delete({ index: `${prefix}*` }).catch(() => undefined);
  await es.close();
}
