// End-to-end scenarios on the real pipeline: sustained push → searchable, post → alert latency under background
// traffic, a burst pushed at once, and 1 vs 2 replicas. Each measures wall time on the real stack within a deadline
// it is given (the run's budget): a scenario that runs out of time reports what it saw and why, never nothing.
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import type { Corpus, IngestRecord } from "./corpus.js";
import { backgroundRecord, incidentPair } from "./corpus.js";
import { cpuByPool, threadCpu } from "./jvm-threads.js";
import { paced, procStat, quantile, sleep, until } from "./measure.js";
import type { BenchStack, StageState } from "./stack.js";

/** Processes outside the stack whose CPU is worth showing (Kafka, Elasticsearch), by name. */
export type ExternalPids = Record<string, number | undefined>;

export interface ThroughputResult {
  posts: number;
  bytes: number;
  pushMs: number;
  searchableMs: number;
  /** Posts searchable ÷ time from the first push until all were searchable (pipeline fill and drain included). */
  postsPerSec: number;
  /**
   * The sustained rate: how fast posts became searchable while the pipeline was full, between the moments 10% and 90%
   * of them were searchable (fill latency at the start and the last batch's trip at the end excluded). NaN when fewer
   * than two samples fell in that window.
   */
  steadyPerSec: number;
  complete: boolean;
  /** Why the wait ended before all were searchable (deadline, no progress). */
  incompleteReason?: string;
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
  /** Elasticsearch's CPU seconds over the run by thread pool (write, refresh, merge, transport_worker…), largest first. */
  esPools?: [string, number][];
  /**
   * Per index of the run (prefix dropped, the month generalised): milliseconds Elasticsearch reports spending on
   * indexing, refreshing and merging it over the run. Wall time inside Elasticsearch (it includes waiting for a CPU),
   * so for telling the indices' shares apart, not CPU.
   */
  esIndices?: Record<string, IndexTime>;
  /** Operations Elasticsearch's thread pools completed over the run (search, get, write, refresh…). */
  esOps?: Record<string, number>;
  /**
   * Each process's CPU seconds (absolute, from `/proc`) when the run's first push went out: the detector and alerter
   * consume beside the path and are often still behind when the posts are searchable, so their cost per post is read
   * from here until they have caught up (`besidePath`).
   */
  cpuAtStart: Record<string, number>;
}

/** Elasticsearch's work on one index family over a run (wall time inside Elasticsearch, not CPU). */
export interface IndexTime {
  indexMs: number;
  refreshMs: number;
  mergeMs: number;
  docs: number;
  refreshes: number;
  /** Search requests (query phase, per shard) and gets answered from the index, and their time. */
  queries: number;
  queryMs: number;
  gets: number;
}

type IndexTimes = Record<string, IndexTime>;

const ZERO_TIME: IndexTime = { indexMs: 0, refreshMs: 0, mergeMs: 0, docs: 0, refreshes: 0, queries: 0, queryMs: 0, gets: 0 };

/** Elasticsearch's indexing, refresh, merge, search and get work per index of the run, summed by index family. */
async function indexTimes(stack: BenchStack): Promise<IndexTimes | undefined> {
  try {
    const stats = await stack.es.indices.stats({ index: `${stack.indexPrefix}*`, metric: ["indexing", "refresh", "merge", "search", "get"], level: "indices" });
    const out: IndexTimes = {};
    for (const [index, s] of Object.entries(stats.indices ?? {})) {
      const family = index.slice(stack.indexPrefix.length).replace(/\d{4}\.\d{2}$/, "YYYY.MM");
      const p = s.primaries;
      const t = (out[family] ??= { ...ZERO_TIME });
      t.indexMs += p?.indexing?.index_time_in_millis ?? 0;
      t.docs += p?.indexing?.index_total ?? 0;
      t.refreshMs += p?.refresh?.total_time_in_millis ?? 0;
      t.refreshes += p?.refresh?.total ?? 0;
      t.mergeMs += p?.merges?.total_time_in_millis ?? 0;
      t.queries += p?.search?.query_total ?? 0;
      t.queryMs += p?.search?.query_time_in_millis ?? 0;
      t.gets += p?.get?.total ?? 0;
    }
    return out;
  } catch {
    return undefined;
  }
}

