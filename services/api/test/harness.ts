import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { repoRoot } from "@liaowang/config";
import { createEsClient, type Client } from "@liaowang/es";
import { createKafka, createProducer, ensureTopics, type TypedProducer } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import type { Incident } from "@liaowang/schemas";
import { freePort, isolatedEnv, spawnService, waitFor, type SpawnedService, tempDir } from "@liaowang/testing";
import type { z } from "zod";
import type { AlertBody, AlertsBody, AuditBody, ErrorBody, SearchBody, TransitionResult, TrendsBody } from "../src/api-schemas.js";
import { newToken, tokenHash } from "../src/auth/users.js";

export type ErrorResponse = z.infer<typeof ErrorBody>;
export type AlertsResponse = z.infer<typeof AlertsBody>;
export type AlertResponse = z.infer<typeof AlertBody>;
export type AuditResponse = z.infer<typeof AuditBody>;
export type SearchResponse = z.infer<typeof SearchBody>;
export type TrendsResponse = z.infer<typeof TrendsBody>;
export type TransitionResponse = z.infer<typeof TransitionResult>;

// The API on the real stack: the alerter (as a real process) turns incidents produced on Kafka into stored
// alerts and applies transitions; the API reads Elasticsearch and forwards transitions to it. Incidents are also
// written to the incident index in the detector's shape (one document per incident id).

const H = 3_600_000;
export const ALERTER_TOKEN = "api-test-alerter-token-0123456789";
/** The push-ingestion token the ingest service accepts in these tests. */
export const PUSH_TOKEN = "api-test-push-token-0123456789abcdef";

/** A test user with a fresh token. */
export interface TestUser {
  id: string;
  name: string;
  roles: string[];
  department?: string;
  token: string;
}

function user(id: string, name: string, roles: string[], department?: string): TestUser {
  return { id, name, roles, ...(department ? { department } : {}), token: newToken() };
}

/** One user per role (plus a second department head), their tokens known to the test only as plain text. */
export function testUsers() {
  return {
    duty: user("p-duty-1", "值班员张三", ["duty_officer"]),
    analyst: user("p-analyst-1", "分析员王五", ["analyst"]),
    hrssHead: user("p-hrss-head", "人社局负责人李四", ["dept_head"], "hrss"),
    // 三员分立: three administrators, each with one function.
    admin: user("p-sysadmin", "系统管理员", ["sys_admin"]),
    secAdmin: user("p-secadmin", "安全管理员", ["sec_admin"]),
    auditAdmin: user("p-auditadmin", "审计管理员", ["audit_admin"]),
  };
}

/** The API_USERS value for users: hashes only, as config/users.yaml holds them. */
export function usersEnv(users: Record<string, TestUser>): string {
  return JSON.stringify({
    users: Object.values(users).map((u) => ({ id: u.id, name: u.name, roles: u.roles, ...(u.department ? { department: u.department } : {}), tokens: [tokenHash(u.token)] })),
  });
}

/** An incident in the detector's message shape, `onsetHoursAgo` before now. */
export function incident(n: number, fields: { title: string; level: Incident["level"]; topic: string; keywords: string[]; onsetHoursAgo: number; gradeReason?: string }): Incident {
  const now = Date.now();
  const onsetAt = new Date(now - fields.onsetHoursAgo * H).toISOString();
  const at = new Date(now).toISOString();
  const post = { docId: `d${n}`, source: "微博", url: `https://weibo.example/p/${n}`, title: fields.title, snippet: `${fields.title}，网民持续关注。`, publishedAt: onsetAt };
  return {
    v: 1,
    id: `inc-${createHash("sha256").update(`api-test-${n}`).digest("hex").slice(0, 16)}`,
    revision: 1,
    status: "open",
    changes: ["opened"],
    mergedFrom: [],
    title: fields.title,
    openedAt: at,
    updatedAt: at,
    onsetAt,
    firstSource: post,
    lastActivityAt: at,
    level: fields.level,
    gradeReason: fields.gradeReason ?? (fields.level ? `按阈值定为 ${fields.level}` : "未达到分级阈值"),
    gradeHistory: fields.level ? [{ at, from: null, to: fields.level, reason: fields.gradeReason ?? "初次定级" }] : [],
    topics: [{ id: fields.topic, score: 0.9 }],
    regions: [{ code: "430104", name: "岳麓区", level: "county", province: "湖南省", count: 3 }],
    keywords: fields.keywords.map((word, i) => ({ word, weight: 1 - i * 0.1 })),
    sources: { count: 3, names: ["微博", "今日头条", "本地论坛"] },
    volume: 9,
    velocity: 3,
    figures: [],
    representativeDocs: [post],
    watchMatches: [],
    bursts: [],
    timeline: [{ at: onsetAt, kind: "first_post", text: `首发：${fields.title}`, docId: `d${n}`, source: "微博" }],
  };
}

