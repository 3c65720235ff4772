// The detector's engine alone, in this process, on the stream `pnpm bench` sends it: the same background posts (real
// text, a text coming round again past the corpus's size as another source's repost), phase after phase as the bench
// runs them (warm-up, short posts, long articles, 200 and 1,000 posts/s with a II story every 1.5 s), on a simulated
// clock, in batches per partition as the service takes them, with a tick every 30 s. Prints the engine's CPU per post
// per phase and per 5 s of the 1,000 posts/s phase, what the posts did (opened, joined, ignored), how many reported
// incidents changed per post (each one a message and an Elasticsearch write in the service), the open incidents, and
// with --expose-gc the live heap per open incident at the end. No Kafka, no Elasticsearch: what the engine costs on
// the bench's posts, apart from the service around it and the machine's other work.
//
//   LIAOWANG_EVAL_DIR=../shared/eval pnpm exec tsx bench/detector-replay.ts
//   DETECTOR_REPLAY_PHASES=warmup,short,latency1000 node --expose-gc --cpu-prof --import tsx bench/detector-replay.ts
//
// Texts are enriched once (as ingest and enrich would, for 湖南省) and cached under the OS temp dir, never in the
// repository. DETECTOR_REPLAY_BATCH: posts per partition batch (50); LIAOWANG_BENCH_SCALE scales the phases like the
// bench's.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DetectorEngine, type DocFeatures, type IncidentState } from "@liaowang/detect";
import { documentId } from "@liaowang/ingest";
import { storyKey, type EnrichedDocument } from "@liaowang/schemas";
import { loadConfig, loadDomainConfig } from "../services/detector/src/config.js";
import { toFeatures } from "../services/detector/src/features.js";
import { backgroundRecord, incidentPair, loadCorpus, longRecord, type IngestRecord } from "./lib/corpus.js";
import { serviceEnricher } from "./lib/enrich-once.js";

const SCALE = Number(process.env.LIAOWANG_BENCH_SCALE ?? 1);
const BATCH = Number(process.env.DETECTOR_REPLAY_BATCH ?? 50);
const PARTITIONS = 3;
const ONLY = process.env.DETECTOR_REPLAY_PHASES?.split(",").map((p) => p.trim());
const corpus = loadCorpus(process.env.LIAOWANG_EVAL_DIR ?? join(import.meta.dirname, "..", "..", "shared", "eval"));
if (corpus.note) console.log(`note: ${corpus.note}`);
const T0 = Date.parse("2026-12-03T18:00:00Z");
const STORIES = 90;
const LONG = Math.round(1_000 * SCALE);