function indexTimesBetween(before: IndexTimes | undefined, after: IndexTimes | undefined): IndexTimes | undefined {
  if (!before || !after) return undefined;
  return Object.fromEntries(
    Object.entries(after).map(([family, a]) => {
      const b = before[family] ?? ZERO_TIME;
      const d = { ...ZERO_TIME };
      for (const k of Object.keys(d) as (keyof IndexTime)[]) d[k] = a[k] - b[k];
      return [family, d];
    }),
  );
}

/** Operations Elasticsearch's thread pools completed (search, get, write, refresh, management…), by pool. */
async function poolOps(stack: BenchStack): Promise<Record<string, number> | undefined> {
  try {
    const stats = await stack.es.nodes.stats({ metric: ["thread_pool"] });
    const out: Record<string, number> = {};
    for (const node of Object.values(stats.nodes)) for (const [pool, p] of Object.entries(node.thread_pool ?? {})) out[pool] = (out[pool] ?? 0) + (p.completed ?? 0);
    return out;
  } catch {
    return undefined;
  }
}

/** Everything of Elasticsearch's the bench reads around a phase: per-thread CPU, per-index work, pool operations. */
export interface EsProbe {
  threads?: Map<string, number>;
  indices?: IndexTimes;
  ops?: Record<string, number>;
}

export async function esProbe(stack: BenchStack, external: ExternalPids): Promise<EsProbe> {
  const pid = external.elasticsearch;
  return { ...(pid === undefined ? {} : { threads: threadCpu(pid) }), indices: await indexTimes(stack), ops: await poolOps(stack) };
}

/** What Elasticsearch did between two probes. */
export async function esBetween(stack: BenchStack, external: ExternalPids, before: EsProbe): Promise<{ esPools?: [string, number][]; esIndices?: IndexTimes; esOps?: Record<string, number> }> {
  const pid = external.elasticsearch;
  const after = await esProbe(stack, external);
  const esPools = pid === undefined || !before.threads || !after.threads ? undefined : cpuByPool(pid, before.threads, after.threads);
  const esIndices = indexTimesBetween(before.indices, after.indices);
  const esOps =
    before.ops && after.ops
      ? Object.fromEntries(Object.entries(after.ops).map(([pool, n]) => [pool, n - (before.ops![pool] ?? 0)]).filter(([, n]) => (n as number) > 0))
      : undefined;
  return { ...(esPools ? { esPools } : {}), ...(esIndices ? { esIndices } : {}), ...(esOps ? { esOps } : {}) };
}

/** Processes on the push → searchable path (the detector and alerter consume beside it). */
const SEARCHABLE_PATH = ["api", "ingest", "enrich", "indexer"];

export function cpuSnapshot(stack: BenchStack, external: ExternalPids): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, stat] of Object.entries(stack.stats())) out[name] = stat.cpuS;
  for (const [name, pid] of Object.entries(external)) {
    const stat = procStat(pid);
    if (stat) out[name] = stat.cpuS;
  }
  return out;
}

