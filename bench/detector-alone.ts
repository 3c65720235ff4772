// The detector service alone as a real process on the running dev stack: real posts enriched in this process (once,
// cached under the OS temp dir, never in the repository), produced straight to the enriched topic at a steady rate
// with a local II story (首发, then its 通报) every 1.5 s, until the detector has consumed them all. Prints the
// detector's CPU per post (its own process, so other work on the machine does not count), its RSS over time, and the
// delay from each 通报's produce to its II incident on the incidents topic.
//
//   source /work/wt/stackenv.sh
//   LIAOWANG_EVAL_DIR=../shared/eval DETECTOR_RATE=1000 DETECTOR_SECONDS=40 pnpm exec tsx bench/detector-alone.ts
//
// DETECTOR_RATE=0 produces everything at once (a detector catching up on a backlog). LIAOWANG_BENCH_CPU_PROF=<dir>
// writes the detector's V8 CPU profile there. With the dev stack's pid file (LIAOWANG_STACK_DIR), Elasticsearch's CPU
// over the same span is printed too (the whole process; also beyond its rate over 10 s while the detector idles, as
// other work on a shared stack counts), beside what the detector's indices received (index statistics of the run's
// prefix). `withoutII` names the stories with no II incident on the topic when the detector has drained and at the
// end, DETECTOR_ALONE_WAIT_MS (2,000) later: one still missing then was not late but clustered otherwise.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createProducer, groupLag } from "@liaowang/kafka";
import { topicName, type EnrichedDocument } from "@liaowang/schemas";
import { backgroundRecord, incidentPair, loadCorpus, type IngestRecord } from "./lib/corpus.js";
import { serviceEnricher } from "./lib/enrich-once.js";
import { paced, procStat, quantile, sleep } from "./lib/measure.js";
import { benchStackFor, devStackAddresses } from "./lib/stack.js";
import { PIPELINE_SERVICES, spawnService } from "@liaowang/testing";

const RATE = Number(process.env.DETECTOR_RATE ?? 1000);
const SECONDS = Number(process.env.DETECTOR_SECONDS ?? 40);
const STORY_EVERY_MS = 1_500;
const posts = Math.round(Math.max(RATE, 1000) * SECONDS);
const corpus = loadCorpus(process.env.LIAOWANG_EVAL_DIR ?? join(import.meta.dirname, "..", "..", "shared", "eval"));

/** The posts in produce order: background, and a story's 首发 and 通报 (a second apart) every 1.5 s of the rate. */
function records(): { record: IngestRecord; story?: string; report?: boolean }[] {
  const out: { record: IngestRecord; story?: string; report?: boolean }[] = [];
  const perStory = Math.round(((RATE || 1000) * STORY_EVERY_MS) / 1000);
  // The 通报 follows its 首发 by a second of the rate.
  const gap = Math.round(RATE || 1000);
  const now = Date.now();
  for (let i = 0; i < posts; i++) {
    out.push({ record: backgroundRecord(corpus, "det", i, now) });
    if (i % perStory === 0) {
      const pair = incidentPair(i / perStory, now);
      out.push({ record: pair.first, story: pair.name });
    }
    if (i >= gap && (i - gap) % perStory === 0) {
      const pair = incidentPair((i - gap) / perStory, now);
      out.push({ record: pair.second, story: pair.name, report: true });
    }
  }
  return out;
}

