// What the running pipeline costs apart from the posts: the six services on the dev stack (their own prefixes, as
// `pnpm bench` starts them), a few stories alerted so the duty board has alerts, then windows of FIXED_WINDOW_S
// seconds each, measured alone: nothing happening (timers, health reports, scans, Elasticsearch's scheduled
// refreshes), a client polling `GET /api/v1/alerts` every 100 ms as the bench's latency phases do, and optionally a
// steady background of posts. Prints, per window, the CPU seconds of every process and Elasticsearch's CPU by thread
// pool, its work per index (indexing, refreshes, merges, searches, gets) and the operations each pool completed.
//
//   source /work/wt/stackenv.sh   # or any running dev stack
//   LIAOWANG_EVAL_DIR=../shared/eval pnpm exec tsx bench/fixed-cost.ts
//
// FIXED_WINDOW_S (30), FIXED_STORIES (12: alerts on the board), FIXED_RATE (200 posts/s in the "background" window,
// 0 to skip it), FIXED_WINDOWS (idle,poll,background: which windows, in order).
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { stackStatus } from "@liaowang/devstack";
import type { PipelineService } from "@liaowang/testing";
import { backgroundRecord, incidentPair, loadCorpus } from "./lib/corpus.js";
import { cpuSnapshot, drain, esBetween, esProbe, type ExternalPids } from "./lib/e2e.js";
import { paced, sleep, until } from "./lib/measure.js";
import { benchStackFor } from "./lib/stack.js";

const WINDOW_MS = Number(process.env.FIXED_WINDOW_S ?? 30) * 1000;
const STORIES = Number(process.env.FIXED_STORIES ?? 12);
const RATE = Number(process.env.FIXED_RATE ?? 200);
const WINDOWS = (process.env.FIXED_WINDOWS ?? "idle,poll,background").split(",").map((w) => w.trim());
const corpus = loadCorpus(process.env.LIAOWANG_EVAL_DIR ?? join(import.meta.dirname, "..", "..", "shared", "eval"));

const statuses = await stackStatus({ env: process.env });
if (!statuses.every((s) => s.state === "healthy")) throw new Error("no healthy dev stack: start one (pnpm liaowang stack up) or source stackenv.sh");
const external: ExternalPids = Object.fromEntries(statuses.map((s) => [s.name, s.pid]));
const run = `f${Date.now().toString(36)}`;
const stack = benchStackFor(run, { kafka: statuses.find((s) => s.name === "kafka")!.address!, es: statuses.find((s) => s.name === "elasticsearch")!.address! });

async function measure(what: string, body: (end: number) => Promise<number>): Promise<void> {
  await drain(stack, performance.now() + 60_000);
  await sleep(3_000);
  const cpu0 = cpuSnapshot(stack, external);
  const es0 = await esProbe(stack, external);
  const t0 = performance.now();
  const count = await body(t0 + WINDOW_MS);
  const rest = t0 + WINDOW_MS - performance.now();
  if (rest > 0) await sleep(rest);
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuSnapshot(stack, external);
  const es = await esBetween(stack, external, es0);
  console.log(`\n## ${what} (${seconds.toFixed(0)} s${count ? `, ${count} requests or posts` : ""})`);
  console.log(
    `CPU s: ${Object.entries(cpu1)
      .map(([name, s]) => [name, s - (cpu0[name] ?? s)] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([name, s]) => `${name} ${s.toFixed(2)}`)
      .join(", ")}`,
  );
  if (es.esPools) console.log(`Elasticsearch by pool (CPU s): ${es.esPools.slice(0, 12).map(([pool, s]) => `${pool} ${s.toFixed(2)}`).join(", ")}`);
  if (es.esOps) console.log(`Elasticsearch operations: ${Object.entries(es.esOps).sort((a, b) => b[1] - a[1]).map(([pool, n]) => `${pool} ${n}`).join(", ")}`);
  for (const [family, t] of Object.entries(es.esIndices ?? {}).sort((a, b) => b[1].refreshes + b[1].queries + b[1].docs + b[1].gets - (a[1].refreshes + a[1].queries + a[1].docs + a[1].gets))) {
    if (t.refreshes + t.queries + t.docs + t.gets === 0) continue;
    console.log(`  ${family.padEnd(22)} indexed ${t.docs} (${t.indexMs} ms), refreshed ${t.refreshes}× (${t.refreshMs} ms), merges ${t.mergeMs} ms, ${t.queries} shard queries (${t.queryMs} ms), ${t.gets} gets`);
  }
}

try {
  await stack.allocatePorts();
  const order: PipelineService[] = ["ingest", "enrich", "indexer", "detector", "alerter", "api"];
  await Promise.all(order.map((name) => stack.start(name)));
  await stack.groupsSettled(["enrich", "indexer", "detector", "alerter"], 1, 30_000);
  // Alerts on the duty board: a few stories, as the latency phases inject them.
  for (let k = 0; k < STORIES; k++) {
    const pair = incidentPair(k);
    await stack.push([pair.first]);
    await sleep(1_000);
    await stack.push([pair.second]);
  }
  await until(async () => (await stack.alerts()).length >= STORIES, 60_000, 500);
  console.log(`${(await stack.alerts()).length} alerts on the board; windows of ${WINDOW_MS / 1000} s`);

  for (const window of WINDOWS) {
    if (window === "idle") await measure("idle: services running, nothing happening", async () => 0);
    if (window === "poll") {
      await measure("GET /api/v1/alerts every 100 ms", async (end) => {
        let n = 0;
        while (performance.now() < end) {
          await stack.alerts();
          n++;
          await sleep(100);
        }
        return n;
      });
    }
    if (window === "background" && RATE > 0) {
      await measure(`${RATE} posts/s of background, no polling`, async (end) => {
        let serial = 0;
        const pending: Promise<unknown>[] = [];
        await paced(RATE, 250, () => performance.now() < end - 250, (n) => {
          pending.push(stack.push(Array.from({ length: n }, () => backgroundRecord(corpus, run, serial++))).catch(() => undefined));
        });
        await Promise.all(pending);
        return serial;
      });
    }
  }
} finally {
  await stack.stop();
}
process.exit(0);