/** Polls consumer lag once a second in the background, keeping each stage's peak, until stopped. */
function watchLag(stack: BenchStack): { peak: Record<string, number>; stop: () => Promise<void> } {
  const peak: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const lags = await stack.lags().catch(() => ({}) as Record<string, number>);
      for (const [stage, lag] of Object.entries(lags)) peak[stage] = Math.max(peak[stage] ?? 0, lag);
      await sleep(1_000);
    }
  })();
  return {
    peak,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/**
 * Push `records` as fast as the API takes them and wait until all are searchable, or until `deadline`
 * (performance.now() time) or `stallMs` without progress: the rate is then what became searchable in the time
 * measured, with the reason the wait ended.
 */
export async function throughput(
  stack: BenchStack,
  records: IngestRecord[],
  external: ExternalPids,
  options: { deadline: number; perRequest?: number; concurrency?: number; stallMs?: number },
): Promise<ThroughputResult> {
  const base = await stack.searchable();
  const target = base + records.length;
  const cpuBefore = cpuSnapshot(stack, external);
  const esBefore = await esProbe(stack, external);
  const lag = watchLag(stack);
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
  let incompleteReason: string | undefined;
  const stallMs = options.stallMs ?? 60_000;
  const samples: { ms: number; indexed: number }[] = [];
  while (count < target) {
    await sleep(250);
    if (pushError) {
      await lag.stop();
      throw pushError;
    }
    const now = await stack.searchable().catch(() => count);
    if (now > count) {
      longestGapMs = Math.max(longestGapMs, performance.now() - lastMove);
      lastMove = performance.now();
      count = now;
      samples.push({ ms: lastMove - t0, indexed: count - base });
    }
    if (performance.now() - lastMove > stallMs) {
      incompleteReason = `no document became searchable for ${Math.round(stallMs / 1000)} s`;
      break;
    }
    if (performance.now() >= options.deadline) {
      incompleteReason = `the phase's time ran out (${Math.round((performance.now() - t0) / 1000)} s)`;
      break;
    }
  }
  const searchableMs = performance.now() - t0;
  await lag.stop();
  // A push still running at the deadline is left to finish in the background of the next phase's drain.
  if (count >= target) await pushing;
  const cpuAfter = cpuSnapshot(stack, external);
  const es = await esBetween(stack, external, esBefore);
  const cpu = Object.fromEntries(Object.entries(cpuAfter).map(([name, s]) => [name, { seconds: s - (cpuBefore[name] ?? s), core: (s - (cpuBefore[name] ?? s)) / (searchableMs / 1000) }]));
  const peakLag = lag.peak;
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
    steadyPerSec: steadyRate(samples, records.length),
    complete: count >= target,
    ...(incompleteReason === undefined ? {} : { incompleteReason }),
    indexed,
    peakLag,
    cpu,
    limiting,
    queuedAt,
    cpuBoundPerSec: pathCpu > 0 ? (cpus().length * indexed) / pathCpu : Number.NaN,
    longestGapMs,
    ...es,
    cpuAtStart: cpuBefore,
  };
}

/** CPU per post of the consumers beside the push → searchable path, from a run's first push until `cpuNow`. */
export function besidePath(r: ThroughputResult, cpuNow: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, s] of Object.entries(cpuNow)) {
    const stage = name.split("#")[0]!;
    if (stage !== "detector" && stage !== "alerter") continue;
    const before = r.cpuAtStart[name];
    if (before !== undefined) out[name] = ((s - before) * 1000) / Math.max(1, r.indexed);
  }
  return out;
}

/** Posts/s between the first samples at or past 10% and 90% of `total` searchable (NaN without both). */
export function steadyRate(samples: { ms: number; indexed: number }[], total: number): number {
  const from = samples.find((s) => s.indexed >= total * 0.1);
  const to = samples.find((s) => s.indexed >= total * 0.9);
  if (!from || !to || to.ms <= from.ms) return Number.NaN;
  return (to.indexed - from.indexed) / ((to.ms - from.ms) / 1000);
}

/** Wait until every stage's lag is 0 (or `deadline`); returns how long it took, or undefined with the lags left. */
export async function drain(stack: BenchStack, deadline: number): Promise<{ ms?: number; left: Record<string, number> }> {
  const t0 = performance.now();
  let left: Record<string, number> = {};
  const done = await until(
    async () => {
      left = await stack.lags();
      return Object.values(left).every((lag) => lag === 0);
    },
    Math.max(0, deadline - performance.now()),
    500,
  );
  return done ? { ms: performance.now() - t0, left: {} } : { left };
}

