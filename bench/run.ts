// `pnpm bench`: throughput, latency and memory figures of the pipeline's parts, side by side in one run. Separate
// from the tests and never gating CI: it prints a table and writes bench/results/<time>.json (gitignored).
// Real text is read at run time from ../shared/eval/ when present (never copied into the repository); otherwise a
// generated corpus is used and the output says so. The end-to-end part needs the dev stack (`pnpm liaowang stack up`).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { repoRoot } from "@liaowang/config";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules } from "../packages/detect/src/index.js";
import { createEsClient } from "@liaowang/es";
import { createKafka, createProducer } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { Analyzer, createSegmenter } from "@liaowang/nlp";
import { StageHealth, stageHealthIndex, type EnrichedDocument, type RawDocument } from "@liaowang/schemas";
import { spawnService, type SpawnedService } from "@liaowang/testing";
import { enrichDocument } from "../services/enrich/src/enrich.js";
import { toFeatures } from "../services/detector/src/features.js";

const evalDir = process.env.LIAOWANG_EVAL_DIR ?? join(repoRoot, "..", "shared", "eval");
const BURST = Number(process.env.LIAOWANG_BENCH_BURST ?? 20_000);
const results: Record<string, unknown> = {};
const notes: string[] = [];
const rows: [string, string, string][] = [];
const row = (what: string, value: string, note = "") => {
  rows.push([what, value, note]);
  console.log(`${what.padEnd(52)} ${value.padStart(16)}  ${note}`);
};

