// CPU per post of the push → searchable path alone: api (push route), ingest, enrich and indexer as real processes on
// the running dev stack (no detector or alerter, so nothing else reads the topics or writes to Elasticsearch), fed
// rounds of real short posts through `POST /api/v1/documents` (1,000 per request, 4 at a time, as `pnpm bench`).
// Each round waits until Elasticsearch counts its posts and reports every process's CPU (from /proc) divided by the
// round's posts; the first round is the warm-up (JIT, connections) and is left out of the medians. On a shared
// machine these per-post figures are the ones to compare between two checkouts (run each in turn, more than once).
//
//   source /work/wt/stackenv.sh
//   PUSH_ROUNDS=4 PUSH_POSTS=10000 pnpm exec tsx bench/push-path.ts
//
// LIAOWANG_BENCH_CPU_PROF=<dir> writes a V8 CPU profile per service, as in `pnpm bench`.
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { backgroundRecord, loadCorpus } from "./lib/corpus.js";
import { quantile, until } from "./lib/measure.js";
import { benchStackFor, devStackAddresses } from "./lib/stack.js";

const ROUNDS = Number(process.env.PUSH_ROUNDS ?? 4);
const POSTS = Number(process.env.PUSH_POSTS ?? 10_000);
const corpus = loadCorpus(process.env.LIAOWANG_EVAL_DIR ?? join(import.meta.dirname, "..", "..", "shared", "eval"));
const run = `pp${Date.now().toString(36)}`;
const stack = benchStackFor(run, devStackAddresses());
const order = ["api", "ingest", "enrich", "indexer"] as const;

await stack.allocatePorts();
try {
  await Promise.all(order.map((name) => stack.start(name)));
  await stack.groupsSettled(["enrich", "indexer"], 1, 30_000);
  console.log(`${ROUNDS} rounds of ${POSTS} short posts (${corpus.source}); load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  const perRound: Record<string, number[]> = {};
  let total = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const before = stack.stats();
    const t0 = performance.now();
    const records = Array.from({ length: POSTS }, (_, i) => backgroundRecord(corpus, `${run}r${round}`, i));
    await stack.pushAll(records);
    total += POSTS;
    const done = await until(async () => (await stack.searchable()) >= total || undefined, 300_000, 100);
    if (!done) throw new Error(`round ${round}: ${await stack.searchable()} of ${total} searchable after 300 s`);
    const wallS = (performance.now() - t0) / 1000;
    const after = stack.stats();
    const line: string[] = [];
    let sum = 0;
    for (const name of order) {
      const ms = ((after[name]!.cpuS - before[name]!.cpuS) * 1000) / POSTS;
      sum += ms;
      line.push(`${name} ${ms.toFixed(3)}`);
      if (round > 0) (perRound[name] ??= []).push(ms);
    }
    if (round > 0) (perRound.sum ??= []).push(sum);
    console.log(`round ${round}${round === 0 ? " (warm-up)" : ""}: ${wallS.toFixed(1)} s wall; ms CPU per post: ${line.join(", ")}; sum ${sum.toFixed(3)}; load ${loadavg()[0]!.toFixed(1)}`);
  }
  const median = (name: string) => (quantile(perRound[name] ?? [], 0.5) ?? Number.NaN).toFixed(3);
  console.log(`median of rounds 1–${ROUNDS - 1}, ms CPU per post: ${[...order, "sum"].map((n) => `${n} ${median(n)}`).join(", ")}`);
} finally {
  await stack.stop();
}
