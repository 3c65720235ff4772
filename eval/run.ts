// `pnpm eval`: replays labelled streams through the production domain code (enrich → detect → duty-board rule →
// alerting) and prints, per run, alerts per 1,000 posts, precision and recall of "should reach the duty board",
// scope accuracy, figure exact-match accuracy and grade accuracy. Not a test: prints numbers, gates nothing.
//
//   pnpm eval                 scenario streams (eval/scenarios) and the real texts (../shared/eval) when present
//   pnpm eval -- --verbose    also every false / missed alert with its reason
//   pnpm eval -- --all        every real text (11,686) instead of the labelled ones plus a fixed sample
//   pnpm eval -- --scenarios  the scenario streams only
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "@liaowang/config";
import type { Scope } from "@liaowang/detect";
import { replay, type ReplayResult, type StreamPost } from "./pipeline.js";

const argv = new Set(process.argv.slice(2));
const verbose = argv.has("--verbose");
const MIN = 60_000;
const JURISDICTION = "长沙市";
const T0 = Date.parse("2026-11-20T08:00:00+08:00");

/** What a labelled post should come to. */
interface Label {
  /** Should its story reach a 长沙市 duty board now (after the local-source rule for `?`). */
  alert: boolean;
  scope?: Scope | undefined;
  /** Expected grade of its incident when it reaches the board (null = ungraded). */
  level?: string | null | undefined;
  /** Scenario story id: posts of one story belong in one incident, of different stories in different ones. */
  story?: string | undefined;
  /** Expected responsible department of the story's alert. */
  department?: string | undefined;
}

interface Run {
  name: string;
  posts: StreamPost[];
  labels: Map<string, Label>;
  /** Posts not labelled count as alert = 0 only for the alerts-per-1,000 figure. */
  unlabelledAreNegative: boolean;
}

// ---- scenario streams (eval/scenarios/*.ndjson, written for this evaluation) ----

interface ScenarioLine {
  at: number;
  source: string;
  title?: string;
  text: string;
  url?: string;
  story: string;
  alert: 0 | 1;
  scope: Scope;
  level?: string;
  department?: string;
}

function scenarioRuns(): Run[] {
  const dir = join(repoRoot, "eval", "scenarios");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ndjson"))
    .sort()
    .map((file) => {
      const posts: StreamPost[] = [];
      const labels = new Map<string, Label>();
      readFileSync(join(dir, file), "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (line.trim() === "" || line.startsWith("//")) return;
          const s = JSON.parse(line) as ScenarioLine;
          const key = `${file}:${i + 1}`;
          posts.push({ key, source: s.source, title: s.title, text: s.text, url: s.url, publishedAt: T0 + s.at * MIN });
          labels.set(key, { alert: s.alert === 1, scope: s.scope, level: s.level === undefined || s.level === "-" ? null : s.level, story: s.story, department: s.department });
        });
      return { name: `scenario ${file.replace(/\.ndjson$/, "")}`, posts, labels, unlabelledAreNegative: false };
    });
}

// ---- real texts (../shared/eval), replayed as if current ----

const SOURCES = ["新华网", "人民网", "长沙晚报", "澎湃新闻", "新浪新闻", "微博", "红网", "今日头条", "长沙发布", "潇湘晨报"];

