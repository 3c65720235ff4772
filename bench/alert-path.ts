// The alert path on its own: incident snapshots published on the incidents topic at a steady rate (as the detector
// publishes them under load), with a new II incident among them every second, and the time from publishing each
// new incident until `GET /api/v1/alerts` lists it (and until its `opened` event is on alert-events, which the
// dashboards' live feed follows). Runs the alerter and the api as real processes on the running dev stack with
// their own topic and index prefixes.
//
//   source /work/wt/stackenv.sh   # or any running stack: LIAOWANG_KAFKA_BROKERS / LIAOWANG_ES_URL
//   pnpm exec tsx bench/alert-path.ts            # 30 s, 50 snapshots/s of background
//   ALERT_PATH_RATE=100 ALERT_PATH_SECONDS=60 pnpm exec tsx bench/alert-path.ts
import { createHash } from "node:crypto";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { createProducer, groupLag } from "@liaowang/kafka";
import { AlertEventMessage, topicName, type Incident } from "@liaowang/schemas";
import { stackStatus } from "@liaowang/devstack";
import { esBetween, esProbe, type ExternalPids } from "./lib/e2e.js";
import { paced, procStat, quantile, sleep, until } from "./lib/measure.js";
import { benchStackFor, devStackAddresses } from "./lib/stack.js";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/** Background incident snapshots per second (most of them off the duty board, as at 1,000 posts/s). */
const RATE = num("ALERT_PATH_RATE", 50);
const SECONDS = num("ALERT_PATH_SECONDS", 30);
/** Of the background, the share that updates incidents on the board (volume grows, nothing else changes). */
const ON_BOARD_SHARE = num("ALERT_PATH_ON_BOARD_SHARE", 0.15);
const POLL_MS = num("ALERT_PATH_POLL_MS", 50);

const run = `ap${Date.now().toString(36)}`;
const stack = benchStackFor(run, devStackAddresses());

/** A detector snapshot: `onBoard` decides the risk signal, `level` the grade, `volume` grows with each revision. */
function snapshot(
  id: string,
  revision: number,
  options: {
    onBoard: boolean;
    level: Incident["level"];
    title: string;
    onsetAt: string;
  },
): Incident {
  const at = new Date().toISOString();
  const post = {
    docId: `${id}-d1`,
    source: "微博",
    url: `https://weibo.example/${id}`,
    title: options.title,
    snippet: options.title,
    publishedAt: options.onsetAt,
  };
  return {
    v: 1,
    id,
    revision,
    status: "open",
    changes: revision === 1 ? ["opened"] : ["grew"],
    mergedFrom: [],
    title: options.title,
    openedAt: options.onsetAt,
    updatedAt: at,
    onsetAt: options.onsetAt,
    firstSource: post,
    lastActivityAt: at,
    level: options.level,
    gradeReason: options.level ? `据2个来源报道死亡12人，定为${options.level}级` : "未定级",
    gradeHistory: [],
    category: options.level ? "生产安全事故" : undefined,
    topics: [{ id: "安全生产", score: 0.9 }],
    regions: [
      {
        code: "430602",
        name: "岳阳楼区",
        level: "county",
        province: "湖南省",
        count: revision,
      },
    ],
    keywords: [{ word: "爆炸", weight: 0.5 }],
    sources: { count: 2, names: ["微博", "今日头条"] },
    volume: revision + 1,
    velocity: revision,
    figures: [],
    representativeDocs: [post],
    watchMatches: [],
    bursts: [],
    timeline: [],
    scope: options.onBoard ? "本地" : "外地",
    scopeReason: options.onBoard ? "发生在辖区内" : "发生在辖区外",
    dutyBoard: options.onBoard,
    boardReason: options.onBoard ? "死亡人数达到重大事故标准" : "外地事件，仅供分析",
  };
}

/** An incident id as the detector makes them (`inc-` and 16 hex digits), derived from a name. */
const incidentId = (name: string) => `inc-${createHash("sha256").update(`${run}:${name}`).digest("hex").slice(0, 16)}`;