// ---------------------------------------------------------------- corpus
function realPosts(): string[] {
  const out: string[] = [];
  const weibo = join(evalDir, "weibo_ced_dev", "originals.jsonl");
  if (existsSync(weibo)) {
    for (const line of readFileSync(weibo, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const text = (JSON.parse(line) as { text?: string }).text?.trim();
      if (text && text.length >= 10) out.push(text);
    }
  }
  const news = join(evalDir, "thucnews_dev", "dev.txt");
  if (existsSync(news)) for (const line of readFileSync(news, "utf8").split("\n")) if (line.includes("\t")) out.push(line.split("\t")[0]!);
  return out;
}
let texts = realPosts();
if (texts.length === 0) {
  notes.push(`no real text under ${evalDir}: a generated corpus was used (figures are not comparable)`);
  const parts = ["某市", "小区居民", "反映", "连续停水", "物业", "回应", "12345热线", "已转交", "住建部门", "处理", "群众", "不满"];
  texts = Array.from({ length: 3_000 }, (_, i) => Array.from({ length: 8 + (i % 20) }, (_, j) => parts[(i * 7 + j * 3) % parts.length]).join(""));
}
const shortTexts = texts.slice(0, 3_000);
const corpusBytes = shortTexts.reduce((n, t) => n + Buffer.byteLength(t), 0);
results.machine = { cpus: cpus().length, model: cpus()[0]?.model, memGB: Math.round(totalmem() / 2 ** 30), loadavg1: loadavg()[0], node: process.version };
results.corpus = { posts: shortTexts.length, bytes: corpusBytes, source: notes.length ? "generated" : "weibo_ced_dev + thucnews_dev" };
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, load ${loadavg()[0]?.toFixed(1)}; corpus ${shortTexts.length} posts, ${(corpusBytes / 1e6).toFixed(2)} MB (${results.corpus && (results.corpus as { source: string }).source})\n`);

function rate(body: () => void, minMs = 3_000): number {
  body();
  let rounds = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    body();
    rounds++;
  }
  return rounds / ((performance.now() - start) / 1000);
}

// ---------------------------------------------------------------- segmentation: raw nodejieba, production, Python jieba
const msrRaw = join(evalDir, "sighan2005_msr", "msr_test.utf8");
const msrGold = join(evalDir, "sighan2005_msr", "msr_test_gold.utf8");
const hasMsr = existsSync(msrRaw) && existsSync(msrGold);
const msrLines = hasMsr ? readFileSync(msrRaw, "utf8").split("\n").map((l) => l.trim()).filter(Boolean) : [];
const goldLines = hasMsr ? readFileSync(msrGold, "utf8").split("\n").map((l) => l.trim()).filter(Boolean) : [];

/** Span-based precision / recall / F1 of a segmentation against the gold one (whitespace ignored). */
function f1(predicted: string[][], gold: string[][]): number {
  let tp = 0;
  let np = 0;
  let ng = 0;
  const spans = (words: string[]) => {
    const out = new Set<string>();
    let at = 0;
    for (const w of words) {
      const clean = w.replace(/\s+/g, "");
      if (!clean) continue;
      out.add(`${at}:${at + clean.length}`);
      at += clean.length;
    }
    return out;
  };
  for (let i = 0; i < gold.length; i++) {
    const g = spans(gold[i]!);
    const p = spans(predicted[i] ?? []);
    np += p.size;
    ng += g.size;
    for (const s of p) if (g.has(s)) tp++;
  }
  const precision = tp / np;
  const recall = tp / ng;
  return (2 * precision * recall) / (precision + recall);
}
const gold = goldLines.map((l) => l.split(/\s+/).filter(Boolean));

// Raw nodejieba (a dev dependency of packages/nlp, kept as the baseline) with its default dictionaries.
const require = createRequire(join(repoRoot, "packages", "nlp", "package.json"));
const nodejieba = require("nodejieba") as { cut(text: string, hmm?: boolean): string[] };
const rawPerSec = rate(() => shortTexts.forEach((t) => nodejieba.cut(t, true)));
const rawMBs = (rawPerSec * corpusBytes) / 1e6;
const rawF1 = hasMsr ? f1(msrLines.map((l) => nodejieba.cut(l, true)), gold) : undefined;

const segmenter = createSegmenter();
const prodPerSec = rate(() => shortTexts.forEach((t) => segmenter.cut(t)));
const prodMBs = (prodPerSec * corpusBytes) / 1e6;
const prodF1 = hasMsr ? f1(msrLines.map((l) => segmenter.cut(l)), gold) : undefined;

// Python jieba in the benchmark's own virtualenv (installed from PyPI when absent).
function pythonJieba(): { mbs: number; f1?: number } | string {
  const venv = join(repoRoot, "bench", ".venv");
  const py = join(venv, "bin", "python");
  try {
    if (!existsSync(py)) execFileSync("python3", ["-m", "venv", venv], { stdio: "ignore" });
    if (spawnSync(py, ["-c", "import jieba"]).status !== 0) execFileSync(join(venv, "bin", "pip"), ["install", "--quiet", "jieba"], { stdio: "ignore", timeout: 300_000 });
  } catch (error) {
    return `Python jieba unavailable (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
  }
  const corpusFile = join(repoRoot, "bench", ".venv", "corpus.txt");
  writeFileSync(corpusFile, shortTexts.map((t) => t.replace(/\n/g, " ")).join("\n"));
  const script = `
import json, sys, time, jieba
jieba.initialize()
lines = open(sys.argv[1], encoding="utf-8").read().split("\\n")
size = sum(len(l.encode("utf-8")) for l in lines)
for l in lines: jieba.lcut(l)
start = time.perf_counter(); rounds = 0
while time.perf_counter() - start < 3:
    for l in lines: jieba.lcut(l)
    rounds += 1
out = {"mbs": rounds * size / (time.perf_counter() - start) / 1e6}
if len(sys.argv) > 2:
    out["pred"] = [jieba.lcut(l.strip()) for l in open(sys.argv[2], encoding="utf-8").read().split("\\n") if l.strip()]
print(json.dumps(out, ensure_ascii=False))
`;
  const res = spawnSync(py, ["-c", script, corpusFile, ...(hasMsr ? [msrRaw] : [])], { encoding: "utf8", maxBuffer: 256 * 2 ** 20 });
  if (res.status !== 0) return `Python jieba failed: ${res.stderr.split("\n").slice(-2).join(" ")}`;
  const parsed = JSON.parse(res.stdout) as { mbs: number; pred?: string[][] };
  return { mbs: parsed.mbs, ...(parsed.pred ? { f1: f1(parsed.pred, gold) } : {}) };
}
const py = pythonJieba();
const pyMBs = typeof py === "string" ? undefined : py.mbs;
if (typeof py === "string") notes.push(py);
if (!hasMsr) notes.push("F1: skipped (no SIGHAN-2005 MSR gold under ../shared/eval/sighan2005_msr)");
const pct = (x: number | undefined) => (x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);
row("segmentation, raw nodejieba (default dict)", `${rawMBs.toFixed(2)} MB/s`, `F1 ${pct(rawF1)} on MSR`);
row("segmentation, production segmenter", `${prodMBs.toFixed(2)} MB/s`, `F1 ${pct(prodF1)}; ${(prodMBs / rawMBs).toFixed(2)}× raw (target ≥ 0.9×)`);
row("segmentation, Python jieba (PyPI)", pyMBs === undefined ? "—" : `${pyMBs.toFixed(2)} MB/s`, typeof py === "string" ? py : `F1 ${pct(py.f1)}; production is ${(prodMBs / py.mbs).toFixed(1)}× (target ≥ 5×)`);
results.segmentation = { rawMBs, prodMBs, pyMBs, rawF1, prodF1, pyF1: typeof py === "string" ? undefined : py.f1, ratioRaw: prodMBs / rawMBs, ratioPython: pyMBs ? prodMBs / pyMBs : undefined };