function realRun(all: boolean): Run | { skipped: string } {
  const base = process.env.LIAOWANG_EVAL_DIR ?? join(repoRoot, "..", "shared", "eval");
  const thucPath = join(base, "thucnews_dev", "dev.txt");
  const weiboPath = join(base, "weibo_ced_dev", "originals.jsonl");
  if (!existsSync(thucPath) || !existsSync(weiboPath)) return { skipped: `no real texts at ${base}` };
  const labelRows = readFileSync(join(repoRoot, "eval", "labels", "real-texts.tsv"), "utf8").split("\n").slice(1).filter((l) => l.trim() !== "");
  const raw = new Map<string, { scope: Scope; alert: string; level: string }>();
  for (const row of labelRows) {
    const [corpus, id, scope, alert, level] = row.split("\t");
    raw.set(`${corpus}:${id}`, { scope: scope as Scope, alert: alert ?? "0", level: level ?? "-" });
  }
  const texts: { key: string; text: string }[] = [];
  readFileSync(thucPath, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const key = `thucnews:${i + 1}`;
      const title = line.split("\t")[0]?.trim() ?? "";
      if (title !== "" && (all || raw.has(key) || (i + 1) % 10 === 0)) texts.push({ key, text: title });
    });
  for (const line of readFileSync(weiboPath, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as { id: string; text: string };
    texts.push({ key: `weibo:${r.id}`, text: r.text });
  }
  // Interleave the corpora deterministically, several posts a minute, sources rotating (some local media).
  texts.sort((a, b) => hash(a.key) - hash(b.key));
  const posts = texts.map((t, i) => ({ key: t.key, source: SOURCES[i % SOURCES.length] as string, text: t.text, publishedAt: T0 + i * 15_000 }));
  const local = new Set(["长沙晚报", "长沙发布"]);
  const labels = new Map<string, Label>();
  for (const p of posts) {
    const l = raw.get(p.key);
    if (!l) continue;
    const alert = l.alert === "1" || (l.alert === "?" && local.has(p.source));
    labels.set(p.key, { alert, scope: l.scope, level: l.level === "-" ? null : l.level });
  }
  return { name: `real texts (${posts.length} posts, ${labels.size} labelled)`, posts, labels, unlabelledAreNegative: true };
}

function hash(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ (c.codePointAt(0) ?? 0), 16777619);
  return h >>> 0;
}

// ---- metrics ----

interface Metrics {
  posts: number;
  alerts: number;
  perThousand: number;
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  fn: number;
  scope: { total: number; correct: number };
  grade: { total: number; correct: number };
  falseMajor: string[];
  stories?: { total: number; whole: number; separate: number };
  routing?: { total: number; correct: number };
  clocks?: { total: number; correct: number };
}

const pct = (n: number, d: number): string => (d === 0 ? "n/a" : `${((100 * n) / d).toFixed(1)}%`);