interface Story {
  incidentId: string;
  publishedAt: number;
  listedAt?: number;
  eventAt?: number;
}

await stack.allocatePorts();
try {
  const t0 = performance.now();
  const alerter = await stack.start("alerter");
  const api = await stack.start("api");
  console.log(`alerter started in ${(alerter.startupMs / 1000).toFixed(1)} s, api in ${(api.startupMs / 1000).toFixed(1)} s`);
  const producer = await createProducer(stack.kafka, stack.topicPrefix);

  // The live feed's view: when each alert's `opened` event is published.
  const eventsAt = new Map<string, number>();
    const consumer = stack.kafka.consumer({
    groupId: `bench.${run}.watch`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({
    topic: topicName(stack.topicPrefix, "alertEvents"),
    fromBeginning: true,
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
        const parsed = AlertEventMessage.safeParse(JSON.parse(message.value?.toString("utf8") ?? "null"));
      if (parsed.success && parsed.data.event.type === "opened" && !eventsAt.has(parsed.data.event.incidentId)) eventsAt.set(parsed.data.event.incidentId, performance.now());
    },
  });

  const onset = new Date(Date.now() - 10 * 60_000).toISOString();
  const offBoard = Array.from({ length: 300 }, (_, i) => ({
    id: incidentId(`off${i}`),
    revision: 0,
  }));
  const onBoard = Array.from({ length: 30 }, (_, i) => ({
    id: incidentId(`on${i}`),
    revision: 0,
  }));
  // Open the on-board background alerts first (IV, so the background is a board with live alerts on it).
  await producer.send(
    "incidents",
    onBoard.map((inc) =>
      snapshot(inc.id, ++inc.revision, {
        onBoard: true,
        level: "IV",
        title: `背景事件${inc.id.slice(-4)}`,
        onsetAt: onset,
      }),
    ),
  );
  await until(async () => (await stack.alerts()).length >= onBoard.length, 60_000, 200);
  console.log(`background board of ${onBoard.length} alerts listed after ${((performance.now() - t0) / 1000).toFixed(1)} s; measuring for ${SECONDS} s at ${RATE} snapshots/s`);

  const stories: Story[] = [];
  let published = 0;
  let stop = false;
  const cpu0 = stack.stats();
  // Elasticsearch's share: CPU by thread pool, and the alerts index's gets and refreshes (a realtime get of a
  // document changed since the last refresh forces one).
  const external: ExternalPids = Object.fromEntries((await stackStatus({ env: process.env })).map((s) => [s.name, s.pid]));
  const esCpu0 = external.elasticsearch === undefined ? undefined : procStat(external.elasticsearch)?.cpuS;
  const es0 = await esProbe(stack, external);
  const start = performance.now();
  const background = paced(RATE, 100, () => !stop, async (n) => {
    const batch: Incident[] = [];
    for (let i = 0; i < n; i++) {
      const on = Math.random() < ON_BOARD_SHARE;
      const pool = on ? onBoard : offBoard;
      const inc = pool[Math.floor(Math.random() * pool.length)]!;
      batch.push(
        snapshot(inc.id, ++inc.revision, {
          onBoard: on,
          level: on ? "IV" : null,
          title: `背景事件${inc.id.slice(-4)}`,
          onsetAt: onset,
        }),
      );
    }
    await producer.send("incidents", batch);
    published += batch.length;
  });
  const injector = (async () => {
    for (let k = 0; !stop; k++) {
      await sleep(1_000);
      if (stop) break;
      const id = incidentId(`story${k}`);
      const story: Story = { incidentId: id, publishedAt: performance.now() };
      stories.push(story);
      await producer.send("incidents", [
        snapshot(id, 1, {
          onBoard: true,
          level: "II",
          title: `岳阳楼区化工厂爆炸${k}`,
          onsetAt: new Date().toISOString(),
        }),
      ]);
    }
  })();
  let polling = true;
  /** How long each GET /api/v1/alerts took (the api's share of every figure). */
  const polls: number[] = [];
  const poller = (async () => {
    while (polling) {
      const asked = performance.now();
      const listed = new Set((await stack.alerts().catch(() => [])).map((a) => a.incidentId));
      const at = performance.now();
      polls.push(at - asked);
      for (const s of stories) {
        if (s.listedAt === undefined && listed.has(s.incidentId)) s.listedAt = at;
        if (s.eventAt === undefined && eventsAt.has(s.incidentId)) s.eventAt = eventsAt.get(s.incidentId);
      }
      await sleep(POLL_MS);
    }
  })();
  await sleep(SECONDS * 1000);
  stop = true;
  await background;
  await injector;
  const elapsed = (performance.now() - start) / 1000;
  await until(async () => stories.every((s) => s.listedAt !== undefined && s.eventAt !== undefined), 20_000, 200);
  polling = false;
  await poller;
  const admin = stack.kafka.admin();
  await admin.connect();
  const lag = (await groupLag(admin, `${stack.topicPrefix}alerter`, topicName(stack.topicPrefix, "incidents"))).total;
  await admin.disconnect();
  const cpu1 = stack.stats();
  const esCpu1 = external.elasticsearch === undefined ? undefined : procStat(external.elasticsearch)?.cpuS;
  const es1 = await esBetween(stack, external, es0);

  const ms = (v: number | undefined) => (v === undefined ? "—" : v === Number.POSITIVE_INFINITY ? "∞" : `${Math.round(v)} ms`);
  const figures = (values: number[], total: number) => {
    const censored = [...values, ...Array.from({ length: total - values.length }, () => Number.POSITIVE_INFINITY)];
    return `p50 ${ms(quantile(censored, 0.5))}, p95 ${ms(quantile(censored, 0.95))}, p99 ${ms(quantile(censored, 0.99))}, max ${ms(quantile(censored, 1))} (${values.length}/${total})`;
  };
  const listed = stories.flatMap((s) => (s.listedAt === undefined ? [] : [s.listedAt - s.publishedAt]));
  const events = stories.flatMap((s) => (s.eventAt === undefined ? [] : [s.eventAt - s.publishedAt]));
  const cpu = (name: string) => ((cpu1[name]?.cpuS ?? 0) - (cpu0[name]?.cpuS ?? 0)).toFixed(1);
  console.log(
    `background: ${(published / elapsed).toFixed(0)} snapshots/s for ${elapsed.toFixed(0)} s (${Math.round(ON_BOARD_SHARE * 100)}% updating ${onBoard.length} alerts on the board), ${stories.length} new II incidents; polled every ${POLL_MS} ms`,
  );
  console.log(`publish → listed by GET /api/v1/alerts: ${figures(listed, stories.length)}`);
  console.log(`publish → opened on alert-events:       ${figures(events, stories.length)}`);
  console.log(`GET /api/v1/alerts answered in p50 ${ms(quantile(polls, 0.5))}, p95 ${ms(quantile(polls, 0.95))} (${polls.length} polls)`);
  console.log(
    `CPU during the run: alerter ${cpu("alerter")} s, api ${cpu("api")} s; alerter lag at the end ${lag}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  if (esCpu0 !== undefined && esCpu1 !== undefined) {
    const alerts = es1.esIndices?.alerts;
    console.log(
      `Elasticsearch CPU ${(esCpu1 - esCpu0).toFixed(1)} s (${(es1.esPools ?? []).slice(0, 6).map(([pool, sec]) => `${pool} ${sec.toFixed(2)}`).join(", ")}); alerts index: ${alerts?.gets ?? 0} gets, ${alerts?.refreshes ?? 0} refreshes (${alerts?.refreshMs ?? 0} ms), ${alerts?.docs ?? 0} writes`,
    );
  }

  await consumer.disconnect();
  await producer.disconnect();
} finally {
  // Cleaning up (services stopped, topics and indices deleted) must not hold the figures hostage.
  const t = performance.now();
  await Promise.race([stack.stop(), sleep(60_000).then(() => console.log("clean-up still running after 60 s; leaving"))]);
  console.log(`cleaned up in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  process.exit(0);
}