// ---------------------------------------------------------------- enrichment and detection, one core each
const now = Date.now();
const raws: RawDocument[] = shortTexts.map((text, i) => ({
  v: 1,
  id: createHash("sha256").update(`${i}:${text}`).digest("hex").slice(0, 32),
  source: `bench-${i % 10}`,
  sourceKind: "webhook",
  text,
  publishedAt: new Date(now - (shortTexts.length - i) * 1000).toISOString(),
  ingestedAt: new Date(now).toISOString(),
  lang: "zh",
}));
const analysis = new Analyzer().resources;
let enriched: EnrichedDocument[] = [];
const enrichRounds = rate(() => {
  enriched = raws.map((r) => enrichDocument(r, segmenter, { keywords: 20, analysis }, new Date()));
}, 5_000);
const enrichPerSec = enrichRounds * raws.length;
row("enrichment (full), one core", `${enrichPerSec.toFixed(0)} posts/s`, "target ≥ 5,000");
const features = enriched.map(toFeatures);
const detectStart = performance.now();
const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
let detected = 0;
while (performance.now() - detectStart < 5_000) {
  for (let i = 0; i < features.length; i += 500) {
    // fresh ids each round so every post is new to the engine
    const batch = features.slice(i, i + 500).map((f) => ({ ...f, id: `${detected}-${f.id}` }));
    const plan = engine.process(batch, Date.now());
    engine.commit(plan);
    detected += batch.length;
  }
}
const detectPerSec = detected / ((performance.now() - detectStart) / 1000);
row("detector engine (clustering, grading, bursts)", `${detectPerSec.toFixed(0)} posts/s`, `${engine.open().length} open incidents held`);
results.enrichPerSec = enrichPerSec;
results.detectPerSec = detectPerSec;