function measure(run: Run, result: ReplayResult): Metrics {
  const onBoard = new Map(result.alerts.map((a) => [a.incident.id, a]));
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const scope = { total: 0, correct: 0 };
  const grade = { total: 0, correct: 0 };
  const misses: string[] = [];
  const labelledPosts = result.posts.filter((p) => run.labels.has(p.key));
  for (const p of labelledPosts) {
    const label = run.labels.get(p.key) as Label;
    const alert = p.incidentId === undefined ? undefined : onBoard.get(p.incidentId);
    const predicted = alert !== undefined;
    if (predicted && label.alert) tp++;
    else if (predicted && !label.alert) {
      fp++;
      misses.push(`  ✗ false alert [${alert.incident.level ?? "未定级"}] ${p.key} ${p.source}: ${alert.incident.firstPost.title ?? alert.incident.firstPost.snippet.slice(0, 60)} — ${alert.incident.board?.reason ?? ""}`);
    } else if (!predicted && label.alert) {
      fn++;
      const inc = p.incidentId === undefined ? undefined : result.incidents.get(p.incidentId);
      misses.push(`  ✗ missed ${p.key} ${p.source} (post scope ${p.scope}) ${inc ? `— ${inc.board?.reason ?? "candidate, no risk signal"}` : "— no incident"}`);
    }
    if (label.scope !== undefined) {
      scope.total++;
      if (label.scope === p.scope) scope.correct++;
      else if (verbose) misses.push(`  ≠ scope ${p.key}: expected ${label.scope}, read ${p.scope}`);
    }
    if (label.alert && label.level !== undefined) {
      grade.total++;
      const got = alert?.incident.level ?? null;
      if (got === label.level) grade.correct++;
      else if (verbose) misses.push(`  ≠ grade ${p.key}: expected ${label.level ?? "未定级"}, got ${got ?? "未定级"}`);
    }
  }
  const falseMajor = result.alerts
    .filter((a) => (a.incident.level === "I" || a.incident.level === "II") && !result.posts.some((p) => p.incidentId === a.incident.id && run.labels.get(p.key)?.alert === true && (run.labels.get(p.key)?.level === "I" || run.labels.get(p.key)?.level === "II")))
    .map((a) => `${a.incident.level} ${a.incident.firstPost.title ?? a.incident.firstPost.snippet.slice(0, 60)} — ${a.incident.gradeReason}`);
  const metrics: Metrics = {
    posts: result.posts.length,
    alerts: result.alerts.length,
    perThousand: (1000 * result.alerts.length) / Math.max(1, result.posts.length),
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    tp,
    fp,
    fn,
    scope,
    grade,
    falseMajor,
  };
  if ([...run.labels.values()].some((l) => l.story !== undefined)) {
    // One incident per story: every post of a story in the same incident, different stories never in one.
    const byStory = new Map<string, Set<string | undefined>>();
    for (const p of labelledPosts) {
      const story = run.labels.get(p.key)?.story as string;
      if (!byStory.has(story)) byStory.set(story, new Set());
      byStory.get(story)?.add(p.incidentId);
    }
    const alerted = [...byStory].filter(([story]) => [...run.labels.values()].some((l) => l.story === story && l.alert));
    const whole = alerted.filter(([, ids]) => ids.size === 1 && !ids.has(undefined)).length;
    const owner = new Map<string, Set<string>>();
    for (const [story, ids] of byStory) for (const id of ids) if (id !== undefined) owner.set(id, new Set([...(owner.get(id) ?? []), story]));
    const separate = [...byStory.keys()].filter((story) => [...(byStory.get(story) ?? [])].every((id) => id === undefined || (owner.get(id)?.size ?? 0) === 1)).length;
    metrics.stories = { total: alerted.length, whole, separate: separate };
    if (verbose) for (const [story, ids] of alerted) if (ids.size !== 1 || ids.has(undefined)) misses.push(`  ≠ story ${story} split over ${ids.size} incident(s)`);
    const routing = { total: 0, correct: 0 };
    const clocks = { total: 0, correct: 0 };
    for (const [story, ids] of alerted) {
      const label = [...run.labels.values()].find((l) => l.story === story && l.alert);
      const id = [...ids][0];
      const a = id === undefined ? undefined : onBoard.get(id);
      if (!a || !label) continue;
      if (label.department !== undefined) {
        routing.total++;
        if (a.alert.department === label.department) routing.correct++;
        else misses.push(`  ≠ route ${story}: expected ${label.department}, got ${a.alert.department} (${a.alert.routeReason})`);
      }
      // Clocks count from the 首发: the story's earliest post.
      const first = Math.min(...run.posts.filter((p) => run.labels.get(p.key)?.story === story).map((p) => p.publishedAt));
      const spans = a.alert.deadlines.map((d) => [d.clock, (Date.parse(d.dueAt) - first) / 3_600_000]);
      const expected = a.incident.level === "I" || a.incident.level === "II" ? [["authoritative_info", 5], ["press_conference", 24]] : [["response", 48]];
      clocks.total++;
      if (JSON.stringify(spans) === JSON.stringify(expected)) clocks.correct++;
      else misses.push(`  ≠ clocks ${story}: ${JSON.stringify(spans)}`);
    }
    metrics.routing = routing;
    metrics.clocks = clocks;
  }
  if (verbose || run.unlabelledAreNegative) {
    for (const line of misses) if (verbose || line.includes("false alert")) console.log(line);
    if (run.unlabelledAreNegative && verbose) {
      const labelled = new Set(labelledPosts.filter((p) => p.incidentId !== undefined).map((p) => p.incidentId));
      for (const a of result.alerts) {
        if (labelled.has(a.incident.id)) continue;
        console.log(`  ? unlabelled alert [${a.incident.level ?? "未定级"}] ${a.incident.firstPost.source}: ${a.incident.firstPost.title ?? a.incident.firstPost.snippet.slice(0, 60)} — ${a.incident.board?.reason ?? ""}`);
      }
    }
  }
  return metrics;
}