/** A request to the API: a string body is sent as is (with `contentType`), anything else as JSON. */
export interface CallOptions {
  token?: string | undefined;
  method?: string;
  body?: unknown;
  contentType?: string;
}

/** A running API (and alerter) on an isolated slice of the test stack. */
export interface Stack {
  env: Record<string, string>;
  indexPrefix: string;
  es: Client;
  producer: TypedProducer;
  apiUrl: string;
  services: SpawnedService[];
  /** fetch an API path with a bearer token (or none). */
  call<T = ErrorResponse>(path: string, options?: CallOptions): Promise<{ status: number; body: T }>;
  /** Produce incidents and write them where the detector keeps them; resolves when the alerter opened their alerts. */
  seedIncidents(incidents: Incident[]): Promise<void>;
  stop(): Promise<void>;
}

/** Secret of the webhook target in tests that notify. */
export const WEBHOOK_SECRET = "api-test-webhook-secret-0123";

/**
 * The shipped departments with one department given a webhook target pointing at a local receiver, and the notify
 * config defining it: the alerter really sends, the API shows delivery status.
 */
function notifyingConfig(department: string, receiverUrl: string): Record<string, string> {
  const dir = tempDir("liaowang-api-test-");
  const departments = parseYaml(readFileSync(join(repoRoot, "config", "departments.yaml"), "utf8")) as { departments: { id: string; targets?: string[] }[] };
  for (const d of departments.departments) if (d.id === department) d.targets = ["test-hook"];
  writeFileSync(join(dir, "departments.yaml"), toYaml(departments));
  writeFileSync(join(dir, "notify.yaml"), toYaml({ timeoutMs: 3_000, targets: { "test-hook": { channel: "webhook", url: `${receiverUrl}/hooks/${department}`, secret: WEBHOOK_SECRET } } }));
  return { ALERTER_DEPARTMENTS_FILE: join(dir, "departments.yaml"), ALERTER_NOTIFY_FILE: join(dir, "notify.yaml"), API_DEPARTMENTS_FILE: join(dir, "departments.yaml") };
}

