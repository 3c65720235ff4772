// End-to-end scenarios on the real pipeline: sustained push → searchable, post → alert latency under background
// traffic, a burst pushed at once, and 1 vs 2 replicas. Each measures wall time on the real stack; none gates anything.
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { stageHealthIndex, StageHealth } from "@liaowang/schemas";
import type { Corpus, IngestRecord } from "./corpus.js";
import { backgroundRecord, incidentPair } from "./corpus.js";
import { procStat, quantile, sleep, until } from "./measure.js";
import type { BenchStack } from "./stack.js";

/** Processes outside the stack whose CPU is worth showing (Kafka, Elasticsearch), by name. */
export type ExternalPids = Record<string, number | undefined>;

export interface ThroughputResult {
  posts: number;
  bytes: number;
  pushMs: number;
  searchableMs: number;
  postsPerSec: number;
  complete: boolean;
  indexed: number;
  peakLag: Record<string, number>;
  /** CPU seconds per process over the run, and as a share of one core. */
  cpu: Record<string, { seconds: number; core: number }>;
  /** The pipeline stage on the push → searchable path that used the most CPU per post. */
  limiting: string;
  /** The stage whose input queue (consumer lag) grew largest, or the push path when no queue built up. */
  queuedAt: string;
  /**
   * Posts/s the processes involved could sustain on this machine's cores if they had them to themselves:
   * cores ÷ (CPU seconds per post of every process on the path, Kafka and Elasticsearch included). Kafka's and
   * Elasticsearch's CPU includes whatever else uses them, so this errs low.
   */
  cpuBoundPerSec: number;
  longestGapMs: number;
}

/** Processes on the push → searchable path (the detector and alerter consume beside it). */
const SEARCHABLE_PATH = ["api", "ingest", "enrich", "indexer"];

function cpuSnapshot(stack: BenchStack, external: ExternalPids): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, stat] of Object.entries(stack.stats())) out[name] = stat.cpuS;
  for (const [name, pid] of Object.entries(external)) {
    const stat = procStat(pid);
    if (stat) out[name] = stat.cpuS;
  }
  return out;
}

/**
 * Push `records` as fast as the API takes them and wait until all are searchable. The limiting stage is the one
 * whose input queue (consumer lag) grew largest, or the push path (API → ingest) when no queue built up.
 */