function print(name: string, m: Metrics): void {
  console.log(`\n== ${name}`);
  console.log(`  alerts per 1,000 posts: ${m.perThousand.toFixed(1)} (${m.alerts} alerts, ${m.posts} posts)`);
  console.log(`  should reach the duty board: precision ${pct(m.tp, m.tp + m.fp)} (${m.tp}/${m.tp + m.fp}), recall ${pct(m.tp, m.tp + m.fn)} (${m.tp}/${m.tp + m.fn})`);
  console.log(`  scope accuracy: ${pct(m.scope.correct, m.scope.total)} (${m.scope.correct}/${m.scope.total})`);
  console.log(`  grade accuracy (posts that should alert): ${pct(m.grade.correct, m.grade.total)} (${m.grade.correct}/${m.grade.total})`);
  console.log(`  I/II alerts not labelled I/II: ${m.falseMajor.length}`);
  for (const f of m.falseMajor) console.log(`    ${f}`);
  if (m.stories) console.log(`  one incident per story: ${m.stories.whole}/${m.stories.total} alerted stories whole; ${m.stories.separate} stories never mixed with another`);
  if (m.routing) console.log(`  routed to the expected department: ${pct(m.routing.correct, m.routing.total)} (${m.routing.correct}/${m.routing.total})`);
  if (m.clocks) console.log(`  clocks 5 h / 24 h (I/II) or 48 h from the 首发: ${pct(m.clocks.correct, m.clocks.total)} (${m.clocks.correct}/${m.clocks.total})`);
}

async function figures(): Promise<void> {
  const path = join(repoRoot, "eval", "figures.ts");
  if (!existsSync(path)) {
    console.log("\n== casualty / loss figures: skipped (eval/figures.ts is not there yet)");
    return;
  }
  const mod = (await import(pathToFileURL(path).href)) as {
    evaluateFigures: (opts?: { evalDir?: string }) => Promise<
      | { skipped: string }
      | { total: number; exact: number; accuracy: number; heldOut: { total: number; exact: number; accuracy: number }; tuning?: { total: number; exact: number }; fresh?: { total: number; exact: number }; negatives: { total: number; clean: number }; timeRef: { total: number; correct: number } }
    >;
  };
  const f = await mod.evaluateFigures();
  console.log("\n== casualty / loss figures (eval/labels/figures*.tsv)");
  if ("skipped" in f) {
    console.log(`  skipped: ${f.skipped}`);
    return;
  }
  const part = (name: string, p: { total: number; exact: number } | undefined) => (p === undefined ? "" : `; ${name}: ${pct(p.exact, p.total)} (${p.exact}/${p.total})`);
  console.log(`  exact match: ${pct(f.exact, f.total)} (${f.exact}/${f.total})${part("tuning", f.tuning)}; held out: ${pct(f.heldOut.exact, f.heldOut.total)} (${f.heldOut.exact}/${f.heldOut.total})${part("fresh held out", f.fresh)}`);
  console.log(`  texts with numbers that are no figures read clean: ${f.negatives.clean}/${f.negatives.total}; post time right: ${f.timeRef.correct}/${f.timeRef.total}`);
}

const runs: Run[] = [...scenarioRuns()];
const real = argv.has("--scenarios") ? { skipped: "--scenarios" } : realRun(argv.has("--all"));
if ("skipped" in real) console.log(`real texts: skipped (${real.skipped})`);
else runs.push(real);

for (const run of runs) {
  const started = Date.now();
  const result = replay(run.posts, { jurisdiction: JURISDICTION });
  console.log(`\n-- ${run.name}: replayed in ${((Date.now() - started) / 1000).toFixed(1)} s (jurisdiction ${result.jurisdiction.label})`);
  print(run.name, measure(run, result));
}
await figures();
