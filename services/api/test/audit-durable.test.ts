import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountStore, AuditLog, authIndices, SessionStore } from "@liaowang/auth";
import { createEsClient } from "@liaowang/es";
import { createLogger } from "@liaowang/logger";
import { isolatedEnv } from "@liaowang/testing";
import { AlerterClient } from "../src/alerter-client.js";
import { buildApp, type ApiApp } from "../src/app.js";
import { SignIn } from "../src/auth/session-auth.js";
import { newToken, tokenHash, UserDirectory } from "../src/auth/users.js";
import { ReadStore } from "../src/store/read-store.js";

// The security audit of an API change is on record before the change is made: an `attempted` record first (no
// record, no change: 503), the outcome before the answer leaves. On the real Elasticsearch, in-process app.

const { env, indexPrefix } = isolatedEnv("audit-durable");
const es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
const log = createLogger({ service: "audit-durable-test", level: "silent" });
const auditIndex = authIndices(indexPrefix).audit;
const audit = new AuditLog(es, auditIndex);
const token = newToken();
let app: ApiApp;

beforeAll(async () => {
  await audit.init();
  const accounts = new AccountStore(es, authIndices(indexPrefix).accounts);
  const sessions = new SessionStore(es, authIndices(indexPrefix).sessions, { idleMs: 60_000, absoluteMs: 60_000 });
  const signIn = new SignIn({ accounts, sessions, audit, clock: () => new Date(), settings: { maxFailures: 5, lockMs: 60_000, perSourceLimit: 30, windowMs: 60_000, secureCookie: "auto", absoluteMs: 60_000 } });
  app = await buildApp({
    es,
    indexPrefix,
    store: new ReadStore(es, indexPrefix, log),
    users: new UserDirectory([{ id: "p-analyst-9", name: "分析员", roles: ["analyst"], tokens: [tokenHash(token)] }]),
    alerter: new AlerterClient("http://127.0.0.1:9", undefined),
    searchTerms: (q) => [q],
    departments: undefined,
    maxLiveAlerts: 10,
    ingest: { url: "http://127.0.0.1:9", maxBytes: 1024, tokens: [] },
    log,
    auth: { signIn, accounts, audit },
  });
});

afterAll(async () => {
  await app?.close();
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

const save = (name: string) => app.inject({ method: "POST", url: "/api/v1/saved-searches", headers: { authorization: `Bearer ${token}` }, payload: { name, filters: { q: "欠薪" } } });
const savedNames = async () => ((await app.inject({ method: "GET", url: "/api/v1/saved-searches", headers: { authorization: `Bearer ${token}` } })).json() as { searches: { name: string }[] }).searches.map((s) => s.name);

describe("audit before the answer", () => {
  it("records the attempt before the change and the outcome before answering", async () => {
    const res = await save("欠薪");
    expect(res.statusCode).toBe(201);
    // no waiting: both records are stored by the time the answer arrived
    const records = (await audit.list({ actor: "p-analyst-9", action: "POST /api/v1/saved-searches" })).reverse();
    expect(records.map((r) => r.outcome)).toEqual(["attempted", "ok"]);
    expect(records[1]?.details).toMatchObject({ status: 201, attempt: records[0]?.seq });
    expect((await audit.verify()).ok).toBe(true);
  });

  it("refuses the change (503, nothing changed) when the audit cannot be written", async () => {
    await es.indices.putSettings({ index: auditIndex, settings: { "index.blocks.write": true } });
    try {
      const res = await save("写不进审计");
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: "unavailable", message: expect.stringContaining("security audit") });
    } finally {
      await es.indices.putSettings({ index: auditIndex, settings: { "index.blocks.write": false } });
    }
    expect(await savedNames()).toEqual(["欠薪"]);
    expect((await save("审计恢复后")).statusCode).toBe(201);
    expect((await savedNames()).sort()).toEqual(["审计恢复后", "欠薪"].sort());
  });
});
