// `pnpm eval:figures`: how well enrichment reads casualty / loss / infection figures and the post's time on real
// Chinese headlines and Weibo posts, against the hand labels in eval/labels/figures*.tsv. The texts stay in
// ../shared/eval (research licences); the labels cite them by line number or id. Not a test: prints numbers.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "@liaowang/config";
import { groundFigures, locateFigures } from "@liaowang/nlp";
import type { Figure } from "@liaowang/nlp";
import type { TimeRefKind } from "@liaowang/schemas";

export interface Score {
  total: number;
  exact: number;
  accuracy: number;
}

export interface FigureEval extends Score {
  /** Labels whose id hashes into the held-out part: rules were never tuned on them. */
  heldOut: Score;
  /** The rest, on which the phrasing rules were tuned (added beside the interface the eval command relies on). */
  tuning: Score;
  /** Labels of figures-fresh.tsv: labelled before the extractor ever ran on them, never used to write a rule. */
  fresh: Score;
  /** Texts with numbers that are no casualty figures: clean when no figure at all is read. */
  negatives: { total: number; clean: number };
  /** The post's time (current, past, statistic, plan, followup) over every labelled text. */
  timeRef: { total: number; correct: number };
  /** Per figure kind, over the texts where the label or the reading has that kind. */
  byKind: Record<string, { total: number; exact: number }>;
  /** Negatives of figures-fresh.tsv alone (also counted in `negatives`). */
  freshNegatives: { total: number; clean: number };
  misses: Miss[];
  /** Texts whose time was read wrong (added beside `misses`, which keeps figure misses only). */
  timeRefMisses: Miss[];
}

export interface Miss {
  corpus: string;
  id: string;
  expected: string;
  got: string;
  part?: "tuning" | "held-out" | "fresh";
}

type Corpus = "thucnews" | "weibo" | "msr";

interface Label {
  corpus: Corpus;
  id: string;
  set: "fig" | "neg";
  figures: string[];
  timeRef: TimeRefKind;
  /** From figures-fresh.tsv: held out by construction, not by hash. */
  fresh: boolean;
}

interface Text {
  text: string;
  publishedAt?: Date | undefined;
}

const LABELS_DIR = join(repoRoot, "eval", "labels");
const TIME_KINDS: readonly string[] = ["current", "past", "statistic", "plan", "followup"];

/** About 30% of the labels, chosen by a hash of corpus and id, never looked at while writing the rules. */
export function isHeldOut(corpus: string, id: string): boolean {
  const first = createHash("sha1").update(`${corpus}:${id}`).digest("hex")[0] ?? "f";
  return "01234".includes(first);
}

function readLabels(): Label[] {
  const files = readdirSync(LABELS_DIR).filter((f) => f.startsWith("figures") && f.endsWith(".tsv"));
  const labels: Label[] = [];
  for (const file of files) {
    readFileSync(join(LABELS_DIR, file), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (line.trim() === "" || line.startsWith("#")) return;
        const [corpus, id, set, figures, timeRef] = line.split("\t");
        const where = `${file}:${i + 1}`;
        if (corpus !== "thucnews" && corpus !== "weibo" && corpus !== "msr") throw new Error(`${where}: unknown corpus ${corpus}`);
        if (id === undefined || id === "" || (set !== "fig" && set !== "neg")) throw new Error(`${where}: bad id or set`);
        if (timeRef === undefined || !TIME_KINDS.includes(timeRef)) throw new Error(`${where}: bad timeRef ${timeRef}`);
        const list = figures === undefined || figures === "-" ? [] : figures.split(",");
        if (list.some((f) => !/^[a-z_]+=\d+(?:\.\d+)?$/.test(f))) throw new Error(`${where}: bad figures ${figures}`);
        labels.push({ corpus, id, set, figures: list, timeRef: timeRef as TimeRefKind, fresh: file === "figures-fresh.tsv" });
      });
  }
  return labels;
}

function publishedAt(time: unknown): Date | undefined {
  const date = typeof time === "number" ? new Date(time * 1000) : typeof time === "string" ? new Date(time) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}