export async function throughput(stack: BenchStack, records: IngestRecord[], external: ExternalPids, options: { perRequest?: number; concurrency?: number; stallMs?: number } = {}): Promise<ThroughputResult> {
  const base = await stack.searchable();
  const target = base + records.length;
  const cpuBefore = cpuSnapshot(stack, external);
  const peakLag: Record<string, number> = {};
  const t0 = performance.now();
  let pushMs = Number.NaN;
  let pushError: unknown;
  const pushing = stack
    .pushAll(records, options.perRequest ?? 1_000, options.concurrency ?? 4)
    .then(() => (pushMs = performance.now() - t0))
    .catch((error: unknown) => (pushError = error));
  let count = base;
  let lastMove = performance.now();
  let longestGapMs = 0;
  while (count < target) {
    await sleep(250);
    if (pushError) throw pushError;
    const now = await stack.searchable().catch(() => count);
    if (now > count) {
      longestGapMs = Math.max(longestGapMs, performance.now() - lastMove);
      lastMove = performance.now();
      count = now;
    }
    const lags = await stack.lags().catch(() => ({}) as Record<string, number>);
    for (const [stage, lag] of Object.entries(lags)) peakLag[stage] = Math.max(peakLag[stage] ?? 0, lag);
    if (performance.now() - lastMove > (options.stallMs ?? 120_000)) break;
  }
  const searchableMs = performance.now() - t0;
  await pushing;
  const cpuAfter = cpuSnapshot(stack, external);
  const cpu = Object.fromEntries(Object.entries(cpuAfter).map(([name, s]) => [name, { seconds: s - (cpuBefore[name] ?? s), core: (s - (cpuBefore[name] ?? s)) / (searchableMs / 1000) }]));
  const queued = ["enrich", "indexer"].map((stage) => [stage, peakLag[stage] ?? 0] as const).sort((a, b) => b[1] - a[1])[0]!;
  const queuedAt = queued[1] > records.length * 0.05 ? queued[0] : "push (api → ingest)";
  const onPath = (name: string) => SEARCHABLE_PATH.includes(name.split("#")[0]!);
  const byStage = new Map<string, number>();
  for (const [name, c] of Object.entries(cpu)) if (onPath(name)) byStage.set(name.split("#")[0]!, (byStage.get(name.split("#")[0]!) ?? 0) + c.seconds);
  const limiting = [...byStage.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "—";
  const indexed = count - base;
  const pathCpu = Object.entries(cpu)
    .filter(([name]) => onPath(name) || name in external)
    .reduce((n, [, c]) => n + c.seconds, 0);
  return {
    posts: records.length,
    bytes: records.reduce((n, r) => n + Buffer.byteLength(r.text) + Buffer.byteLength(r.title ?? ""), 0),
    pushMs,
    searchableMs,
    postsPerSec: indexed / (searchableMs / 1000),
    complete: count >= target,
    indexed,
    peakLag,
    cpu,
    limiting,
    queuedAt,
    cpuBoundPerSec: pathCpu > 0 ? (cpus().length * indexed) / pathCpu : Number.NaN,
    longestGapMs,
  };
}

/** Wait until every stage's lag is 0 (or `timeoutMs`); returns how long it took, or undefined. */
export async function drain(stack: BenchStack, timeoutMs: number): Promise<number | undefined> {
  const t0 = performance.now();
  const done = await until(async () => Object.values(await stack.lags()).every((lag) => lag === 0), timeoutMs, 500);
  return done ? performance.now() - t0 : undefined;
}

export interface LatencyResult {
  backgroundTarget: number;
  backgroundAchieved: number;
  stories: number;
  alerted: number;
  latenciesMs: number[];
  p50?: number;
  p95?: number;
  p99?: number;
  /** Largest stage lag seen while the background ran: whether the pipeline kept up. */
  peakLag: Record<string, number>;
  /** Pushes the API refused or timed out (overload), with the first reasons. */
  pushFailures: number;
  pushFailureReasons: string[];
}

/**
 * Background posts at `rate`/s for `durationMs`, with a local story (two posts, two sources, a death toll that makes
 * it II) injected every `storyEveryMs`: latency is from the push of the story's second post until the API lists a
 * level-II alert for it, polled every 100 ms.
 */
export async function alertLatency(stack: BenchStack, corpus: Corpus, run: string, storyBase: number, options: { rate: number; durationMs: number; storyEveryMs: number; waitMs?: number }): Promise<LatencyResult> {
  let stop = false;
  let pushed = 0;
  let serial = 0;
  const peakLag: Record<string, number> = {};
  const t0 = performance.now();
  const tick = 100;
  const perTick = options.rate / (1000 / tick);
  const background = (async () => {
    let owed = 0;
    let next = performance.now();
    while (!stop) {
      owed += perTick;
      const n = Math.floor(owed);
      owed -= n;
      if (n > 0) {
        const batch = Array.from({ length: n }, () => backgroundRecord(corpus, run, serial++));
        // Not awaited: a slow answer must not lower the offered rate (the push path's limit shows as lag instead).
        void stack
          .push(batch)
          .then(() => (pushed += n))
          .catch((error: unknown) => pushFailures.push(error instanceof Error ? error.message.slice(0, 200) : String(error)));
      }
      next += tick;
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  const lagWatch = (async () => {
    while (!stop) {
      const lags = await stack.lags().catch(() => ({}) as Record<string, number>);
      for (const [stage, lag] of Object.entries(lags)) peakLag[stage] = Math.max(peakLag[stage] ?? 0, lag);
      await sleep(1_000);
    }
  })();

  interface Story {
    name: string;
    secondAt?: number;
    alertedAt?: number;
  }
  const stories: Story[] = [];
  const pushFailures: string[] = [];
  const injector = (async () => {
    await sleep(Math.min(3_000, options.storyEveryMs));
    for (let k = storyBase; performance.now() - t0 < options.durationMs - 2_000; k++) {
      const pair = incidentPair(k);
      const story: Story = { name: pair.name };
      try {
        await stack.push([pair.first]);
        await sleep(1_000);
        const at = performance.now();
        await stack.push([pair.second]);
        story.secondAt = at;
        stories.push(story);
      } catch (error) {
        // An overloaded push path (HTTP 503) is a finding of the run, not a reason to abandon the phase.
        pushFailures.push(error instanceof Error ? error.message.slice(0, 200) : String(error));
      }
      await sleep(Math.max(0, options.storyEveryMs - 1_000));
    }
  })();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const alerts = await stack.alerts().catch(() => []);
      const at = performance.now();
      for (const story of stories) {
        if (story.secondAt === undefined || story.alertedAt !== undefined) continue;
        if (alerts.some((a) => (a.level === "II" || a.level === "I") && a.title.includes(story.name))) story.alertedAt = at;
      }
      await sleep(100);
    }
  })();
  await injector;
  while (performance.now() - t0 < options.durationMs) await sleep(100);
  stop = true;
  await Promise.all([background, lagWatch]);
  const backgroundAchieved = pushed / ((performance.now() - t0) / 1000);
  await until(async () => stories.every((s) => s.alertedAt !== undefined), options.waitMs ?? 30_000, 200);
  polling = false;
  await poller;
  const latenciesMs = stories.flatMap((s) => (s.alertedAt !== undefined && s.secondAt !== undefined ? [s.alertedAt - s.secondAt] : []));
  return {
    backgroundTarget: options.rate,
    backgroundAchieved,
    stories: stories.length,
    alerted: latenciesMs.length,
    latenciesMs,
    p50: quantile(latenciesMs, 0.5),
    p95: quantile(latenciesMs, 0.95),
    p99: quantile(latenciesMs, 0.99),
    peakLag,
    pushFailures: pushFailures.length,
    pushFailureReasons: [...new Set(pushFailures)].slice(0, 3),
  };
}

export interface BurstResult {
  posts: number;
  pushMs: number;
  searchableMs?: number;
  indexed: number;
  longestGapMs: number;
  /** Time from the last push until every stage's lag was 0 again. */
  drainedMs?: number;
  stuck: string[];
  retried: string[];
  storyAlerted: boolean;
}

/** `posts` background posts with one II story inside, all pushed at once; then: all searchable? lag back to 0? alert? */
export async function burst(stack: BenchStack, corpus: Corpus, run: string, posts: number, storyIndex: number): Promise<BurstResult> {
  const records = Array.from({ length: posts }, (_, i) => backgroundRecord(corpus, run, i));
  const pair = incidentPair(storyIndex);
  records[Math.floor(posts / 3)] = pair.first;
  records[Math.floor((2 * posts) / 3)] = pair.second;
  const base = await stack.searchable();
  const troublesBefore = new Set(stack.troubles());
  const t0 = performance.now();
  await stack.pushAll(records, 2_000, 10);
  const pushMs = performance.now() - t0;
  let count = base;
  let lastMove = performance.now();
  let longestGapMs = 0;
  let searchableMs: number | undefined;
  while (performance.now() - lastMove < 120_000) {
    const now = await stack.searchable().catch(() => count);
    if (now > count) {
      longestGapMs = Math.max(longestGapMs, performance.now() - lastMove);
      lastMove = performance.now();
      count = now;
    }
    if (count >= base + posts) {
      searchableMs = performance.now() - t0;
      break;
    }
    await sleep(250);
  }
  const drained = await drain(stack, 180_000);
  const drainedMs = drained === undefined ? undefined : performance.now() - (t0 + pushMs);
  const storyAlerted = (await until(async () => (await stack.alerts()).some((a) => a.title.includes(pair.name) && (a.level === "II" || a.level === "I")), 60_000, 500)) === true;
  const health = await stack.es.search<StageHealth>({ index: stageHealthIndex(stack.indexPrefix), size: 50 }, { ignore: [404] }).catch(() => undefined);
  const stuck = (health?.hits?.hits ?? []).flatMap((h) => (h._source && StageHealth.safeParse(h._source).data?.stuck ? [h._source.service] : []));
  return { posts, pushMs, ...(searchableMs === undefined ? {} : { searchableMs }), indexed: count - base, longestGapMs, ...(drainedMs === undefined ? {} : { drainedMs }), stuck, retried: stack.troubles().filter((t) => !troublesBefore.has(t)), storyAlerted };
}
