// Where post → alert goes, hop by hop: the whole pipeline (ingest, enrich, indexer, detector, alerter, api) as real
// processes on the running dev stack, real background posts at a steady rate, a local II story (首发, then 1 s later
// the 通报 with the death toll) every 1.5 s, and for each story's 通报 the Kafka timestamp at which each stage produced
// it (raw by ingest, enriched by enrich), its incident first graded II (detector) and its alert's first II event
// (alerter), then when `GET /api/v1/alerts` first listed it (polled every 50 ms).
//
//   source /work/wt/stackenv.sh
//   LIAOWANG_EVAL_DIR=../shared/eval CHAIN_RATE=200 pnpm exec tsx bench/chain-hops.ts
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { topicName, type TopicKey } from "@liaowang/schemas";
import { backgroundRecord, incidentPair, loadCorpus } from "./lib/corpus.js";
import { paced, quantile, sleep, until } from "./lib/measure.js";
import { benchStackFor, devStackAddresses } from "./lib/stack.js";

const RATE = Number(process.env.CHAIN_RATE ?? 200);
const SECONDS = Number(process.env.CHAIN_SECONDS ?? 40);
const corpus = loadCorpus(process.env.LIAOWANG_EVAL_DIR ?? join(import.meta.dirname, "..", "..", "shared", "eval"));
const run = `ch${Date.now().toString(36)}`;
const stack = benchStackFor(run, devStackAddresses());

interface Story {
  name: string;
  /** performance.now() and Date.now() when the 通报 was pushed. */
  pushedAt: number;
  pushedEpoch: number;
  /** Kafka CreateTime (epoch ms) of the first matching record per topic. */
  at: Partial<Record<"raw" | "enriched" | "incidents" | "alertEvents", number>>;
  listedAt?: number;
  /** Every incident snapshot and alert event naming the story, in arrival order (for the slow and the missed). */
  trail: string[];
}

/** The fields of an incident snapshot or alert event that tell what happened to a story. */
function describe(key: TopicKey, value: string): string {
  const v = JSON.parse(value) as Record<string, any>;
  if (key === "incidents") return `${v.id} r${v.revision} ${v.status} level ${v.level} board ${v.dutyBoard} scope ${v.scope} volume ${v.volume}${v.mergedInto ? ` → ${v.mergedInto}` : ""}`;
  return `${v.event?.alertId} ${v.event?.type} seq ${v.event?.seq} level ${v.alert?.level} state ${v.alert?.state}`;
}
const stories: Story[] = [];