function readTexts(evalDir: string): Map<string, Text> {
  const texts = new Map<string, Text>();
  readFileSync(join(evalDir, "thucnews_dev", "dev.txt"), "utf8")
    .split("\n")
    .forEach((line, i) => texts.set(`thucnews:${i + 1}`, { text: line.split("\t")[0] ?? "" }));
  const msr = join(evalDir, "sighan2005_msr", "msr_test.utf8");
  if (existsSync(msr)) {
    readFileSync(msr, "utf8")
      .split("\n")
      .forEach((line, i) => texts.set(`msr:${i + 1}`, { text: line.trim() }));
  }
  for (const line of readFileSync(join(evalDir, "weibo_ced_dev", "originals.jsonl"), "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const post = JSON.parse(line) as { id: string; text: string; time?: unknown };
    texts.set(`weibo:${post.id}`, { text: post.text, publishedAt: publishedAt(post.time) });
  }
  return texts;
}

/** What enrichment reads: the current figures (as kind=value, "affected" left out), all figures and the post's time. */
export function readFigures(text: string, published?: Date): { current: string[]; all: Figure[]; timeRef: TimeRefKind } {
  const { figures, timeRef } = groundFigures(text, locateFigures(text), { publishedAt: published });
  const current = figures.filter((f) => f.time === undefined && f.kind !== "affected").map((f) => `${f.kind}=${f.value}`);
  return { current: [...new Set(current)], all: figures, timeRef: timeRef.kind };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

function score(total: number, exact: number): Score {
  return { total, exact, accuracy: total === 0 ? 0 : exact / total };
}

/**
 * Read every labelled text and compare: exact match of the current figures on texts that state figures, no figure
 * on the negatives, and the post's time on all.
 * @example const result = await evaluateFigures(); if (!("skipped" in result)) console.log(result.accuracy)
 */
export async function evaluateFigures(opts: { evalDir?: string } = {}): Promise<FigureEval | { skipped: string }> {
  const evalDir = opts.evalDir ?? process.env.LIAOWANG_EVAL_DIR ?? join(repoRoot, "..", "shared", "eval");
  if (!existsSync(join(evalDir, "thucnews_dev")) || !existsSync(join(evalDir, "weibo_ced_dev"))) {
    return { skipped: `no evaluation corpus at ${evalDir} (set LIAOWANG_EVAL_DIR)` };
  }
  const texts = readTexts(evalDir);
  const counts = { tuning: [0, 0], heldOut: [0, 0], fresh: [0, 0] };
  const negatives = { total: 0, clean: 0 };
  const freshNegatives = { total: 0, clean: 0 };
  const timeRef = { total: 0, correct: 0 };
  const byKind: Record<string, { total: number; exact: number }> = {};
  const misses: FigureEval["misses"] = [];
  const timeRefMisses: FigureEval["timeRefMisses"] = [];
  for (const label of readLabels()) {
    const source = texts.get(`${label.corpus}:${label.id}`);
    if (source === undefined) throw new Error(`label ${label.corpus} ${label.id} names no text in ${evalDir}`);
    const got = readFigures(source.text, source.publishedAt);
    const where = { corpus: label.corpus, id: label.id, part: label.fresh ? "fresh" : isHeldOut(label.corpus, label.id) ? "held-out" : "tuning" } as const;
    timeRef.total += 1;
    if (got.timeRef === label.timeRef) timeRef.correct += 1;
    else timeRefMisses.push({ ...where, expected: label.timeRef, got: got.timeRef });
    if (label.set === "neg") {
      negatives.total += 1;
      if (label.fresh) freshNegatives.total += 1;
      const read = got.all.filter((f) => f.kind !== "affected");
      if (read.length === 0) {
        negatives.clean += 1;
        if (label.fresh) freshNegatives.clean += 1;
      } else misses.push({ ...where, expected: "(none)", got: read.map((f) => `${f.kind}=${f.value}@${f.time ?? "current"}`).join(",") });
      continue;
    }
    const exact = sameSet(label.figures, got.current);
    const part = label.fresh ? counts.fresh : isHeldOut(label.corpus, label.id) ? counts.heldOut : counts.tuning;
    part[0] = (part[0] ?? 0) + 1;
    if (exact) part[1] = (part[1] ?? 0) + 1;
    else misses.push({ ...where, expected: label.figures.join(",") || "-", got: got.current.join(",") || "-" });
    const kinds = new Set([...label.figures, ...got.current].map((f) => f.split("=")[0] ?? ""));
    for (const kind of kinds) {
      const k = (byKind[kind] ??= { total: 0, exact: 0 });
      k.total += 1;
      const of = (list: string[]) => list.filter((f) => f.startsWith(`${kind}=`));
      if (sameSet(of(label.figures), of(got.current))) k.exact += 1;
    }
  }
  const [tt = 0, te = 0] = counts.tuning;
  const [ht = 0, he = 0] = counts.heldOut;
  const [ft = 0, fe = 0] = counts.fresh;
  return {
    ...score(tt + ht + ft, te + he + fe),
    heldOut: score(ht, he),
    tuning: score(tt, te),
    fresh: score(ft, fe),
    negatives,
    freshNegatives,
    timeRef,
    byKind,
    misses,
    timeRefMisses,
  };
}

function percent(n: number, d: number): string {
  return d === 0 ? "   -  " : `${((100 * n) / d).toFixed(1).padStart(5)}%`;
}

async function main(): Promise<void> {
  const result = await evaluateFigures();
  if ("skipped" in result) {
    console.log(`figures: skipped (${result.skipped})`);
    return;
  }
  const row = (name: string, n: number, d: number) => console.log(`${name.padEnd(38)} ${String(n).padStart(4)} / ${String(d).padEnd(4)} ${percent(n, d)}`);
  console.log("figure accuracy on real headlines and posts (exact set of current figures)");
  row("all texts stating figures", result.exact, result.total);
  row("  tuning", result.tuning.exact, result.tuning.total);
  row("  held out (by hash)", result.heldOut.exact, result.heldOut.total);
  row("  fresh held out (figures-fresh.tsv)", result.fresh.exact, result.fresh.total);
  row("negatives with no figure read", result.negatives.clean, result.negatives.total);
  row("  fresh negatives", result.freshNegatives.clean, result.freshNegatives.total);
  row("post time (timeRef) right", result.timeRef.correct, result.timeRef.total);
  for (const [kind, k] of Object.entries(result.byKind).sort()) row(`  kind ${kind}`, k.exact, k.total);
  const texts = readTexts(process.env.LIAOWANG_EVAL_DIR ?? join(repoRoot, "..", "shared", "eval"));
  const show = (m: Miss) => {
    const text = (texts.get(`${m.corpus}:${m.id}`)?.text ?? "").replace(/\s+/g, " ").slice(0, 90);
    console.log(`  ${m.corpus} ${m.id} [${m.part ?? ""}] expected ${m.expected} got ${m.got}\n      ${text}`);
  };
  console.log(`\nfigure misses (${result.misses.length}):`);
  result.misses.forEach(show);
  console.log(`\ntime misses (${result.timeRefMisses.length}):`);
  result.timeRefMisses.forEach(show);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