/** Each distinct text enriched once: background texts by corpus index, long articles, the stories' two posts. */
interface Enriched {
  texts: EnrichedDocument[];
  long: EnrichedDocument[];
  first: EnrichedDocument[];
  second: EnrichedDocument[];
}
function enriched(): Enriched {
  const key = createHash("sha256").update(`${corpus.source}:${corpus.posts.length}:${LONG}:${STORIES}`).digest("hex").slice(0, 12);
  const file = join(tmpdir(), `liaowang-detector-replay-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Enriched;
  console.log(`enriching ${corpus.posts.length} texts once (cached in ${file}) …`);
  const enrich = serviceEnricher(new Date(T0));
  const out: Enriched = {
    texts: corpus.posts.map((_, t) => enrich(backgroundRecord(corpus, "replay", t, T0))),
    long: Array.from({ length: LONG }, (_, i) => enrich(longRecord(corpus, "replay", i, 4_096, T0))),
    first: Array.from({ length: STORIES }, (_, k) => enrich(incidentPair(k, T0).first)),
    second: Array.from({ length: STORIES }, (_, k) => enrich(incidentPair(k, T0).second)),
  };
  writeFileSync(file, JSON.stringify(out));
  return out;
}

/** An enriched text as the post `record` (its own id, source and times; analysis of the same text is the same). */
function asPost(doc: EnrichedDocument, record: IngestRecord, at: number): EnrichedDocument {
  const iso = new Date(at).toISOString();
  return { ...doc, id: documentId(record), source: record.source, url: record.url, publishedAt: record.publishedAt, ingestedAt: iso, enrichedAt: iso };
}

interface Item {
  doc: EnrichedDocument;
  at: number;
  phase: string;
  /** The story (its facility's name) a 首发 or 通报 tells. */
  story?: string;
}

/** The bench's phases in order (bench/run.ts), each after 30 s of quiet, on a simulated clock. */
function stream(e: Enriched): Item[] {
  const out: Item[] = [];
  let clock = T0;
  const wants = (phase: string) => ONLY === undefined || ONLY.includes(phase);
  const background = (phase: string, run: string, n: number, rate: number, storyBase?: number) => {
    const start = clock;
    clock = start + (n * 1000) / rate + 30_000;
    if (!wants(phase)) return;
    for (let i = 0; i < n; i++) {
      const at = start + (i * 1000) / rate;
      out.push({ doc: asPost(e.texts[i % e.texts.length]!, backgroundRecord(corpus, run, i, at), at), at, phase });
    }
    if (storyBase === undefined) return;
    // A story's 首发, then its 通报 a second later, every 1.5 s (alertLatency in bench/lib/e2e.ts).
    for (let t = start + 1_500, k = storyBase; t < start + (n * 1000) / rate - 1_500 && k < STORIES; t += 1_500, k++) {
      const story = incidentPair(k, t).name;
      out.push({ doc: asPost(e.first[k]!, incidentPair(k, t).first, t), at: t, phase, story });
      out.push({ doc: asPost(e.second[k]!, incidentPair(k, t + 1_000).second, t + 1_000), at: t + 1_000, phase, story });
    }
  };
  background("warmup", "w", Math.round(3_000 * SCALE), 1_500);
  background("short", "s1", Math.round(20_000 * SCALE), 2_000);
  if (wants("long")) for (let i = 0; i < LONG; i++) out.push({ doc: asPost(e.long[i]!, longRecord(corpus, "l", i, 4_096, clock + i * 10), clock + i * 10), at: clock + i * 10, phase: "long" });
  clock += LONG * 10 + 30_000;
  const latencyS = Math.max(12, 40 * Math.min(1, SCALE));
  background("latency200", "bg200", 200 * latencyS, 200, 0);
  background("latency1000", "bg1000", 1_000 * latencyS, 1_000, 30);
  return out.sort((a, b) => a.at - b.at);
}

/** The enriched topic's partition of a post (its story key; not Kafka's own hash, the same grouping). */
function partitionOf(doc: EnrichedDocument): number {
  const key = storyKey(doc);
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % PARTITIONS;
}

const items = stream(enriched());
const env = loadConfig({ ...process.env, LIAOWANG_JURISDICTION: "湖南省", LIAOWANG_CONFIG_DIR: join(import.meta.dirname, "..", "config") });
const domain = loadDomainConfig(env);
const gc = (globalThis as { gc?: () => void }).gc;
interface Tally {
  posts: number;
  cpuMs: number;
  opened: number;
  joined: number;
  ignored: number;
  reported: number;
}
const cpuMs = (body: () => void): number => {
  const c0 = process.cpuUsage();
  body();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

/** The stream through a new engine; with --expose-gc, the live heap while it is held. */
function replay(): { tallies: Map<string, Tally>; windows: string[]; open: number; reported: number; stories: string[]; heapWith?: number } {
  const engine = new DetectorEngine(domain.engine, domain.watch);
  const tallies = new Map<string, Tally>();
  const windows: string[] = [];
  const window = { start: Number.NaN, cpuMs: 0, posts: 0 };
  let lastTick = T0;
  for (let i = 0; i < items.length; ) {
    // The posts of one fetch: up to BATCH per partition, handled partition by partition (services/detector).
    const phase = items[i]!.phase;
    const byPartition = new Map<number, DocFeatures[]>();
    let n = 0;
    let now = 0;
    while (i < items.length && n < BATCH * PARTITIONS && items[i]!.phase === phase) {
      const { doc, at } = items[i++]!;
      const p = partitionOf(doc);
      const part = byPartition.get(p) ?? [];
      part.push(toFeatures(doc));
      byPartition.set(p, part);
      n++;
      now = at + 50;
    }
    let t = tallies.get(phase);
    if (!t) tallies.set(phase, (t = { posts: 0, cpuMs: 0, opened: 0, joined: 0, ignored: 0, reported: 0 }));
    if (now - lastTick >= 30_000) {
      t.cpuMs += cpuMs(() => engine.commit(engine.tick(now)));
      lastTick = now;
    }
    let batchMs = 0;
    for (const [partition, docs] of byPartition) {
      let plan: ReturnType<DetectorEngine["process"]> | undefined;
      batchMs += cpuMs(() => {
        plan = engine.process(docs, now, { shard: String(partition) });
        engine.commit(plan);
      });
      t.posts += docs.length;
      t.ignored += plan!.ignored ?? 0;
      for (const u of plan!.updates) {
        if (u.incident.reportedAt !== undefined) t.reported++;
        if (u.changes.includes("grew")) t.joined++;
        else if (u.incident.revision === 1) t.opened++;
      }
    }
    t.cpuMs += batchMs;
    if (phase === "latency1000") {
      if (Number.isNaN(window.start)) window.start = now;
      window.cpuMs += batchMs;
      window.posts += n;
      if (now - window.start >= 5_000) {
        windows.push(`  ${((window.start - T0) / 1000).toFixed(0).padStart(4)} s: ${(window.cpuMs / window.posts).toFixed(3)} ms per post, ${engine.open().length.toLocaleString("en-US")} open`);
        Object.assign(window, { start: now, cpuMs: 0, posts: 0 });
      }
    }
  }
  const open = engine.open();
  const stories = storyOutcomes(open);
  gc?.();
  return { tallies, windows, open: open.length, reported: open.filter((x) => x.reportedAt !== undefined).length, stories, ...(gc ? { heapWith: process.memoryUsage().heapUsed } : {}) };
}

/**
 * Each story as the duty board must see it (alertLatency in bench/lib/e2e.ts looks for a I/II alert titled with its
 * name): one open incident titled with the name, graded I/II, holding its 首发 and its 通报. A line per story that is
 * not, saying where its posts went (split, in another story's incident, ungraded), and the count of those that are.
 */
function storyOutcomes(open: readonly IncidentState[]): string[] {
  const posts = new Map<string, string[]>();
  for (const { doc, story } of items) if (story !== undefined) posts.set(story, [...(posts.get(story) ?? []), doc.id]);
  const headline = (i: IncidentState) => i.firstPost.title?.trim() || i.firstPost.snippet.slice(0, 60);
  const describe = (i: IncidentState) => `"${headline(i)}" (${i.level ?? "ungraded"}, ${i.volume} posts)`;
  const out: string[] = [];
  for (const [name, ids] of posts) {
    const titled = open.filter((i) => headline(i).includes(name));
    const holders = ids.map((id) => open.find((i) => i.openedBy === id || i.recentDocIds.includes(id)));
    const whole = titled.length === 1 && (titled[0]!.level === "I" || titled[0]!.level === "II") && holders.every((h) => h === titled[0]);
    if (!whole) out.push(`  ${name}: 首发 in ${holders[0] ? describe(holders[0]) : "no open incident"}; 通报 in ${holders[1] ? describe(holders[1]) : "no open incident"}`);
  }
  return [`stories whole (one open I/II incident titled with the name, holding both posts): ${posts.size - out.length}/${posts.size}`, ...out];
}

const { tallies, windows, open, reported, stories, heapWith } = replay();
const per = (x: number, posts: number) => (x / posts).toFixed(2);
console.log(`corpus ${corpus.posts.length} posts (${corpus.source}); batches of ${BATCH} per partition, ${PARTITIONS} partitions\n`);
console.log("phase          posts   engine CPU   per post: opened  joined  ignored  reported changes");
for (const [phase, t] of tallies) {
  console.log(
    `${phase.padEnd(12)} ${String(t.posts).padStart(7)}   ${(t.cpuMs / t.posts).toFixed(3)} ms       ${per(t.opened, t.posts).padStart(6)}  ${per(t.joined, t.posts).padStart(6)}  ${per(t.ignored, t.posts).padStart(7)}  ${per(t.reported, t.posts).padStart(8)}`,
  );
}
if (windows.length > 0) console.log(`latency1000 by 5 s of the stream (simulated clock):\n${windows.join("\n")}`);
let heap = "";
if (gc && heapWith !== undefined) {
  // What the engine held: the live heap with it, minus the same once it is gone (module-level tables such as the
  // feature ids stay in both).
  gc();
  heap = `; live heap per open incident ${((heapWith - process.memoryUsage().heapUsed) / open / 1024).toFixed(2)} KB`;
}
console.log(`open incidents at the end: ${open.toLocaleString("en-US")}, of them reported ${reported}${heap}`);
console.log(stories.join("\n"));