await stack.allocatePorts();
try {
  const order = ["ingest", "enrich", "indexer", "detector", "alerter", "api"] as const;
  await Promise.all(order.map((name) => stack.start(name)));
  console.log(`services started; ${RATE} posts/s of ${corpus.source} for ${SECONDS} s, a story every 1.5 s`);

  // One consumer per topic, reading from the end: the 通报's records carry the story's name and "情况通报"; the incident
  // and the alert event count once graded II.
  const watched: { key: TopicKey; hop: keyof Story["at"]; matches: (value: string, name: string) => boolean }[] = [
    { key: "raw", hop: "raw", matches: (v, name) => v.includes(name) && v.includes("情况通报") },
    { key: "enriched", hop: "enriched", matches: (v, name) => v.includes(name) && v.includes("情况通报") },
    { key: "incidents", hop: "incidents", matches: (v, name) => v.includes(name) && (JSON.parse(v) as { level?: unknown }).level === "II" },
    { key: "alertEvents", hop: "alertEvents", matches: (v, name) => v.includes(name) && (JSON.parse(v) as { alert?: { level?: unknown } }).alert?.level === "II" },
  ];
  const consumers = await Promise.all(
    watched.map(async (w) => {
      const consumer = stack.kafka.consumer({ groupId: `bench.${run}.hops-${w.key}-${randomBytes(3).toString("hex")}`, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: topicName(stack.topicPrefix, w.key), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value?.toString("utf8") ?? "";
          for (const story of stories) {
            if (story.at[w.hop] === undefined && w.matches(value, story.name)) story.at[w.hop] = Number(message.timestamp);
            if ((w.key === "incidents" || w.key === "alertEvents") && value.includes(story.name)) story.trail.push(`${w.key}@${Number(message.timestamp) - story.pushedEpoch}ms ${describe(w.key, value)}`);
          }
        },
      });
      return consumer;
    }),
  );

  let stop = false;
  let serial = 0;
  const t0 = performance.now();
  const background = paced(RATE, 250, () => !stop, (n) => {
    void stack.push(Array.from({ length: n }, () => backgroundRecord(corpus, run, serial++))).catch(() => undefined);
  });
  const injector = (async () => {
    await sleep(2_000);
    for (let k = 0; !stop && performance.now() - t0 < SECONDS * 1000 - 1_500; k++) {
      const pair = incidentPair(k);
      // Followed from the 首发 on (its incident and alert join the trail); timed from the 通报's push.
      const story: Story = { name: pair.name, pushedAt: performance.now(), pushedEpoch: Date.now(), at: {}, trail: [] };
      stories.push(story);
      await stack.push([pair.first], 20_000).catch(() => undefined);
      await sleep(1_000);
      story.pushedAt = performance.now();
      story.pushedEpoch = Date.now();
      await stack.push([pair.second], 20_000).catch(() => undefined);
      await sleep(500);
    }
  })();
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const alerts = await stack.alerts().catch(() => []);
      const at = performance.now();
      for (const s of stories) if (s.listedAt === undefined && alerts.some((a) => a.level === "II" && a.title.includes(s.name))) s.listedAt = at;
      await sleep(50);
    }
  })();
  await sleep(SECONDS * 1000);
  stop = true;
  await background;
  await injector;
  await until(async () => stories.every((s) => s.listedAt !== undefined), 20_000, 200);
  polling = false;
  await poller;
  await Promise.all(consumers.map((c) => c.disconnect()));

  const fmt = (values: number[]) => {
    const ms = (v: number | undefined) => (v === undefined ? "—" : `${Math.round(v)} ms`);
    return `p50 ${ms(quantile(values, 0.5))}, p95 ${ms(quantile(values, 0.95))}, max ${ms(quantile(values, 1))} (${values.length})`;
  };
  const hop = (from: (s: Story) => number | undefined, to: (s: Story) => number | undefined) =>
    stories.flatMap((s) => {
      const a = from(s);
      const b = to(s);
      return a === undefined || b === undefined ? [] : [b - a];
    });
  const listedEpoch = (s: Story) => (s.listedAt === undefined ? undefined : s.pushedEpoch + (s.listedAt - s.pushedAt));
  console.log(`${stories.length} stories, ${stories.filter((s) => s.listedAt !== undefined).length} listed as II; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(`push → raw (api + ingest):           ${fmt(hop((s) => s.pushedEpoch, (s) => s.at.raw))}`);
  console.log(`raw → enriched (enrich):             ${fmt(hop((s) => s.at.raw, (s) => s.at.enriched))}`);
  console.log(`enriched → incident II (detector):   ${fmt(hop((s) => s.at.enriched, (s) => s.at.incidents))}`);
  console.log(`incident II → alert event (alerter): ${fmt(hop((s) => s.at.incidents, (s) => s.at.alertEvents))}`);
  console.log(`incident II → listed (alerter, api): ${fmt(hop((s) => s.at.incidents, listedEpoch))}`);
  console.log(`push → listed:                       ${fmt(hop((s) => s.pushedEpoch, listedEpoch))}`);
  if (process.env.CHAIN_EVERY) for (const s of stories) console.log(`${s.name}: raw ${s.at.raw === undefined ? "—" : s.at.raw - s.pushedEpoch}, enriched ${s.at.enriched === undefined ? "—" : s.at.enriched - s.pushedEpoch}, incident II ${s.at.incidents === undefined ? "—" : s.at.incidents - s.pushedEpoch}, alert event II ${s.at.alertEvents === undefined ? "—" : s.at.alertEvents - s.pushedEpoch}, listed ${s.listedAt === undefined ? "—" : Math.round(s.listedAt - s.pushedAt)} ms after the push`);
  const slow = (s: Story) => s.listedAt === undefined || (s.at.incidents !== undefined && (listedEpoch(s) ?? 0) - s.at.incidents > 1_000);
  for (const s of stories.filter(slow).slice(0, 5)) console.log(`${s.listedAt === undefined ? "not listed" : `listed ${Math.round(s.listedAt - s.pushedAt)} ms after the push`}: ${s.name}\n  ${s.trail.join("\n  ")}`);
} finally {
  const t = performance.now();
  await Promise.race([stack.stop(), sleep(60_000).then(() => console.log("clean-up still running after 60 s; leaving"))]);
  console.log(`cleaned up in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  process.exit(0);
}
