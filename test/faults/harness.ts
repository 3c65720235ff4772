import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { parse as parseYaml } from "yaml";
import { repoRoot } from "@liaowang/config";
import { createKafka } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { DeadLetter, topicName } from "@liaowang/schemas";
import { createEsClient, type Client } from "@liaowang/es";
import { startReceiver, type ReceivedRequest, type Receiver } from "@liaowang/notify/testing";
import { freePort, privateStackReady, ServiceGroup, startEsProxy, waitFor, type EsProxy, type PipelineService } from "@liaowang/testing";
import { runCaptured } from "../../packages/cli/src/capture.js";
import type { ListedAlert } from "../../packages/cli/src/alerts.js";
import { backgroundPosts, explosionPosts, type StreamRecord } from "../fixtures/incidents/stream.js";

// One fault case = a fresh pipeline (all six services, unique topic and index prefixes) on the fault suite's
// private stack, a local webhook receiver standing in for every department, and the known stream: the graded
// local explosion (12 deaths in two sources → II, 长沙县), unrelated posts and a burst of wage-arrears posts.

export const SECRETS = {
  ingestToken: "faults-ingest-push-token-7f3a9c",
  ackSecret: "faults-ack-secret-b81d44e0c2f94a6e9d1c",
  apiToken: "faults-alerter-api-token-5c2e8d1f",
  webhookSecret: "faults-webhook-secret-e93b17a4",
};

/** Every secret the cases hand to the services: none may ever appear in a log line. */
export const SECRET_VALUES = Object.values(SECRETS);

/** Who hears of a II incident in 长沙县: the responsible department and the four co-notified ones. */
export const MAJOR_AUDIENCE = ["emergency", "propaganda", "cyberspace", "police", "telecom"];

const SERVICES: PipelineService[] = ["ingest", "enrich", "indexer", "detector", "alerter", "api"];

/** The burst: one wage-arrears story from many sources within minutes (the explosion's clock is what is checked). */
function burstPosts(now: number, count: number): StreamRecord[] {
  const sources = ["12345热线", "人民网留言板", "微博网友", "抖音用户", "今日头条", "红网论坛"];
  return Array.from({ length: count }, (_, i) => ({
    source: `${sources[i % sources.length]}${i}`,
    text: `岳麓区麓谷某建筑工地第${i + 1}位农民工反映被拖欠工资${3 + (i % 7)}个月共计${2 + i}万元，工友${10 + i}人聚集讨薪，请求人社部门介入。`,
    publishedAt: new Date(now - (count - i) * 8_000).toISOString(),
    region: "湖南省长沙市岳麓区",
  }));
}

/** A webhook request and what the receiver answered. */
export interface Delivery {
  path: string;
  key: string;
  status: number;
  at: number;
}

/** Delivery status of one outbox entry, as the alerter reports it per alert. */
export interface DeliveryEntry {
  idempotencyKey: string;
  channel: string;
  targetId: string;
  state: "pending" | "sending" | "sent" | "failed" | "dead";
  attempts: number;
  lastError: string | null;
}

export interface CaseOptions {
  /** How far after the start the explosion's 5 h deadline falls (the T-45s, T-25s and overdue reminders precede it). */
  deadlineInMs: number;
  burst?: number;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Log a measured figure so the run prints it. */
export function report(line: string): void {
  process.stderr.write(`[faults] ${line}\n`);
}

export class FaultCase {
  readonly env: Record<string, string>;
  readonly topicPrefix: string;
  readonly indexPrefix: string;
  readonly es: Client;
  readonly group: ServiceGroup;
  readonly deliveries: Delivery[] = [];
  records: StreamRecord[] = [];
  deadlineAt = 0;
  onset = 0;
  /** Per path: the status the receiver answers (200 by default). */
  readonly replies = new Map<string, number>();
  private readonly dir: string;