export interface LatencyResult {
  backgroundTarget: number;
  backgroundAchieved: number;
  durationMs: number;
  stories: number;
  alerted: number;
  latenciesMs: number[];
  /** Quantiles with the stories that never alerted counted as slower than any that did (Infinity). */
  p50?: number;
  p95?: number;
  p99?: number;
  /** How long after the background stopped the run waited for the last alerts. */
  waitedMs: number;
  /** Largest stage lag seen while the background ran: whether the pipeline kept up. */
  peakLag: Record<string, number>;
  /** Pushes the API refused or timed out (overload), with the first reasons. */
  pushFailures: number;
  pushFailureReasons: string[];
  /** What the detector and alerter made of the first stories without an alert. */
  missed: string[];
  /** CPU seconds per process while the background ran (and the wait for the last alerts), and posts pushed meanwhile. */
  cpu?: Record<string, number>;
  posts?: number;
  /** `GET /api/v1/alerts` requests the poller made, and the most alerts one answer listed. */
  polls: number;
  listed: number;
  /** Elasticsearch over the same time: CPU seconds by thread pool, work per index family, operations per pool. */
  esPools?: [string, number][];
  esIndices?: Record<string, IndexTime>;
  esOps?: Record<string, number>;
}

/**
 * Background posts at `rate`/s for `durationMs`, with a local story (two posts, two sources, a death toll that makes
 * it II) injected every `storyEveryMs`: latency is from the push of the story's second post until the API lists a
 * level-II alert for it, polled every 100 ms. After the background stops, waits up to `waitMs` for stories still
 * without an alert.
 */
