// The pipeline as real processes on the dev stack, with the benchmark's own topic and index prefixes: push through
// the API (→ ingest → raw), count what is searchable, read consumer lag per stage and CPU / RSS per process.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ensureBuilt, serviceRuntime } from "@liaowang/build";
import { createEsClient, documentsAlias, type Client } from "@liaowang/es";
import { createKafka, groupLag } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { topicName, type TopicKey } from "@liaowang/schemas";
import { freePort, PIPELINE_SERVICES, spawnService, type PipelineService, type SpawnedService } from "@liaowang/testing";
import { newToken, tokenHash } from "../../services/api/src/auth/users.js";
import type { IngestRecord } from "./corpus.js";
import { procStat, sleep, until } from "./measure.js";

/** The consuming stages and what they consume, for lag. */
export const STAGES: { service: PipelineService; topic: TopicKey }[] = [
  { service: "enrich", topic: "raw" },
  { service: "indexer", topic: "enriched" },
  { service: "detector", topic: "enriched" },
  { service: "alerter", topic: "incidents" },
];

export interface RunningService {
  name: PipelineService;
  replica: number;
  proc: SpawnedService;
  /** Spawn → "started" logged (connected, topics ensured, consumer joined), ms. */
  startupMs: number;
}

type Kafka = ReturnType<typeof createKafka>;
type Admin = ReturnType<Kafka["admin"]>;

/** One stage as `GET /api/v1/health` shows it. */
export interface StageState {
  service: string;
  lag: number | null;
  replicas: number;
  stuck: boolean;
  rebalances: number;
  abandoned: number;
}

/** A push the API refused (status, and the Retry-After it asked for). */
export class PushRefused extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterS: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** A user of the API the benchmark reads alerts as (a duty officer). */
interface BenchUser {
  token: string;
  env: string;
}

/**
 * The stack of one bench run: its own topic and index prefixes (`bench.<run>.`, `bench-<run>-`), on the given Kafka and
 * Elasticsearch unless LIAOWANG_KAFKA_BROKERS / LIAOWANG_ES_URL name others.
 */
export function benchStackFor(run: string, addresses: { kafka: string; es: string }): BenchStack {
  // The services run from their compiled JavaScript: bring it up to date here, so no build lands in a start-up figure.
  if (serviceRuntime() === "dist") ensureBuilt({ log: (line) => console.log(`[build] ${line}`) });
  const topicPrefix = `bench.${run}.`;
  const indexPrefix = `bench-${run}-`;
  return new BenchStack(
    {
      LIAOWANG_KAFKA_BROKERS: process.env.LIAOWANG_KAFKA_BROKERS ?? addresses.kafka,
      LIAOWANG_ES_URL: process.env.LIAOWANG_ES_URL ?? addresses.es,
      LIAOWANG_TOPIC_PREFIX: topicPrefix,
      LIAOWANG_INDEX_PREFIX: indexPrefix,
      // The bench waits for each service's "started" line, logged at info.
      LOG_LEVEL: "info",
    },
    topicPrefix,
    indexPrefix,
  );
}

/** The dev stack's addresses from LIAOWANG_STACK_KAFKA_PORT / LIAOWANG_STACK_ES_PORT (defaults 9092, 9200). */
export function devStackAddresses(): { kafka: string; es: string } {
  return {
    kafka: `127.0.0.1:${process.env.LIAOWANG_STACK_KAFKA_PORT ?? "9092"}`,
    es: `http://127.0.0.1:${process.env.LIAOWANG_STACK_ES_PORT ?? "9200"}`,
  };
}