  private constructor(
    readonly label: string,
    readonly stackDir: string,
    readonly proxy: EsProxy,
    private readonly receiver: Receiver,
    readonly ports: { ingest: number; alerter: number; api: number },
    private readonly options: CaseOptions,
  ) {
    const stack = inject("faultStack");
    const unique = `${label}-${Date.now().toString(36)}`;
    this.topicPrefix = `f.${unique}.`;
    this.indexPrefix = `f-${unique}-`;
    this.dir = mkdtempSync(join(tmpdir(), `liaowang-fault-${label}-`));
    this.writeConfig();
    this.env = {
      LIAOWANG_KAFKA_BROKERS: `127.0.0.1:${stack.kafkaPort}`,
      LIAOWANG_ES_URL: proxy.url,
      LIAOWANG_TOPIC_PREFIX: this.topicPrefix,
      LIAOWANG_INDEX_PREFIX: this.indexPrefix,
      LIAOWANG_KAFKA_SESSION_TIMEOUT_MS: "8000",
      LOG_LEVEL: "info",
      LIAOWANG_INGEST_TOKENS: SECRETS.ingestToken,
      INGEST_HTTP_PORT: String(ports.ingest),
      INGEST_SOURCES_FILE: "none",
      ALERTER_HTTP_PORT: String(ports.alerter),
      ALERTER_ACK_SECRET: SECRETS.ackSecret,
      ALERTER_API_TOKEN: SECRETS.apiToken,
      ALERTER_SCAN_SCHEDULE: "* * * * * *",
      ALERTER_OUTBOX_LEASE_MS: "5000",
      ALERTER_DEPARTMENTS_FILE: join(this.dir, "departments.json"),
      ALERTER_NOTIFY_FILE: join(this.dir, "notify.json"),
      ALERTER_ESCALATION_FILE: join(this.dir, "escalation.json"),
      API_HTTP_PORT: String(ports.api),
      DETECTOR_TICK_SCHEDULE: "*/5 * * * * *",
      WEBHOOK_SECRET: SECRETS.webhookSecret,
    };
    this.es = createEsClient({ node: `http://127.0.0.1:${stack.esPort}`, indexPrefix: this.indexPrefix });
    this.group = new ServiceGroup(this.env, SERVICES);
    receiver.respond((req) => this.answer(req));
  }

  /** Start a case: proxy, receiver, config and the six services. */
  static async start(label: string, options: CaseOptions): Promise<FaultCase> {
    const stack = inject("faultStack");
    await privateStackReady(stack);
    const proxy = await startEsProxy(`http://127.0.0.1:${stack.esPort}`);
    const receiver = await startReceiver();
    const ports = { ingest: await freePort(), alerter: await freePort(), api: await freePort() };
    const c = new FaultCase(label, stack.dir, proxy, receiver, ports, options);
    const started = Date.now();
    await c.group.startAll();
    report(`${label}: six services started in ${seconds(Date.now() - started)} s`);
    c.plan(Date.now());
    return c;
  }

  /** The stream, timed from now: the explosion's 5 h deadline falls `deadlineInMs` from now. */
  private plan(now: number): void {
    this.deadlineAt = now + this.options.deadlineInMs;
    this.onset = this.deadlineAt - 5 * 3_600_000;
    this.records = [...explosionPosts(new Date(this.onset)), ...backgroundPosts(new Date(this.onset)), ...burstPosts(now, this.options.burst ?? 30)];
  }

  private answer(req: ReceivedRequest): { status: number; body: string } {
    const status = this.replies.get(req.path) ?? 200;
    this.deliveries.push({ path: req.path, key: String(req.headers["idempotency-key"] ?? ""), status, at: Date.now() });
    return { status, body: status < 300 ? '{"ok":true}' : '{"error":"receiver failing (fault injection)"}' };
  }