/** Start the alerter and the API (optionally ingest + enrich + indexer too) with unique prefixes. */
export async function startStack(
  label: string,
  options: { users: Record<string, TestUser>; pipeline?: boolean; demoToken?: string; notify?: { department: string; receiverUrl: string }; env?: Record<string, string>; beforeStart?: (es: Client, indexPrefix: string) => Promise<void>; apiEnv?: Record<string, string> },
): Promise<Stack> {
  const { env: base, topicPrefix, indexPrefix } = isolatedEnv(label);
  const log = createLogger({ service: `${label}-test`, level: "warn" });
  const kafka = createKafka({ brokers: [base.LIAOWANG_KAFKA_BROKERS!], clientId: `${label}-test`, topicPrefix }, log);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ["raw", "enriched", "incidents", "alert-events", "dead-letter"].map((t) => `${topicPrefix}${t}`));
  await admin.disconnect();
  const producer = await createProducer(kafka, topicPrefix);
  const es = createEsClient({ node: base.LIAOWANG_ES_URL!, indexPrefix });
  await options.beforeStart?.(es, indexPrefix);

  const [alerterPort, apiPort, ingestPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...base,
    ALERTER_URL: `http://127.0.0.1:${alerterPort}`,
    ALERTER_API_TOKEN: ALERTER_TOKEN,
    INGEST_URL: `http://127.0.0.1:${ingestPort}`,
    ...(options.notify ? notifyingConfig(options.notify.department, options.notify.receiverUrl) : {}),
    ...options.env,
  };
  const services: SpawnedService[] = [];
  services.push(spawnService("services/alerter/src/main.ts", { ...env, ALERTER_HTTP_PORT: String(alerterPort), ALERTER_ACK_SECRET: "api-test-ack-secret-0123456789abcdef0123", ALERTER_SCAN_SCHEDULE: "*/5 * * * * *" }));
  if (options.pipeline) {
    services.push(spawnService("services/ingest/src/main.ts", { ...env, INGEST_HTTP_PORT: String(ingestPort), LIAOWANG_INGEST_TOKENS: PUSH_TOKEN, LIAOWANG_DEMO: "off" }));
    services.push(spawnService("services/enrich/src/main.ts", env));
    services.push(spawnService("services/indexer/src/main.ts", env));
  }
  services.push(
    spawnService("services/api/src/main.ts", {
      ...env,
      API_HTTP_PORT: String(apiPort),
      API_USERS: usersEnv(options.users),
      LIAOWANG_INGEST_TOKENS: PUSH_TOKEN,
      ...(options.demoToken ? { LIAOWANG_DEMO: "on", API_DEMO_TOKEN: options.demoToken } : {}),
      ...options.apiEnv,
    }),
  );
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  const call = async <T = ErrorResponse>(path: string, { token, method = "GET", body, contentType }: CallOptions = {}): Promise<{ status: number; body: T }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = contentType ?? "application/json";
    const payload = typeof body === "string" ? body : JSON.stringify(body);
    const res = await fetch(`${apiUrl}${path}`, { method, headers, ...(body !== undefined ? { body: payload } : {}) });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as T };
  };

  const dump = () => services.map((s) => s.output().slice(-4000)).join("\n---\n");
  try {
    await waitFor(async () => (await fetch(`${alerterPort ? `http://127.0.0.1:${alerterPort}` : ""}/healthz`)).ok, { timeoutMs: 90_000, intervalMs: 500, what: "the alerter's HTTP" });
    await waitFor(async () => (await call("/api/v1/health")).status === 200, { timeoutMs: 90_000, intervalMs: 500, what: "the API's health" });
    if (options.pipeline) await waitFor(async () => (await fetch(`http://127.0.0.1:${ingestPort}/api/v1/health`)).ok, { timeoutMs: 90_000, intervalMs: 500, what: "the ingest service's health" });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${dump()}`);
  }

  const anyToken = Object.values(options.users)[0]?.token;
  return {
    env,
    indexPrefix,
    es,
    producer,
    apiUrl,
    services,
    call,
    async seedIncidents(incidents) {
      const index = `${indexPrefix}incidents`;
      // The detector creates this index with explicit, non-dynamic mappings; these are the fields the API queries.
      if (!(await es.indices.exists({ index }))) {
        await es.indices.create({ index, mappings: { dynamic: false, properties: { id: { type: "keyword" }, status: { type: "keyword" }, level: { type: "keyword" }, scope: { type: "keyword" }, lastActivityAt: { type: "date" } } } });
      }
      const bulk = await es.bulk({ refresh: true, operations: incidents.flatMap((i) => [{ index: { _index: index, _id: i.id } }, i]) });
      if (bulk.errors) throw new Error(`seeding incidents failed: ${JSON.stringify(bulk.items.map((i) => i.index?.error).filter(Boolean))}`);
      await producer.send("incidents", incidents);
      const admin = Object.values(options.users).find((u) => u.roles.includes("duty_officer"))?.token ?? anyToken;
      await waitFor(
        async () => {
          const res = await call<AlertsResponse>("/api/v1/alerts?state=new,acknowledged,handling,responded,closed,dismissed&limit=2000", { token: admin });
          const ids = new Set((res.body.alerts ?? []).map((a) => a.incidentId));
          return incidents.every((i) => ids.has(i.id));
        },
        { timeoutMs: 60_000, intervalMs: 500, what: `alerts for ${incidents.length} incidents` },
      );
    },
    async stop() {
      await Promise.all(services.map((s) => s.stop()));
      await producer.disconnect();
      await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
      await es.indices.deleteIndexTemplate({ name: `${indexPrefix}docs` }).catch(() => undefined);
      await es.close();
    },
  };
}

/** Every spawned service's recent output (for failure reports). */
export function outputs(services: SpawnedService[]): string {
  return services.map((s) => s.output().slice(-5000)).join("\n---\n");
}
