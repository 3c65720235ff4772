// Segmentation speed (MB/s) of the production segmenter, raw nodejieba and Python jieba on the same text, and their
// F1 on the SIGHAN-2005 MSR gold when present.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { repoRoot } from "@liaowang/config";
import { createSegmenter, type Segmenter } from "@liaowang/nlp";

/** MB/s per CPU second (one dedicated core); the `Wall` figures are per wall-clock second of this run. */
export interface SegmentationResult {
  rawMBs: number;
  prodMBs: number;
  pyMBs?: number;
  rawMBsWall: number;
  prodMBsWall: number;
  pyMBsWall?: number;
  rawF1?: number;
  prodF1?: number;
  pyF1?: number;
  pyVersion?: string;
  notes: string[];
}

/** Span-based F1 of a segmentation against the gold one (whitespace ignored). */
export function f1(predicted: string[][], gold: string[][]): number {
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

/**
 * Raw nodejieba's F1 with its default dictionaries first; then, with the production dictionaries loaded into the
 * process's one native engine, raw `nodejieba.cut` and the production segmenter interleaved chunk by chunk, so the
 * ratio is the wrapper's cost over the very engine it wraps and a load swing on a shared machine hits both; then
 * Python jieba in bench/.venv.
 */
export function benchSegmentation(texts: string[], evalDir: string): { result: SegmentationResult; segmenter: Segmenter } {
  const notes: string[] = [];
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const msrRaw = join(evalDir, "sighan2005_msr", "msr_test.utf8");
  const msrGold = join(evalDir, "sighan2005_msr", "msr_test_gold.utf8");
  const hasMsr = existsSync(msrRaw) && existsSync(msrGold);
  const msrLines = hasMsr ? readFileSync(msrRaw, "utf8").split("\n").map((l) => l.trim()).filter(Boolean) : [];
  const gold = hasMsr ? readFileSync(msrGold, "utf8").split("\n").map((l) => l.trim()).filter(Boolean).map((l) => l.split(/\s+/).filter(Boolean)) : [];
  if (!hasMsr) notes.push("F1 skipped: no SIGHAN-2005 MSR gold under ../shared/eval/sighan2005_msr");

  // Raw nodejieba (the production engine, a dependency of packages/nlp), as installed: its default dictionaries.
  const require = createRequire(join(repoRoot, "packages", "nlp", "package.json"));
  const nodejieba = require("nodejieba") as { cut(text: string, hmm?: boolean): string[] };
  const rawF1 = hasMsr ? f1(msrLines.map((l) => nodejieba.cut(l, true)), gold) : undefined;

  const segmenter = createSegmenter().warm();
  const prodF1 = hasMsr ? f1(msrLines.map((l) => segmenter.cut(l)), gold) : undefined;
  const { raw, prod } = interleaved(texts, { raw: (t) => nodejieba.cut(t, true), prod: (t) => segmenter.cut(t) }, 9_000);

  const py = pythonJieba(texts, hasMsr ? msrRaw : undefined);
  if (typeof py === "string") notes.push(py);
  const result: SegmentationResult = { rawMBs: (raw.cpu * bytes) / 1e6, prodMBs: (prod.cpu * bytes) / 1e6, rawMBsWall: (raw.wall * bytes) / 1e6, prodMBsWall: (prod.wall * bytes) / 1e6, ...(rawF1 === undefined ? {} : { rawF1 }), ...(prodF1 === undefined ? {} : { prodF1 }), notes };
  if (typeof py !== "string") {
    result.pyMBs = py.mbs;
    result.pyMBsWall = py.mbsWall;
    result.pyVersion = py.version;
    if (py.pred) result.pyF1 = f1(py.pred, gold);
  }
  return { result, segmenter };
}

/**
 * Passes over `texts` per CPU second and per wall-clock second of each of two cutters, measured interleaved: the
 * texts in chunks of 100, each chunk cut by both (which one goes first alternates), each side's CPU and wall time
 * summed, for at least `minMs` after two warm-up passes of each. Rounds of seconds per side (as before) let a load
 * swing, a collection or the JIT land on one side: the same code measured 0.63–0.99× raw in such rounds, 0.88–0.92×
 * interleaved.
 */
function interleaved(texts: readonly string[], cutters: { raw: (text: string) => unknown; prod: (text: string) => unknown }, minMs: number): Record<"raw" | "prod", { cpu: number; wall: number }> {
  const sides = [cutters.raw, cutters.prod] as const;
  for (let pass = 0; pass < 2; pass++) for (const cut of sides) for (const text of texts) cut(text);
  const cpu = [0, 0];
  const wall = [0, 0];
  const CHUNK = 100;
  let passes = 0;
  const started = performance.now();
  while (performance.now() - started < minMs) {
    for (let from = 0, chunk = 0; from < texts.length; from += CHUNK, chunk++) {
      const to = Math.min(texts.length, from + CHUNK);
      for (const side of (chunk + passes) % 2 === 0 ? [0, 1] : [1, 0]) {
        const cut = sides[side]!;
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        for (let i = from; i < to; i++) cut(texts[i]!);
        const used = process.cpuUsage(c0);
        cpu[side]! += (used.user + used.system) / 1e6;
        wall[side]! += (performance.now() - t0) / 1000;
      }
    }
    passes++;
  }
  return { raw: { cpu: passes / cpu[0]!, wall: passes / wall[0]! }, prod: { cpu: passes / cpu[1]!, wall: passes / wall[1]! } };
}

/** Python jieba in the benchmark's own virtualenv (installed from PyPI when absent), or why it is unavailable. */
function pythonJieba(texts: string[], msrRaw: string | undefined): { mbs: number; mbsWall: number; version: string; pred?: string[][] } | string {
  const venv = join(repoRoot, "bench", ".venv");
  const py = join(venv, "bin", "python");
  try {
    if (!existsSync(py)) execFileSync("python3", ["-m", "venv", venv], { stdio: "ignore" });
    if (spawnSync(py, ["-c", "import jieba"]).status !== 0) execFileSync(join(venv, "bin", "pip"), ["install", "--quiet", "jieba"], { stdio: "ignore", timeout: 300_000 });
  } catch (error) {
    return `Python jieba unavailable (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
  }
  const corpusFile = join(venv, "corpus.txt");
  writeFileSync(corpusFile, texts.map((t) => t.replace(/\n/g, " ")).join("\n"));
  const script = `
import json, sys, time, logging, jieba
jieba.setLogLevel(logging.WARNING)
jieba.initialize()
lines = open(sys.argv[1], encoding="utf-8").read().split("\\n")
size = sum(len(l.encode("utf-8")) for l in lines)
for l in lines: jieba.lcut(l)
start = time.perf_counter(); cpu = time.process_time(); rounds = 0
while time.perf_counter() - start < 3:
    for l in lines: jieba.lcut(l)
    rounds += 1
out = {"mbs": rounds * size / (time.process_time() - cpu) / 1e6, "mbsWall": rounds * size / (time.perf_counter() - start) / 1e6, "version": jieba.__version__}
if len(sys.argv) > 2:
    out["pred"] = [jieba.lcut(l.strip()) for l in open(sys.argv[2], encoding="utf-8").read().split("\\n") if l.strip()]
print(json.dumps(out, ensure_ascii=False))
`;
  const res = spawnSync(py, ["-c", script, corpusFile, ...(msrRaw ? [msrRaw] : [])], { encoding: "utf8", maxBuffer: 256 * 2 ** 20 });
  if (res.status !== 0) return `Python jieba failed: ${res.stderr.split("\n").slice(-2).join(" ")}`;
  return JSON.parse(res.stdout) as { mbs: number; mbsWall: number; version: string; pred?: string[][] };
}