export async function alertLatency(
  stack: BenchStack,
  corpus: Corpus,
  run: string,
  storyBase: number,
  options: { rate: number; durationMs: number; storyEveryMs: number; waitMs: number },
  external: ExternalPids = {},
): Promise<LatencyResult> {
  const cpuBefore = cpuSnapshot(stack, external);
  const esBefore = await esProbe(stack, external);
  let stop = false;
  let pushed = 0;
  let serial = 0;
  const pushFailures: string[] = [];
  const lag = watchLag(stack);
  const t0 = performance.now();
  // Pushes of 250 ms of background each (250 posts at 1,000/s): batches as a feed or a crawler would send them.
  const tick = 250;
  const inFlight = new Set<Promise<unknown>>();
  // The background stops at the phase's end whatever else is still running (a story push the API is slow to
  // answer must not stretch it: the offered load would then be far more than the phase's rate × duration).
  const background = paced(options.rate, tick, () => !stop && performance.now() - t0 < options.durationMs, (n) => {
    const batch = Array.from({ length: n }, () => backgroundRecord(corpus, run, serial++));
    // Not awaited: a slow answer must not lower the offered rate (the push path's limit shows as lag instead).
    const p = stack
      .push(batch)
      .then(() => (pushed += n))
      .catch((error: unknown) => pushFailures.push(error instanceof Error ? error.message.slice(0, 200) : String(error)))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  });

  interface Story {
    name: string;
    secondAt?: number;
    alertedAt?: number;
  }
  const stories: Story[] = [];
  const injector = (async () => {
    await sleep(Math.min(2_000, options.storyEveryMs));
    for (let k = storyBase; performance.now() - t0 < options.durationMs - 1_500; k++) {
      const started = performance.now();
      const pair = incidentPair(k);
      const story: Story = { name: pair.name };
      try {
        await stack.push([pair.first], 20_000);
        await sleep(1_000);
        const at = performance.now();
        await stack.push([pair.second], 20_000);
        story.secondAt = at;
        stories.push(story);
      } catch (error) {
        // An overloaded push path (HTTP 503) is a finding of the run, not a reason to abandon the phase.
        pushFailures.push(error instanceof Error ? error.message.slice(0, 200) : String(error));
      }
      await sleep(Math.max(0, options.storyEveryMs - (performance.now() - started)));
    }
  })();
  let polling = true;
  let listed = 0;
  let polls = 0;
  const poller = (async () => {
    while (polling) {
      const alerts = await stack.alerts().catch(() => []);
      listed = Math.max(listed, alerts.length);
      polls++;
      const at = performance.now();
      for (const story of stories) {
        if (story.secondAt === undefined || story.alertedAt !== undefined) continue;
        if (alerts.some((a) => (a.level === "II" || a.level === "I") && a.title.includes(story.name))) story.alertedAt = at;
      }
      await sleep(100);
    }
  })();
  await background;
  await injector;
  stop = true;
  const waitStart = performance.now();
  await until(async () => stories.every((s) => s.alertedAt !== undefined), options.waitMs, 200);
  const waitedMs = performance.now() - waitStart;
  polling = false;
  await poller;
  await lag.stop();
  // Pushes still waiting for an answer get a little longer (the API gives up on ingest after 60 s itself).
  await Promise.race([Promise.allSettled([...inFlight]), sleep(15_000)]);
  // Background posts the API accepted, per second of the phase (pushes still answering at its end included).
  const backgroundAchieved = pushed / (options.durationMs / 1000);
  const latenciesMs = stories.flatMap((s) => (s.alertedAt !== undefined && s.secondAt !== undefined ? [s.alertedAt - s.secondAt] : []));
  const unalerted = stories.filter((s) => s.alertedAt === undefined);
  const censored = [...latenciesMs, ...unalerted.map(() => Number.POSITIVE_INFINITY)];
  const cpuAfter = cpuSnapshot(stack, external);
  const es = await esBetween(stack, external, esBefore);
  // Late or lost: a story whose posts the detector had not reached yet is no clustering miss (see
  // bench/detector-replay.ts for the stories on the same stream without the pipeline's timing).
  const behind = unalerted.length === 0 ? 0 : ((await stack.lags().catch(() => ({}) as Record<string, number>)).detector ?? Number.NaN);
  const lateness = behind > 0 ? `; the detector was still ${behind} posts behind` : behind === 0 ? "; the detector had caught up" : "";
  const missed = await Promise.all(unalerted.slice(0, 3).map(async (s) => `${s.name}: ${await stack.storyState(s.name)}${lateness}`));
  return {
    backgroundTarget: options.rate,
    backgroundAchieved,
    durationMs: options.durationMs,
    stories: stories.length,
    alerted: latenciesMs.length,
    latenciesMs,
    p50: quantile(censored, 0.5),
    p95: quantile(censored, 0.95),
    p99: quantile(censored, 0.99),
    waitedMs,
    peakLag: lag.peak,
    pushFailures: pushFailures.length,
    pushFailureReasons: [...new Set(pushFailures)].slice(0, 3),
    missed,
    cpu: Object.fromEntries(Object.entries(cpuAfter).map(([name, s]) => [name, s - (cpuBefore[name] ?? s)])),
    posts: pushed + stories.length * 2,
    polls,
    listed,
    ...es,
  };
}

export interface BurstResult {
  posts: number;
  pushMs: number;
  /** Pushes the API answered 503 (overload) and that were sent again after its Retry-After. */
  pushRetries: number;
  searchableMs?: number;
  /** Why the run stopped waiting before all were searchable. */
  incompleteReason?: string;
  indexed: number;
  longestGapMs: number;
  /** Time from the last push until every stage's lag was 0 again. */
  drainedMs?: number;
  /** Lags still left when the wait for the drain ended. */
  lagLeft: Record<string, number>;
  /** Stages the health endpoint showed stuck (the same offsets retried past their bound) at any point. */
  stuck: string[];
  /** Processes that logged a batch retried or a stuck stage. */
  retried: string[];
  /** Consumer-group rebalances and abandoned batches during the burst, per stage (health endpoint). */
  churn: Record<string, { rebalances: number; abandoned: number }>;
  storyAlerted: boolean;
  storyAlertMs?: number;
  /** When the alert did not come out: what the detector and the alerter made of the story. */
  storyState?: string;
}