  /** The repo's departments with a signed webhook each to /hooks/<id>; opening notices and three reminders. */
  private writeConfig(): void {
    const departments = parseYaml(readFileSync(join(repoRoot, "config", "departments.yaml"), "utf8")) as {
      departments: { id: string; targets?: string[]; people?: { email?: string; mobile?: string }[] }[];
    };
    const targets: Record<string, { channel: "webhook"; url: string; secret: string }> = {};
    for (const d of departments.departments) {
      targets[`hook-${d.id}`] = { channel: "webhook", url: `${this.receiver.baseUrl}/hooks/${d.id}`, secret: "${WEBHOOK_SECRET}" };
      d.targets = [`hook-${d.id}`];
      // people stay (the roster names them) without mail or phone: every notice goes to the department webhooks
      for (const person of d.people ?? []) {
        delete person.email;
        delete person.mobile;
      }
    }
    writeFileSync(join(this.dir, "departments.json"), JSON.stringify(departments));
    writeFileSync(join(this.dir, "notify.json"), JSON.stringify({ timeoutMs: 3_000, targets }));
    writeFileSync(
      join(this.dir, "escalation.json"),
      JSON.stringify({
        onOpen: [
          { department: "responsible", audience: "group" },
          { department: "co", audience: "group" },
        ],
        reminders: {
          points: [
            { at: "-45s", label: "T-45s" },
            { at: "-25s", label: "T-25s" },
            { at: "0", label: "overdue" },
          ],
          notify: [{ department: "responsible", audience: "group" }],
        },
        policies: [],
      }),
    );
  }

  /** Push records to ingest as a client would: retry until accepted (a 503 while Kafka is down, a refused connection while ingest restarts). */
  async push(records: StreamRecord[]): Promise<void> {
    const body = `${records.map((r) => JSON.stringify(r)).join("\n")}\n`;
    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${this.ports.ingest}/api/v1/documents`, {
          method: "POST",
          headers: { authorization: `Bearer ${SECRETS.ingestToken}`, "content-type": "application/x-ndjson" },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (response.status === 202) return true;
        if (response.status >= 500) return false;
        throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      },
      { timeoutMs: 180_000, intervalMs: 500, what: `ingest to accept ${records.length} records` },
    );
  }

  /** The stream in `chunks` pushes; `between(i)` runs after chunk i (where a case breaks something). */
  async stream(chunks: number, between: (i: number) => Promise<void> = async () => undefined): Promise<void> {
    const size = Math.ceil(this.records.length / chunks);
    // interleave so every chunk carries part of the explosion and part of the burst
    const order = [...this.records.keys()].sort((a, b) => (a % chunks) - (b % chunks) || a - b);
    for (let i = 0; i < chunks; i++) {
      await this.push(order.slice(i * size, (i + 1) * size).map((k) => this.records[k] as StreamRecord));
      await between(i);
    }
  }

  /** The content-derived ids the stream must end up with, one document each. */
  expectedDocuments(): number {
    return new Set(this.records.map((r) => createHash("sha256").update(r.text).digest("hex"))).size;
  }

  async indexed(): Promise<{ count: number; ids: number }> {
    const index = `${this.indexPrefix}docs`;
    if (!(await this.es.indices.exists({ index }))) return { count: 0, ids: 0 };
    await this.es.indices.refresh({ index });
    const count = (await this.es.count({ index })).count;
    const ids = await this.es.search({ index, size: 0, aggs: { ids: { cardinality: { field: "id", precision_threshold: 40_000 } } } });
    return { count, ids: (ids.aggregations?.ids as { value: number }).value };
  }

  async alerts(): Promise<ListedAlert[]> {
    const result = await runCaptured(["alerts", "--json"], { ...this.env, LIAOWANG_ES_URL: `http://127.0.0.1:${inject("faultStack").esPort}` });
    if (result.code !== 0) throw new Error(result.stderr);
    return (JSON.parse(result.stdout) as { alerts: ListedAlert[] }).alerts;
  }

  /** The explosion's alerts (there must be exactly one). */
  async explosionAlerts(): Promise<ListedAlert[]> {
    return (await this.alerts()).filter((a) => a.title.includes("化工"));
  }

  /** Delivery status per target of one alert, from the alerter's API. */
  async delivery(alertId: string): Promise<DeliveryEntry[]> {
    const response = await fetch(`http://127.0.0.1:${this.ports.alerter}/alerts/${encodeURIComponent(alertId)}`, { headers: { authorization: `Bearer ${SECRETS.apiToken}` } });
    if (!response.ok) throw new Error(`alerter answered ${response.status}`);
    return ((await response.json()) as { delivery: DeliveryEntry[] }).delivery;
  }