// ---------------------------------------------------------------- end to end: a burst through enrich + indexer
const esUrl = process.env.LIAOWANG_ES_URL ?? "http://127.0.0.1:9200";
const brokers = process.env.LIAOWANG_KAFKA_BROKERS ?? "127.0.0.1:9092";
const es = createEsClient({ node: esUrl, indexPrefix: "bench-" });
const alive = await es.ping().catch(() => false);
if (!alive) {
  notes.push(`end-to-end figures skipped: no Elasticsearch at ${esUrl} (run \`pnpm liaowang stack up\`)`);
} else {
  const unique = `${Date.now().toString(36)}`;
  const env = {
    LIAOWANG_KAFKA_BROKERS: brokers,
    LIAOWANG_ES_URL: esUrl,
    LIAOWANG_TOPIC_PREFIX: `bench.${unique}.`,
    LIAOWANG_INDEX_PREFIX: `bench-${unique}-`,
    LOG_LEVEL: "info",
    ENRICH_WATCH_DICTIONARIES: "off",
  };
  const log = createLogger({ service: "bench", level: "warn" });
  const kafka = createKafka({ brokers: brokers.split(","), clientId: "bench", topicPrefix: env.LIAOWANG_TOPIC_PREFIX }, log);
  const services: { name: string; proc: SpawnedService; spawnedAt: number; startedMs?: number }[] = [];
  const startService = async (name: string, entry: string) => {
    const spawnedAt = performance.now();
    const proc = spawnService(entry, env);
    const s = { name, proc, spawnedAt } as (typeof services)[number];
    services.push(s);
    for (;;) {
      if (proc.output().includes('"msg":"started"')) break;
      if (performance.now() - spawnedAt > 120_000) throw new Error(`${name} did not start: ${proc.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    s.startedMs = performance.now() - spawnedAt;
  };
  const procStat = (pid: number | undefined) => {
    if (!pid) return { rssMB: NaN, cpuS: NaN };
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return { rssMB: rss, cpuS: (Number(stat[11]) + Number(stat[12])) / 100 };
  };
  try {
    await startService("enrich", "services/enrich/src/main.ts");
    await startService("indexer", "services/indexer/src/main.ts");
    for (const s of services) row(`start-up: ${s.name}`, `${((s.startedMs ?? 0) / 1000).toFixed(1)} s`, "spawn → ready (connected, topics ensured)");
    const producer = await createProducer(kafka, env.LIAOWANG_TOPIC_PREFIX);
    const burst: RawDocument[] = Array.from({ length: BURST }, (_, i) => {
      const text = `${shortTexts[i % shortTexts.length]!} #${i}`;
      return { ...raws[i % raws.length]!, id: createHash("sha256").update(`burst-${unique}-${i}`).digest("hex").slice(0, 32), text };
    });
    const cpuBefore = services.map((s) => procStat(s.proc.pid).cpuS);
    const t0 = performance.now();
    await producer.send("raw", burst);
    const pushedMs = performance.now() - t0;
    const index = `${env.LIAOWANG_INDEX_PREFIX}docs`;
    let count = 0;
    let lastCount = 0;
    let lastMove = performance.now();
    let longestStallMs = 0;
    while (count < BURST) {
      await new Promise((r) => setTimeout(r, 500));
      await es.indices.refresh({ index }).catch(() => undefined);
      count = (await es.count({ index }).catch(() => ({ count: 0 }))).count;
      if (count > lastCount) {
        longestStallMs = Math.max(longestStallMs, performance.now() - lastMove);
        lastMove = performance.now();
        lastCount = count;
      }
      if (performance.now() - lastMove > 120_000) break;
    }
    const searchableMs = performance.now() - t0;
    const cpu = services.map((s, i) => procStat(s.proc.pid).cpuS - (cpuBefore[i] ?? 0));
    const health = await es.search<StageHealth>({ index: stageHealthIndex(env.LIAOWANG_INDEX_PREFIX), size: 20 }, { ignore: [404] });
    const reports = (health.hits?.hits ?? []).flatMap((h) => (h._source ? [StageHealth.parse(h._source)] : []));
    const stuck = reports.filter((r) => r.stuck).map((r) => r.service);
    const retried = services.filter((s) => s.proc.output().includes("batch failed, retrying")).map((s) => s.name);
    row(`burst of ${BURST} short posts: pushed to raw`, `${(pushedMs / 1000).toFixed(1)} s`, `${(BURST / (pushedMs / 1000)).toFixed(0)} posts/s`);
    row(`burst of ${BURST}: all searchable after`, count >= BURST ? `${(searchableMs / 1000).toFixed(1)} s` : `STALLED at ${count}`, `${(count / (searchableMs / 1000)).toFixed(0)} posts/s push → searchable (target ≥ 3,000)`);
    row("burst: proof nothing stalled", stuck.length === 0 && retried.length === 0 ? "no stall" : "STALLED", `longest gap without progress ${(longestStallMs / 1000).toFixed(1)} s; stuck stages: ${stuck.join(", ") || "none"}; retried: ${retried.join(", ") || "none"}`);
    services.forEach((s, i) => row(`burst: CPU of ${s.name}`, `${cpu[i]!.toFixed(1)} s`, `${(((cpu[i] ?? 0) / (searchableMs / 1000)) * 100).toFixed(0)}% of one core over the burst`));
    const limiting = services[cpu.indexOf(Math.max(...cpu))]?.name;
    row("burst: limiting stage (most CPU)", limiting ?? "—");
    await new Promise((r) => setTimeout(r, 5_000));
    const rss = services.map((s) => ({ name: s.name, ...procStat(s.proc.pid) }));
    for (const r of rss) row(`RSS at steady state: ${r.name}`, `${r.rssMB.toFixed(0)} MB`, "target ≤ 250 MB");
    results.burst = { posts: BURST, pushedMs, searchableMs, indexed: count, longestStallMs, stuck, retried, cpu: Object.fromEntries(services.map((s, i) => [s.name, cpu[i]])), limiting };
    results.startupMs = Object.fromEntries(services.map((s) => [s.name, s.startedMs]));
    results.rssMB = Object.fromEntries(rss.map((r) => [r.name, r.rssMB]));
    await producer.disconnect();
  } finally {
    await Promise.all(services.map((s) => s.proc.stop()));
    await es.indices.delete({ index: `${env.LIAOWANG_INDEX_PREFIX}*` }).catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect().catch(() => undefined);
    const topicsOf = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(env.LIAOWANG_TOPIC_PREFIX));
    if (topicsOf.length > 0) await admin.deleteTopics({ topics: topicsOf }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
await es.close();

notes.push("not measured by this run yet: post → alert p50/p95/p99 at 200 and 1,000 posts/s background, long articles, 1 vs 2 replicas per stage, detector/api/alerter RSS");
for (const note of notes) console.log(`note: ${note}`);
results.notes = notes;
results.table = rows;
const dir = join(repoRoot, "bench", "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nresults: ${file}`);
process.exit(0);