export class BenchStack {
  readonly services: RunningService[] = [];
  readonly es: Client;
  readonly kafka: Kafka;
  private admin: Admin | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "liaowang-bench-"));
  private readonly pushToken = newToken();
  private readonly user: BenchUser;
  private ports: Record<"api" | "ingest" | "alerter", number> = { api: 0, ingest: 0, alerter: 0 };

  constructor(
    readonly env: Record<string, string>,
    readonly topicPrefix: string,
    readonly indexPrefix: string,
  ) {
    this.es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
    this.kafka = createKafka({ brokers: env.LIAOWANG_KAFKA_BROKERS!.split(","), clientId: "bench", topicPrefix }, createLogger({ service: "bench", level: "error" }));
    const token = newToken();
    this.user = { token, env: JSON.stringify({ users: [{ id: "bench-duty", name: "基准测试值班员", roles: ["duty_officer"], tokens: [tokenHash(token)] }] }) };
    // No notification targets: the benchmark measures what reaches the duty board, not delivery.
    writeFileSync(join(this.dir, "notify.json"), JSON.stringify({ timeoutMs: 3_000, targets: {} }));
    writeFileSync(join(this.dir, "sources.yaml"), "sources: []\n");
  }

  async allocatePorts(): Promise<void> {
    this.ports = { api: await freePort(), ingest: await freePort(), alerter: await freePort() };
  }

  private envFor(name: PipelineService, replica: number): Record<string, string> {
    // Settings compared on and off (the alert list cache, the alerter's and the indexer's fetch gathering) pass through from the bench's environment.
    const pass = (...names: string[]) => Object.fromEntries(names.flatMap((n) => (process.env[n] === undefined ? [] : [[n, process.env[n] as string]])));
    const common = {
      ...this.env,
      ALERTER_URL: `http://127.0.0.1:${this.ports.alerter}`,
      ALERTER_API_TOKEN: "bench-alerter-token-0123456789abcdef",
      INGEST_URL: `http://127.0.0.1:${this.ports.ingest}`,
      LIAOWANG_INGEST_TOKENS: this.pushToken,
      // A provincial office (湖南省): the injected stories are in districts of several 湖南 cities. With the shipped
      // jurisdiction (长沙市) the stories elsewhere in 湖南 are rightly 外地, never graded, and were counted as missed.
      LIAOWANG_JURISDICTION: "湖南省",
    };
    switch (name) {
      case "ingest":
        return { ...common, INGEST_HTTP_PORT: String(this.ports.ingest), INGEST_SOURCES_FILE: join(this.dir, "sources.yaml"), LIAOWANG_DEMO: "off" };
      case "enrich":
        return { ...common, ENRICH_WATCH_DICTIONARIES: "off" };
      case "indexer":
        return { ...pass("INDEXER_FETCH_MIN_BYTES", "INDEXER_FETCH_WAIT_MS"), ...common, INDEXER_RETENTION: "off" };
      case "detector":
        return { ...common, DETECTOR_INSTANCE_ID: `bench-detector-${replica}` };
      case "alerter":
        return { ...pass("ALERTER_FETCH_MIN_BYTES", "ALERTER_FETCH_WAIT_MS"), ...common, ALERTER_HTTP_PORT: String(this.ports.alerter), ALERTER_ACK_SECRET: "bench-ack-secret-0123456789abcdef0123", ALERTER_NOTIFY_FILE: join(this.dir, "notify.json") };
      case "api":
        return { ...pass("API_ALERT_LIST_CACHE_MS"), ...common, API_HTTP_PORT: String(this.ports.api), API_USERS: this.user.env, LIAOWANG_DEMO: "off" };
    }
  }

  /** Spawn one replica and wait until it logged "started"; throws with its output when it exits or takes > 3 min. */
  async start(name: PipelineService, replica = 1): Promise<RunningService> {
    const t0 = performance.now();
    // `LIAOWANG_BENCH_CPU_PROF=<dir>`: every service writes a V8 CPU profile under it when it stops (profiling costs
    // CPU, so the figures of such a run are not comparable with others).
    const profDir = process.env.LIAOWANG_BENCH_CPU_PROF;
    const proc = spawnService(PIPELINE_SERVICES[name], this.envFor(name, replica), profDir ? ["--cpu-prof", `--cpu-prof-dir=${join(profDir, `${name}-${replica}`)}`] : []);
    let exited = false;
    void proc.exited.then(() => (exited = true));
    for (;;) {
      if (proc.output().includes('"msg":"started"')) break;
      if (exited || performance.now() - t0 > 180_000) throw new Error(`${name} (replica ${replica}) did not start:\n${proc.output().slice(-3000)}`);
      await sleep(50);
    }
    const running = { name, replica, proc, startupMs: performance.now() - t0 };
    this.services.push(running);
    return running;
  }

  /** POST records to the API as NDJSON (forwarded to the ingest service, which produces them to raw). */
  async push(records: IngestRecord[], timeoutMs = 65_000): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${this.ports.api}/api/v1/documents`, {
      method: "POST",
      signal: AbortSignal.timeout(timeoutMs),
      headers: { authorization: `Bearer ${this.pushToken}`, "content-type": "application/x-ndjson" },
      body: records.map((r) => JSON.stringify(r)).join("\n"),
    });
    const body = await res.text();
    if (res.status !== 202) {
      const retryAfter = Number(res.headers.get("retry-after") ?? Number.NaN);
      throw new PushRefused(res.status, Number.isFinite(retryAfter) ? retryAfter : undefined, `push of ${records.length} records answered ${res.status}: ${body.slice(0, 500)}`);
    }
    const report = JSON.parse(body) as { accepted?: number; rejected?: unknown[] };
    if (report.accepted !== records.length) throw new Error(`push of ${records.length} records accepted ${report.accepted}: ${body.slice(0, 500)}`);
  }

  /**
   * Push in requests of `perRequest` records, `concurrency` at a time, as a well-behaved client does: a 503 with
   * Retry-After (overload) is sent again after the time asked, at most 10 times per request. Resolves to the retries.
   */
  async pushAll(records: IngestRecord[], perRequest = 1_000, concurrency = 4): Promise<{ retries: number }> {
    const chunks: IngestRecord[][] = [];
    for (let i = 0; i < records.length; i += perRequest) chunks.push(records.slice(i, i + perRequest));
    let next = 0;
    let retries = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < chunks.length) {
          const chunk = chunks[next++]!;
          for (let attempt = 0; ; attempt++) {
            try {
              await this.push(chunk);
              break;
            } catch (error) {
              if (!(error instanceof PushRefused) || error.status !== 503 || error.retryAfterS === undefined || attempt >= 10) throw error;
              retries++;
              await sleep(error.retryAfterS * 1000);
            }
          }
        }
      }),
    );
    return { retries };
  }

  /** Documents visible to search now (no forced refresh: the index's own refresh interval applies). */
  async searchable(): Promise<number> {
    const res = await this.es.count({ index: documentsAlias(this.indexPrefix), ignore_unavailable: true, allow_no_indices: true });
    return res.count;
  }

  /** Uncommitted records per stage (consumer group of the stage on its topic). */
  async lags(): Promise<Record<string, number>> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const admin = this.admin;
    const out: Record<string, number> = {};
    await Promise.all(
      STAGES.map(async ({ service, topic }) => {
        out[service] = (await groupLag(admin, `${this.topicPrefix}${service}`, topicName(this.topicPrefix, topic))).total;
      }),
    );
    return out;
  }

  /** Live alerts of level I or II as the API shows them to a duty officer. */
  async alerts(): Promise<{ title: string; level: string | null; incidentId: string }[]> {
    const res = await fetch(`http://127.0.0.1:${this.ports.api}/api/v1/alerts?limit=2000`, { headers: { authorization: `Bearer ${this.user.token}` } });
    if (!res.ok) throw new Error(`GET /api/v1/alerts answered ${res.status}`);
    return ((await res.json()) as { alerts: { title: string; level: string | null; incidentId: string }[] }).alerts;
  }

  /**
   * Why a story has no II alert on the duty board: what the detector made of it (incident, level, merged) and the
   * alert. An incident not titled with the story's name that still holds its posts (e.g. its 首发 joined another
   * story) is named with its own title.
   */
  async storyState(name: string): Promise<string> {
    const res = await this.es
      .search<{ title?: string; level?: string | null; status?: string; mergedInto?: string | null; volume?: number }>({ index: `${this.indexPrefix}incidents`, size: 2_000 }, { ignore: [404] })
      .catch(() => undefined);
    const hits = (res?.hits?.hits ?? []).flatMap((h) => (h._source ? [h._source] : []));
    const titled = hits.filter((i) => i.title?.includes(name));
    const holding = titled.length > 0 ? [] : hits.filter((i) => JSON.stringify(i).includes(name));
    const alert = (await this.alerts().catch(() => [])).find((a) => a.title.includes(name));
    const describe = (i: (typeof hits)[number]) => `level ${i.level ?? "none"}, ${i.status}${i.mergedInto ? ` (merged into ${i.mergedInto})` : ""}, ${i.volume} posts`;
    const incidentText =
      titled.length > 0
        ? titled.map((i) => `incident ${describe(i)}`).join("; ")
        : holding.length > 0
          ? `no incident titled with it; its posts are in ${holding.map((i) => `"${i.title ?? "?"}" (${describe(i)})`).join("; ")}`
          : "no incident titled with it or holding its posts";
    return `${incidentText}; ${alert ? `alert level ${alert.level ?? "none"}` : "no alert"}`;
  }

  /** Each stage as the unauthenticated health endpoint shows it (what the duty board's strip shows). */
  async health(): Promise<StageState[]> {
    const res = await fetch(`http://127.0.0.1:${this.ports.api}/api/v1/health`);
    const body = (await res.json()) as { stages?: { service: string; lag: number | null; replicas: number; stuck?: unknown; group?: { rebalances: number; abandoned: number } }[] };
    return (body.stages ?? []).map((s) => ({ service: s.service, lag: s.lag, replicas: s.replicas, stuck: s.stuck !== undefined, rebalances: s.group?.rebalances ?? 0, abandoned: s.group?.abandoned ?? 0 }));
  }

  /**
   * Wait until the consumer group of each of `services` has `members` members and is stable (the partitions are
   * spread over them), or `timeoutMs`; resolves to the groups that are not there yet (empty when all are).
   */
  async groupsSettled(services: PipelineService[], members: number, timeoutMs: number): Promise<string[]> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const admin = this.admin;
    const ids = services.map((s) => `${this.topicPrefix}${s}`);
    let pending = ids;
    await until(
      async () => {
        const { groups } = await admin.describeGroups(ids);
        pending = ids.filter((id) => {
          const g = groups.find((x) => x.groupId === id);
          return !g || g.state !== "Stable" || g.members.length < members;
        });
        return pending.length === 0;
      },
      timeoutMs,
      500,
    );
    return pending.map((id) => id.slice(this.topicPrefix.length));
  }

  /** CPU seconds and RSS per running process, keyed `name` or `name#replica`. */
  stats(): Record<string, { rssMB: number; cpuS: number }> {
    const out: Record<string, { rssMB: number; cpuS: number }> = {};
    for (const s of this.services) {
      const stat = procStat(s.proc.pid);
      if (stat) out[s.replica === 1 ? s.name : `${s.name}#${s.replica}`] = stat;
    }
    return out;
  }

  /** "STAGE STUCK" or "batch failed, retrying" lines any process printed. */
  troubles(): string[] {
    return this.services.filter((s) => /STAGE STUCK|batch failed, retrying/.test(s.proc.output())).map((s) => (s.replica === 1 ? s.name : `${s.name}#${s.replica}`));
  }

  async stop(): Promise<void> {
    await Promise.all(this.services.map((s) => s.proc.stop()));
    await this.admin?.disconnect().catch(() => undefined);
    await this.es.indices.delete({ index: `${this.indexPrefix}*` }).catch(() => undefined);
    await this.es.indices.deleteIndexTemplate({ name: `${this.indexPrefix}*` }).catch(() => undefined);
    const admin = this.kafka.admin();
    await admin.connect().catch(() => undefined);
    const mine = (await admin.listTopics().catch(() => [] as string[])).filter((t: string) => t.startsWith(this.topicPrefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await this.es.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