  /**
   * Wait until the pipeline has caught up: every document indexed, one II alert for the explosion counted from the
   * 首发, and its opening notice delivered to the responsible department. Returns the seconds it took.
   */
  async caughtUp(since: number, timeoutMs = 150_000): Promise<number> {
    const expected = this.expectedDocuments();
    await waitFor(
      async () => {
        const { count } = await this.indexed();
        if (count < expected) return false;
        const alerts = await this.explosionAlerts();
        const blast = alerts.find((a) => a.level === "II" && Date.parse(a.onsetAt) === this.onset);
        return blast !== undefined && this.deliveries.some((d) => d.path === "/hooks/emergency" && d.status < 300 && d.key.startsWith(`${blast.id}:`) && d.key.endsWith(":new"));
      },
      { timeoutMs, intervalMs: 500, what: `${this.label}: ${expected} documents indexed and the explosion's II alert delivered` },
    );
    return seconds(Date.now() - since);
  }

  /**
   * The exact-count checks every case ends with, once the explosion's deadline has passed: every document indexed
   * once by id, one incident alert for the explosion, and every notification step received exactly once (2xx) by
   * its department, matching the alerter's outbox entry by entry.
   */
  async verifyExactlyOnce(options: { reminders: boolean }): Promise<{ alert: ListedAlert; delivery: DeliveryEntry[] }> {
    const expected = this.expectedDocuments();
    const blastId = await waitFor(async () => (await this.explosionAlerts())[0]?.id, { what: "the explosion alert" });
    if (options.reminders) {
      // the overdue reminder falls at the deadline; give the scan and dispatch time beyond it
      await waitFor(async () => this.deliveries.some((d) => d.status < 300 && d.key.startsWith(`${blastId}:`) && d.key.includes(":reminder:authoritative_info:overdue:")), {
        timeoutMs: Math.max(0, this.deadlineAt - Date.now()) + 60_000,
        intervalMs: 500,
        what: `${this.label}: the overdue reminder`,
      });
    } else {
      await waitFor(async () => MAJOR_AUDIENCE.every((d) => this.receivedSteps(blastId, d).length > 0), { timeoutMs: 60_000, what: `${this.label}: notices to the five departments` });
    }
    // anything sent twice would arrive within a few more scan rounds
    await new Promise((r) => setTimeout(r, 4_000));

    const { count, ids } = await this.indexed();
    if (count !== expected || ids !== expected) throw new Error(`${this.label}: ${count} documents (${ids} distinct ids) indexed, expected ${expected} once each`);
    const blasts = await this.explosionAlerts();
    if (blasts.length !== 1) throw new Error(`${this.label}: ${blasts.length} alerts for the explosion: ${JSON.stringify(blasts.map((a) => [a.id, a.title]))}`);
    const alert = blasts[0] as ListedAlert;
    const incidents = await this.es.search({
      index: `${this.indexPrefix}incidents`,
      size: 20,
      query: { bool: { must: [{ match_phrase: { title: "化工" } }], must_not: [{ term: { status: "merged" } }] } },
    });
    const incidentIds = incidents.hits.hits.map((h) => h._id);
    if (incidentIds.length !== 1 || incidentIds[0] !== alert.incidentId) throw new Error(`${this.label}: explosion incidents ${JSON.stringify(incidentIds)}, alert for ${alert.incidentId}`);

    // no (receiver, idempotency key) ever accepted twice, across every alert of the case
    const accepted = this.deliveries.filter((d) => d.status < 300).map((d) => `${d.path} ${d.key}`);
    const twice = accepted.filter((k, i) => accepted.indexOf(k) !== i);
    if (twice.length > 0) throw new Error(`${this.label}: delivered more than once: ${JSON.stringify(twice)}`);

    const delivery = await this.delivery(alert.id);
    for (const entry of delivery) {
      const path = `/hooks/${entry.targetId.replace(/^hook-/, "")}`;
      const got = this.deliveries.filter((d) => d.path === path && d.key === entry.idempotencyKey && d.status < 300).length;
      if ((entry.state === "sent" ? 1 : 0) !== got) throw new Error(`${this.label}: ${entry.idempotencyKey} → ${path} is ${entry.state} in the outbox but was received ${got} time(s)`);
    }
    return { alert, delivery };
  }