/** Enriched once per corpus and size (the segmenter takes most of a minute per 10,000 posts on this machine). */
function enriched(): { doc: EnrichedDocument; story?: string; report?: boolean }[] {
  const file = join(tmpdir(), `liaowang-detector-alone-v2-${createHash("sha256").update(`${corpus.source}:${posts}:${RATE}`).digest("hex").slice(0, 12)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const enrich = serviceEnricher(new Date());
  const out = records().map(({ record, story, report }) => ({ doc: enrich(record), ...(story ? { story } : {}), ...(report ? { report } : {}) }));
  writeFileSync(file, JSON.stringify(out));
  return out;
}

/** CPU seconds of a process's threads, the main thread's and the others' (V8's GC and compiler workers, libuv's pool, tsx's loader). */
function threadCpu(pid: number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!pid) return out;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      // Every thread is called "node": the main thread is the one whose id is the process's.
      const name = tid === String(pid) ? "main" : "others";
      const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** The dev stack's Elasticsearch process (its pid file under LIAOWANG_STACK_DIR), if this machine runs it. */
function elasticsearchPid(): number | undefined {
  const file = join(process.env.LIAOWANG_STACK_DIR ?? join(import.meta.dirname, "..", ".devstack"), "run", "elasticsearch.json");
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

const items = enriched();
const run = `da${Date.now().toString(36)}`;
const stack = benchStackFor(run, devStackAddresses());
// Spawned here rather than by the stack, so extra Node flags can be given (DETECTOR_NODE_FLAGS, e.g. --trace-gc).
// DETECTOR_HEAP_SNAPSHOT=<dir>: a heap snapshot of the detector once it has drained.
const profDir = process.env.LIAOWANG_BENCH_CPU_PROF;
const snapDir = process.env.DETECTOR_HEAP_SNAPSHOT;
const flags = [
  ...(process.env.DETECTOR_NODE_FLAGS ?? "").split(" ").filter(Boolean),
  ...(profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []),
  ...(snapDir ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${snapDir}`] : []),
];
// The detector's own settings given to this script (DETECTOR_FETCH_*, DETECTOR_BURST_FLUSH_MS, DETECTOR_MAX_OPEN) pass on.
const tuning = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^DETECTOR_(FETCH_|BURST_|MAX_OPEN)/.test(e[0]) && e[1] !== undefined));
const detector = spawnService(PIPELINE_SERVICES.detector, { ...stack.env, LIAOWANG_JURISDICTION: "湖南省", DETECTOR_INSTANCE_ID: `${run}-detector`, ...tuning }, flags);
try {
  let exited = false;
  void detector.exited.then(() => (exited = true));
  while (!detector.output().includes('"msg":"started"')) {
    if (exited) throw new Error(`detector did not start:\n${detector.output().slice(-3000)}`);
    await sleep(100);
  }
  const producer = await createProducer(stack.kafka, stack.topicPrefix);
  const admin = stack.kafka.admin();
  await admin.connect();
  const reports = new Map<string, number>();
  const incidents = stack.kafka.consumer({ groupId: `${stack.topicPrefix}watch`, maxWaitTimeInMs: 100 });
  await incidents.connect();
  await incidents.subscribe({ topic: topicName(stack.topicPrefix, "incidents"), fromBeginning: true });
  const delays: number[] = [];
  const seenII = new Set<string>();
  await incidents.run({
    eachMessage: async ({ message }) => {
      const v = JSON.parse(message.value?.toString() ?? "{}") as { level?: string; title?: string };
      if (v.level !== "II" || !v.title) return;
      for (const [name, at] of reports) {
        if (!seenII.has(name) && v.title.includes(name)) {
          seenII.add(name);
          delays.push(Number(message.timestamp) - at);
        }
      }
    },
  });

  const pid = detector.pid;
  const rss: number[] = [];
  const sampler = setInterval(() => {
    const s = procStat(pid);
    if (s) rss.push(s.rssMB);
  }, 1_000);
  // Elasticsearch's CPU while the detector idles (the stack may be shared): subtracted, at that rate, from its CPU over
  // the run.
  const esPid = elasticsearchPid();
  const idle0 = procStat(esPid)?.cpuS;
  const idleT0 = performance.now();
  if (idle0 !== undefined) await sleep(10_000);
  const esIdlePerS = idle0 === undefined ? 0 : ((procStat(esPid)?.cpuS ?? idle0) - idle0) / ((performance.now() - idleT0) / 1000);
  const es0 = procStat(esPid)?.cpuS;
  const cpu0 = procStat(pid)!.cpuS;
  const before = threadCpu(pid);
  const t0 = performance.now();
  let next = 0;
  const emit = async (n: number) => {
    const batch = items.slice(next, next + n);
    next += batch.length;
    const at = new Date().toISOString();
    for (const b of batch) if (b.report && b.story) reports.set(b.story, Date.now());
    await producer.send("enriched", batch.map((b) => ({ ...b.doc, publishedAt: at, ingestedAt: at, enrichedAt: at })));
  };
  if (RATE > 0) await paced(RATE, 50, () => next < items.length, (n) => emit(Math.min(n, items.length - next)));
  else while (next < items.length) await emit(1_000);
  const producedMs = performance.now() - t0;
  const group = `${stack.topicPrefix}detector`;
  let lag = Infinity;
  while (lag > 0 && performance.now() - t0 < producedMs + 600_000) {
    lag = (await groupLag(admin, group, topicName(stack.topicPrefix, "enriched"))).total;
    if (lag > 0) await sleep(250);
  }
  const drainedMs = performance.now() - t0;
  const cpu = procStat(pid)!.cpuS - cpu0;
  const esCpu = es0 === undefined ? undefined : (procStat(esPid)?.cpuS ?? es0) - es0;
  const byThread = threadCpu(pid);
  for (const [name, s] of Object.entries(before)) byThread[name] = (byThread[name] ?? 0) - s;
  const atDrain = [...reports.keys()].filter((n) => !seenII.has(n));
  await sleep(Number(process.env.DETECTOR_ALONE_WAIT_MS ?? 2_000));
  clearInterval(sampler);
  const half = rss.slice(Math.floor(rss.length / 2));
  console.log(
    JSON.stringify({
      rate: RATE,
      posts: items.length,
      producedS: +(producedMs / 1000).toFixed(1),
      drainedS: +(drainedMs / 1000).toFixed(1),
      cpuMsPerPost: +((cpu * 1000) / items.length).toFixed(3),
      rssMB: { peak: Math.round(Math.max(...rss)), steadyMedian: Math.round(quantile(half, 0.5) ?? 0), last: Math.round(rss[rss.length - 1] ?? 0) },
      cpuMsPerPostByThread: Object.fromEntries(Object.entries(byThread).map(([k, v]) => [k, +((v * 1000) / items.length).toFixed(3)])),
      storiesII: `${seenII.size}/${reports.size}`,
      withoutII: { atDrain, atEnd: [...reports.keys()].filter((n) => !seenII.has(n)) },
      reportToIIms: { p50: quantile(delays, 0.5), p95: quantile(delays, 0.95) },
      ...(esCpu === undefined
        ? {}
        : {
            elasticsearchCpuMsPerPost: +((esCpu * 1000) / items.length).toFixed(3),
            elasticsearchCpuMsPerPostBeyondIdle: +(((esCpu - esIdlePerS * (drainedMs / 1000)) * 1000) / items.length).toFixed(3),
          }),
    }),
  );
  await incidents.disconnect();
  await producer.disconnect();
  await admin.disconnect();
  // What the detector sent Elasticsearch: per index of the run's prefix, documents indexed, bulk bytes and shard
  // bulk requests, gets, searches and refreshes (the client's requests are not counted by Elasticsearch itself).
  const written = await stack.es.indices.stats({ index: `${stack.indexPrefix}*`, metric: ["indexing", "bulk", "get", "search", "refresh", "merge"] });
  const per = (n: number) => +(n / items.length).toFixed(3);
  for (const [index, st] of Object.entries(written.indices ?? {}).sort()) {
    const t = st.primaries;
    console.log(
      `${index}: ${t?.indexing?.index_total ?? 0} documents indexed, ${t?.bulk?.total_operations ?? 0} bulk requests of ${Math.round((t?.bulk?.total_size_in_bytes ?? 0) / 1024)} KiB (${per(t?.bulk?.total_size_in_bytes ?? 0)} bytes per post), ` +
        `${t?.get?.total ?? 0} gets, ${t?.search?.query_total ?? 0} searches, ${t?.refresh?.external_total ?? 0} refreshes; ` +
        // Time Elasticsearch's threads spent on this index alone (other users of a shared stack do not count).
        `µs per post indexing ${per((t?.indexing?.index_time_in_millis ?? 0) * 1000)}, refreshing ${per((t?.refresh?.total_time_in_millis ?? 0) * 1000)}, merging ${per((t?.merges?.total_time_in_millis ?? 0) * 1000)}`,
    );
  }
  // With --trace-gc: the collections' count and pause time by kind.
  const gc = new Map<string, { n: number; ms: number }>();
  for (const m of detector.output().matchAll(/(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^,]*?, ([\d.]+) \/ [\d.]+ ms/g)) {
    const g = gc.get(m[1]!) ?? { n: 0, ms: 0 };
    g.n++;
    g.ms += Number(m[2]);
    gc.set(m[1]!, g);
  }
  if (process.env.DETECTOR_SHOW) for (const line of detector.output().split("\n")) if (line.includes(process.env.DETECTOR_SHOW)) console.log(line.slice(0, 400));
  if (gc.size > 0) console.log(`collections: ${[...gc].map(([k, g]) => `${k} ${g.n} × (${Math.round(g.ms)} ms)`).join(", ")}`);
  if (snapDir && pid) {
    process.kill(pid, "SIGUSR2");
    await sleep(20_000);
  }
} finally {
  await detector.stop();
  await stack.stop();
}