/**
 * `posts` background posts with one II story inside, all pushed at once; then: all searchable? every lag back to 0?
 * the story's alert out? Everything is bounded by `deadline`; what did not happen by then is reported as such.
 */
export async function burst(stack: BenchStack, corpus: Corpus, run: string, posts: number, storyIndex: number, deadline: number): Promise<BurstResult> {
  const records = Array.from({ length: posts }, (_, i) => backgroundRecord(corpus, run, i));
  const pair = incidentPair(storyIndex);
  records[Math.floor(posts / 3)] = pair.first;
  records[Math.floor((2 * posts) / 3)] = pair.second;
  const base = await stack.searchable();
  const troublesBefore = new Set(stack.troubles());
  const healthBefore = await stack.health().catch(() => [] as StageState[]);
  const stuck = new Set<string>();
  let watching = true;
  const healthWatch = (async () => {
    while (watching) {
      for (const s of await stack.health().catch(() => [] as StageState[])) if (s.stuck) stuck.add(s.service);
      await sleep(2_000);
    }
  })();
  const t0 = performance.now();
  let storyAlertMs: number | undefined;
  // Once every lag is back to 0 the alert has 30 s more to come out (the detector's and alerter's own pace).
  let drainedAt: number | undefined;
  const alertWatch = (async () => {
    while (performance.now() < deadline && (drainedAt === undefined || performance.now() - drainedAt < 30_000)) {
      const alerts = await stack.alerts().catch(() => []);
      if (alerts.some((a) => a.title.includes(pair.name) && (a.level === "II" || a.level === "I"))) {
        storyAlertMs = performance.now() - t0;
        return;
      }
      await sleep(500);
    }
  })();
  const { retries } = await stack.pushAll(records, 2_000, 10);
  const pushMs = performance.now() - t0;
  let count = base;
  let lastMove = performance.now();
  let longestGapMs = 0;
  let searchableMs: number | undefined;
  let incompleteReason: string | undefined;
  for (;;) {
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
    if (performance.now() - lastMove > 60_000) {
      incompleteReason = "no document became searchable for 60 s";
      break;
    }
    if (performance.now() >= deadline) {
      incompleteReason = `the phase's time ran out ${Math.round((performance.now() - t0) / 1000)} s after the first push`;
      break;
    }
    await sleep(500);
  }
  longestGapMs = Math.max(longestGapMs, performance.now() - lastMove);
  const drained = await drain(stack, deadline);
  const drainedMs = drained.ms === undefined ? undefined : performance.now() - (t0 + pushMs);
  drainedAt = performance.now();
  await alertWatch;
  watching = false;
  await healthWatch;
  const healthAfter = await stack.health().catch(() => [] as StageState[]);
  for (const s of healthAfter) if (s.stuck) stuck.add(s.service);
  const churn: BurstResult["churn"] = {};
  for (const s of healthAfter) {
    const before = healthBefore.find((b) => b.service === s.service);
    churn[s.service] = { rebalances: s.rebalances - (before?.rebalances ?? 0), abandoned: s.abandoned - (before?.abandoned ?? 0) };
  }
  return {
    posts,
    pushMs,
    pushRetries: retries,
    ...(searchableMs === undefined ? {} : { searchableMs }),
    ...(incompleteReason === undefined ? {} : { incompleteReason }),
    indexed: count - base,
    longestGapMs,
    ...(drainedMs === undefined ? {} : { drainedMs }),
    lagLeft: drained.left,
    stuck: [...stuck],
    retried: stack.troubles().filter((t) => !troublesBefore.has(t)),
    churn,
    storyAlerted: storyAlertMs !== undefined,
    ...(storyAlertMs === undefined ? { storyState: await stack.storyState(pair.name) } : { storyAlertMs }),
  };
}