  /** Poison on every topic: bytes that are not JSON, JSON of the wrong shape, and an empty value. */
  async poisonEveryTopic(): Promise<number> {
    const log = createLogger({ service: "faults-test", level: "warn" });
    const kafka = createKafka({ brokers: [this.env.LIAOWANG_KAFKA_BROKERS as string], clientId: "faults-poison", topicPrefix: this.topicPrefix }, log);
    const producer = kafka.producer();
    await producer.connect();
    const poison = [{ value: "{not json \u0000 at all" }, { value: JSON.stringify({ v: 1, id: 42, text: ["wrong", "shape"] }) }, { value: null }];
    const names = ["raw", "enriched", "incidents", "alertEvents", "deadLetter"] as const;
    for (const name of names) await producer.send({ topic: topicName(this.topicPrefix, name), messages: poison.map((m, i) => ({ key: `poison-${i}`, value: m.value })) });
    await producer.disconnect();
    return poison.length;
  }

  /** Dead letters on the case's dead-letter topic, distinct by where the record was. */
  async deadLetters(): Promise<DeadLetter[]> {
    const log = createLogger({ service: "faults-test", level: "warn" });
    const kafka = createKafka({ brokers: [this.env.LIAOWANG_KAFKA_BROKERS as string], clientId: "faults-dlq", topicPrefix: this.topicPrefix }, log);
    const admin = kafka.admin();
    await admin.connect();
    const topic = topicName(this.topicPrefix, "deadLetter");
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    const consumer = kafka.consumer({ groupId: `${this.topicPrefix}dlq-reader-${Date.now()}` });
    const letters = new Map<string, DeadLetter>();
    let seen = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen++;
        // the poison written to the dead-letter topic itself is there too, and is not a dead letter
        let json: unknown = null;
        try {
          json = JSON.parse(message.value?.toString() || "null");
        } catch {
          return;
        }
        const parsed = DeadLetter.safeParse(json);
        if (parsed.success) letters.set(`${parsed.data.service} ${parsed.data.topic} ${parsed.data.partition} ${parsed.data.offset}`, parsed.data);
      },
    });
    try {
      await waitFor(async () => seen >= total, { what: `${total} dead-letter records read` });
    } finally {
      await consumer.disconnect();
    }
    return [...letters.values()];
  }

  /** The notification steps of the explosion alert received (2xx) by one department, as key suffixes. */
  receivedSteps(alertId: string, department: string): string[] {
    return this.deliveries
      .filter((d) => d.path === `/hooks/${department}` && d.status < 300 && d.key.startsWith(`${alertId}:`))
      .map((d) => d.key.slice(alertId.length + 1).replace(/:\d{4}-\d\d-\d\dT[\d:.]+Z$/, ""))
      .sort();
  }

  /**
   * The five departments heard of the II explosion once: the responsible one by the opening notice (the alert may
   * open ungraded and be regraded when the casualty figures arrive, which it then also hears), each co-notified one
   * by the opening notice if it was II from the start, else by the regrade notice.
   */
  majorNotices(alertId: string): Record<string, string[]> {
    return Object.fromEntries(MAJOR_AUDIENCE.map((d) => [d, this.receivedSteps(alertId, d).filter((s) => s === "g0:new" || s === "g0:regrade")]));
  }

  /** Write every incarnation's output to a temp file (for a failing case) and return its path. */
  saveLogs(): string {
    const file = join(tmpdir(), `liaowang-faults-${this.label}.log`);
    writeFileSync(file, this.group.output());
    return file;
  }

  async close(): Promise<void> {
    await this.group.stopAll();
    await this.receiver.close();
    await this.proxy.close();
    await this.es.indices.delete({ index: `${this.indexPrefix}*` }).catch(() => undefined);
    await this.es.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
