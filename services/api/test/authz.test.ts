import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AccountStore, AuditLog, SessionStore } from "@liaowang/auth";
import { createLogger } from "@liaowang/logger";
import { waitFor } from "@liaowang/testing";
import { userCommand, auditCommand } from "../../../packages/cli/src/security.js";
import { AlerterClient } from "../src/alerter-client.js";
import { buildApp, registeredRoutes } from "../src/app.js";
import { SignIn } from "../src/auth/session-auth.js";
import { newToken, UserDirectory } from "../src/auth/users.js";
import { ReadStore } from "../src/store/read-store.js";
import { incident, outputs, PUSH_TOKEN, startStack, testUsers, type Stack, type TestUser } from "./harness.js";
import { indexPosts, post } from "./posts.js";

// The authorisation matrix: every API route × every role, plus no credentials, a forged token, an expired session
// and a cookie request without its CSRF token, each with the expected allow or deny; a department head never reaches
// another department's data. Then password sign-in (lock-out, rotation, sign-out) and the security audit it leaves.

const users = { ...testUsers(), govHead: { id: "p-gov-head", name: "市政府办公室孙主任", roles: ["dept_head"], department: "gov-office", token: newToken() } as TestUser };
// OWN goes to hrss (人社局), OTHER to emergency (应急管理局); gov-office is the parent of both (config/departments.yaml).
const OWN = incident(31, { title: "岳麓区工地农民工反映工资拖欠", level: "IV", topic: "工资拖欠", keywords: ["欠薪", "工资"], onsetHoursAgo: 2 });
const OTHER = incident(32, { title: "岳麓区某化工厂发生爆炸，已造成12人遇难", level: "II", topic: "安全生产", keywords: ["爆炸", "化工厂"], onsetHoursAgo: 1 });
const alertId = (i: { id: string }) => `alert-${i.id}`;
// Posts named by no incident: one within hrss's brief (its topics), one within emergency's.
const HRSS_POST = post(0x31a, { title: "社保卡补办排队", text: "网民反映社保卡补办排队时间长。", at: new Date(Date.now() - 3_600_000).toISOString(), words: ["社保卡"], topic: "工资拖欠", sentiment: -0.4 });
const EM_POST = post(0x32a, { title: "仓库起火", text: "某仓库起火，消防到场处置。", at: new Date(Date.now() - 3_600_000).toISOString(), words: ["起火"], topic: "安全生产", sentiment: -0.5 });
const PASSWORD = "Duty-Desk 2026!";
const IDLE_SECONDS = 6;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack("authz", { users, apiEnv: { API_SESSION_IDLE_SECONDS: String(IDLE_SECONDS), API_SIGNIN_MAX_FAILURES: "3", API_SIGNIN_LOCK_SECONDS: "600" } });
  await indexPosts(stack.es, stack.indexPrefix, [HRSS_POST, EM_POST]);
  await stack.seedIncidents([OWN, OTHER]);
});

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  await stack?.stop();
});

type Who = keyof typeof users;
const ROLES = Object.keys(users) as Who[];

/**
 * One registered route and who may call it. `own` calls it on the data of hrss (OWN, its posts); `other` on the
 * data of emergency (OTHER, its posts), which hrss's head must be refused (403) while every other allowed role
 * (duty officer, analyst, and gov-office's head, parent of both) still passes.
 */
interface Row {
  route: string;
  own: string[];
  other?: string[];
  body?: unknown;
  allowed: Who[];
}

const BUSINESS: Who[] = ["duty", "analyst", "hrssHead", "govHead"];
const HEADS: Who[] = ["hrssHead", "govHead"];
const q = encodeURIComponent;
const MATRIX: Row[] = [
  { route: "GET /api/v1/me", own: ["/api/v1/me"], allowed: ROLES },
  { route: "GET /api/v1/departments", own: ["/api/v1/departments"], allowed: [...BUSINESS, "admin", "secAdmin"] },
  { route: "GET /api/v1/alerts", own: ["/api/v1/alerts", "/api/v1/alerts?department=hrss"], other: ["/api/v1/alerts?department=emergency"], allowed: BUSINESS },
  { route: "GET /api/v1/alerts/:id", own: [`/api/v1/alerts/${alertId(OWN)}`], other: [`/api/v1/alerts/${alertId(OTHER)}`], allowed: BUSINESS },
  { route: "GET /api/v1/alerts/:id/deliveries", own: [`/api/v1/alerts/${alertId(OWN)}/deliveries`], other: [`/api/v1/alerts/${alertId(OTHER)}/deliveries`], allowed: BUSINESS },
  // close on a new alert is a conflict (409): allowed roles pass the guard, nothing changes. Only the responsible
  // department acts: gov-office's head reads its children's alerts but may not act on them.
  { route: "POST /api/v1/alerts/:id/transitions", own: [`/api/v1/alerts/${alertId(OWN)}/transitions`], other: [`/api/v1/alerts/${alertId(OTHER)}/transitions`], body: { action: "close" }, allowed: ["duty", "hrssHead"] },
  { route: "GET /api/v1/incidents", own: ["/api/v1/incidents"], allowed: BUSINESS },
  { route: "GET /api/v1/incidents/:id", own: [`/api/v1/incidents/${OWN.id}`], other: [`/api/v1/incidents/${OTHER.id}`], allowed: BUSINESS },
  { route: "GET /api/v1/incidents/:id/evidence", own: [`/api/v1/incidents/${OWN.id}/evidence`], other: [`/api/v1/incidents/${OTHER.id}/evidence`], allowed: BUSINESS },
  { route: "GET /api/v1/incidents/:id/evidence.zip", own: [`/api/v1/incidents/${OWN.id}/evidence.zip`], other: [`/api/v1/incidents/${OTHER.id}/evidence.zip`], allowed: BUSINESS },
  // a post an incident names (no original kept: 404 past the check)
  { route: "GET /api/v1/evidence/:id/original", own: ["/api/v1/evidence/d31/original"], other: ["/api/v1/evidence/d32/original"], allowed: BUSINESS },
  // a post an incident names (not stored: 404 past the check) and a post within the department's brief
  { route: "GET /api/v1/documents/:id", own: ["/api/v1/documents/d31", `/api/v1/documents/${HRSS_POST.id}`], other: ["/api/v1/documents/d32", `/api/v1/documents/${EM_POST.id}`], allowed: BUSINESS },
  { route: "GET /api/v1/audit", own: ["/api/v1/audit"], allowed: ["duty", ...HEADS] },
  { route: "GET /api/v1/accountability", own: ["/api/v1/accountability"], allowed: BUSINESS },
  { route: "GET /api/v1/search", own: [`/api/v1/search?q=${q("工资")}`], allowed: ["duty", "analyst"] },
  { route: "GET /api/v1/search/export", own: [`/api/v1/search/export?q=${q("工资")}`], allowed: ["duty", "analyst"] },
  { route: "GET /api/v1/trends", own: ["/api/v1/trends"], allowed: ["duty", "analyst"] },
  { route: "GET /api/v1/trends/export", own: ["/api/v1/trends/export"], allowed: ["duty", "analyst"] },
  { route: "GET /api/v1/saved-searches", own: ["/api/v1/saved-searches"], allowed: ["duty", "analyst"] },
  // an invalid body (400) once past the guard: nothing is saved by the matrix.
  { route: "POST /api/v1/saved-searches", own: ["/api/v1/saved-searches"], body: {}, allowed: ["duty", "analyst"] },
  { route: "DELETE /api/v1/saved-searches/:id", own: ["/api/v1/saved-searches/no-such-search"], allowed: ["duty", "analyst"] },
  { route: "GET /api/v1/sources", own: ["/api/v1/sources"], allowed: ["duty", "analyst", "admin"] },
  { route: "GET /api/v1/security/audit", own: ["/api/v1/security/audit"], allowed: ["auditAdmin"] },
  { route: "GET /api/v1/security/audit/verify", own: ["/api/v1/security/audit/verify"], allowed: ["auditAdmin"] },
  { route: "GET /api/v1/users", own: ["/api/v1/users"], allowed: ["secAdmin"] },
  // an invalid body (400) once past the guard: no account is created by the matrix.
  { route: "POST /api/v1/users", own: ["/api/v1/users"], body: { id: "x" }, allowed: ["secAdmin"] },
  { route: "DELETE /api/v1/session", own: ["/api/v1/session"], allowed: ROLES },
  { route: "GET /api/v1/duty", own: ["/api/v1/duty"], allowed: [...BUSINESS, "admin", "secAdmin"] },
  { route: "GET /api/v1/inbox", own: ["/api/v1/inbox?department=hrss"], other: ["/api/v1/inbox?department=emergency"], allowed: BUSINESS },
  { route: "GET /api/v1/brief", own: ["/api/v1/brief?department=hrss"], other: ["/api/v1/brief?department=emergency"], allowed: BUSINESS },
  { route: "GET /api/v1/brief/pdf", own: ["/api/v1/brief/pdf?department=hrss"], other: ["/api/v1/brief/pdf?department=emergency"], allowed: BUSINESS },
  // an invalid body (400) once past the guard: no policy document is registered by the matrix.
  { route: "POST /api/v1/policy-documents", own: ["/api/v1/policy-documents"], body: {}, allowed: ["duty", ...HEADS] },
  // Server-Sent Events: the stream's status is read, then the stream is closed.
  { route: "GET /api/v1/live", own: ["/api/v1/live"], allowed: BUSINESS },
  // Admin screens (三员分立): the system administrator changes configuration, the audit administrator reads it. Bodies
  // are invalid (400) or name nothing that exists (404) once past the guard, so the matrix changes no configuration.
  { route: "GET /api/v1/admin/config/:kind", own: ["/api/v1/admin/config/watch-rules"], allowed: ["admin", "auditAdmin"] },
  { route: "PUT /api/v1/admin/config/:kind", own: ["/api/v1/admin/config/watch-rules"], body: {}, allowed: ["admin"] },
  { route: "POST /api/v1/admin/watch-rules", own: ["/api/v1/admin/watch-rules"], body: {}, allowed: ["admin"] },
  { route: "DELETE /api/v1/admin/watch-rules/:id", own: ["/api/v1/admin/watch-rules/no-such-rule"], allowed: ["admin"] },
  { route: "POST /api/v1/admin/sources", own: ["/api/v1/admin/sources"], body: {}, allowed: ["admin"] },
  { route: "POST /api/v1/admin/sources/:id/state", own: ["/api/v1/admin/sources/no-such-source/state"], body: {}, allowed: ["admin"] },
  { route: "POST /api/v1/admin/sources/test", own: ["/api/v1/admin/sources/test"], body: {}, allowed: ["admin"] },
  // 转为监测规则: users with saved searches propose (an unknown search: 404), the system administrator decides.
  { route: "POST /api/v1/saved-searches/:id/rule-proposal", own: ["/api/v1/saved-searches/no-such-search/rule-proposal"], allowed: ["duty", "analyst"] },
  { route: "GET /api/v1/admin/rule-proposals", own: ["/api/v1/admin/rule-proposals"], allowed: ["admin", "auditAdmin"] },
  { route: "DELETE /api/v1/admin/rule-proposals/:id", own: ["/api/v1/admin/rule-proposals/no-such-proposal"], allowed: ["admin"] },
  // Users and roles: the security administrator only (an unknown user: 404; an empty password: 400).
  { route: "PATCH /api/v1/users/:id", own: ["/api/v1/users/no-such-user"], body: {}, allowed: ["secAdmin"] },
  { route: "POST /api/v1/users/:id/password", own: ["/api/v1/users/no-such-user/password"], body: {}, allowed: ["secAdmin"] },
];
/** Routes anyone may call, and the push route, which takes push tokens only. */
const PUBLIC = ["GET /api/v1/health", "POST /api/v1/session", "GET /api/v1/session", "GET /api/v1/openapi.json"];
const PUSH = "POST /api/v1/documents";
/** The dashboard's static files (no data). */
const STATIC = ["GET /*", "GET /vendor/echarts/*", "GET /vendor/echarts-wordcloud/*"];
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Every route the API registers, built in-process from the same buildApp the service runs (nothing listens). */
async function apiRoutes(): Promise<string[]> {
  const log = createLogger({ service: "authz-routes", level: "silent" });
  const es = stack.es;
  const audit = new AuditLog(es, `${stack.indexPrefix}routes-audit`);
  const accounts = new AccountStore(es, `${stack.indexPrefix}routes-accounts`);
  const sessions = new SessionStore(es, `${stack.indexPrefix}routes-sessions`, { idleMs: 60_000, absoluteMs: 60_000 });
  const signIn = new SignIn({ accounts, sessions, audit, clock: () => new Date(), settings: { maxFailures: 5, lockMs: 60_000, perSourceLimit: 30, windowMs: 60_000, secureCookie: "auto", absoluteMs: 60_000 } });
  const app = await buildApp({
    es,
    indexPrefix: stack.indexPrefix,
    store: new ReadStore(es, stack.indexPrefix, log),
    users: new UserDirectory([]),
    alerter: new AlerterClient("http://127.0.0.1:9", undefined),
    searchTerms: () => [],
    departments: undefined,
    maxLiveAlerts: 10,
    ingest: { url: "http://127.0.0.1:9", maxBytes: 1024, tokens: [] },
    log,
    auth: { signIn, accounts, audit },
  });
  await app.ready();
  const routes = [...new Set(registeredRoutes(app))];
  await app.close();
  // fastify adds a HEAD route beside every GET; it answers as the GET does.
  return routes.filter((r) => !(r.startsWith("HEAD ") && routes.includes(`GET ${r.slice(5)}`)));
}

/** A concrete path for a route (the own row's first call, else the pattern with placeholders). */
function concrete(route: string): string {
  const row = MATRIX.find((r) => r.route === route);
  return row?.own[0] ?? route.split(" ")[1]!.replace(/:[^/]+/g, "x");
}

async function raw(path: string, init: { method?: string; token?: string; cookie?: string; csrf?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown>; setCookie: string | null }> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.cookie) headers.cookie = init.cookie;
  if (init.csrf) headers["x-csrf-token"] = init.csrf;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${stack.apiUrl}${path}`, { method: init.method ?? "GET", headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  if ((res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    // a live stream never ends: its status is the answer
    await res.body?.cancel();
    return { status: res.status, body: {}, setCookie: null };
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body, setCookie: res.headers.get("set-cookie") };
}

/** Call a route as it is called in the matrix (its body for methods that take one). */
function callRoute(route: string, path: string, auth: { token?: string; cookie?: string; csrf?: string }) {
  const method = route.split(" ")[0]!;
  const row = MATRIX.find((r) => r.route === route);
  const body = row?.body ?? (method === "GET" || method === "DELETE" ? undefined : {});
  return raw(path, { method, ...auth, ...(body !== undefined ? { body } : {}) });
}

async function cli(command: typeof userCommand, args: string[], stdin = ""): Promise<{ code: number; out: string; err: string }> {
  const input = new PassThrough();
  input.end(stdin);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await command(args, { stdin: input, stdout, stderr, env: stack.env });
  return { code, out, err };
}

async function signIn(username: string, password: string, previous?: string): Promise<{ status: number; cookie: string; csrf: string; body: Record<string, unknown>; setCookie: string | null }> {
  const res = await raw("/api/v1/session", { method: "POST", body: { username, password }, ...(previous ? { cookie: previous } : {}) });
  const cookie = (res.setCookie ?? "").split(";")[0] ?? "";
  return { status: res.status, cookie, csrf: String(res.body.csrfToken ?? ""), body: res.body, setCookie: res.setCookie };
}

describe("authorisation matrix", () => {
  let routes: string[] = [];
  let guarded: string[] = [];

  beforeAll(async () => {
    routes = await apiRoutes();
    guarded = routes.filter((r) => !PUBLIC.includes(r) && !STATIC.includes(r));
  });

  it("has an entry for every route the API registers (a new route without one fails here)", () => {
    const classified = new Set([...MATRIX.map((r) => r.route), ...PUBLIC, PUSH, ...STATIC]);
    expect(routes.filter((r) => !classified.has(r)), "routes without an authorisation matrix entry: add a row to MATRIX").toEqual([]);
    expect(MATRIX.map((r) => r.route).filter((r) => !routes.includes(r)), "matrix rows that are no route").toEqual([]);
    expect(routes.length).toBeGreaterThan(30);
  });

  it("refuses every guarded route without credentials, with a forged token or a forged session cookie (401)", async () => {
    const failures: string[] = [];
    for (const route of guarded) {
      for (const [what, auth] of [["no credentials", {}], ["a forged token", { token: "forged-token-0123456789abcdefghij" }], ["a forged session", { cookie: "lw_session=forged-session-value-0123456789abcdefghijklmnop" }]] as const) {
        const res = await callRoute(route, concrete(route), auth);
        if (res.status !== 401) failures.push(`${route} with ${what}: HTTP ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("allows exactly the expected roles on every route, and refuses a department head the data of another department (403)", async () => {
    const failures: string[] = [];
    const check = async (row: Row, who: Who, path: string, expectAllowed: boolean) => {
      const user: TestUser = users[who];
      const res = await callRoute(row.route, path, { token: user.token });
      const allowed = res.status !== 401 && res.status !== 403;
      if (allowed !== expectAllowed) failures.push(`${row.route} ${path} as ${who} (${user.roles.join(",")}${user.department ? ` of ${user.department}` : ""}): HTTP ${res.status}, expected ${expectAllowed ? "allowed" : "403"}`);
      else if (!expectAllowed && res.status !== 403) failures.push(`${row.route} ${path} as ${who}: denied with ${res.status}, expected 403`);
    };
    for (const row of MATRIX) {
      for (const who of ROLES) {
        for (const path of row.own) await check(row, who, path, row.allowed.includes(who));
        for (const path of row.other ?? []) await check(row, who, path, row.allowed.includes(who) && who !== "hrssHead");
      }
    }
    expect(failures).toEqual([]);
    // Push ingestion takes push tokens, never user tokens.
    for (const who of ROLES) expect((await raw("/api/v1/documents", { method: "POST", token: users[who].token, body: [] })).status).toBe(401);
    expect((await raw("/api/v1/documents", { method: "POST", token: PUSH_TOKEN, body: [] })).status).not.toBe(401);
  });

  it("refuses every guarded route with an expired session (401) and every state change by cookie without its CSRF token (403)", async () => {
    expect((await cli(userCommand, ["add", "matrix-duty", "--name", "值班员矩阵", "--role", "duty_officer"], `${PASSWORD}\n`)).code).toBe(0);
    const expired = await signIn("matrix-duty", PASSWORD);
    expect((await raw("/api/v1/me", { cookie: expired.cookie })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 1) * 1000));
    const failures: string[] = [];
    for (const route of guarded) {
      const res = await callRoute(route, concrete(route), { cookie: expired.cookie });
      if (res.status !== 401) failures.push(`${route} with an expired session: HTTP ${res.status}`);
    }
    // signed in only now: on a loaded machine the sweep above can outlast the idle timeout
    const live = await signIn("matrix-duty", PASSWORD);
    for (const route of guarded.filter((r) => STATE_CHANGING.has(r.split(" ")[0]!) && r !== PUSH)) {
      const res = await callRoute(route, concrete(route), { cookie: live.cookie });
      if (res.status !== 403 || !String(res.body.message).includes("CSRF")) failures.push(`${route} by cookie without CSRF: HTTP ${res.status} ${String(res.body.message)}`);
    }
    expect(failures).toEqual([]);
  });

  it("never shows a department head another department's data through any route or export", async () => {
    const head = users.hrssHead.token;
    const list = await raw("/api/v1/alerts?state=new,acknowledged,handling,responded,closed,dismissed", { token: head });
    const alerts = list.body.alerts as { id: string; department: string; coDepartments: string[] }[];
    expect(alerts.map((a) => a.id)).toContain(alertId(OWN));
    expect(alerts.every((a) => a.department === "hrss" || a.coDepartments.includes("hrss"))).toBe(true);
    expect((await raw(`/api/v1/search/export?q=${q("爆炸")}`, { token: head })).status).toBe(403);
    expect((await raw(`/api/v1/alerts/${alertId(OTHER)}/transitions`, { method: "POST", token: head, body: { action: "acknowledge" } })).status).toBe(403);
    // Nor may the department held to the clock move what it counts from.
    const onset = await raw(`/api/v1/alerts/${alertId(OWN)}/transitions`, { method: "POST", token: head, body: { action: "correct_onset", onsetAt: new Date().toISOString(), reason: "更正" } });
    expect(onset.status).toBe(403);
    const incidents = (await raw("/api/v1/incidents", { token: head })).body.incidents as { id: string }[];
    expect(incidents.map((i) => i.id)).not.toContain(OTHER.id);
    const audit = (await raw("/api/v1/audit", { token: head })).body.events as { alertId: string }[] | undefined;
    expect((audit ?? []).every((e) => e.alertId !== alertId(OTHER))).toBe(true);
    const accountability = (await raw("/api/v1/accountability", { token: head })).body.departments as { department: string }[];
    expect(accountability.every((d) => d.department === "hrss")).toBe(true);
    // The parent department's head sees both children's alerts and incidents (and reads the posts they name).
    const gov = users.govHead.token;
    const govAlerts = ((await raw("/api/v1/alerts?state=new,acknowledged,handling,responded,closed,dismissed", { token: gov })).body.alerts as { id: string }[]).map((a) => a.id);
    expect(govAlerts).toEqual(expect.arrayContaining([alertId(OWN), alertId(OTHER)]));
    const govIncidents = ((await raw("/api/v1/incidents", { token: gov })).body.incidents as { id: string }[]).map((i) => i.id);
    expect(govIncidents).toEqual(expect.arrayContaining([OWN.id, OTHER.id]));
    expect((await raw(`/api/v1/documents/${HRSS_POST.id}`, { token: head })).status).toBe(200);
    expect((await raw(`/api/v1/documents/${EM_POST.id}`, { token: gov })).status).toBe(200);
  });
});

describe("password sign-in and sessions", () => {
  it("creates the first administrator from the CLI only, enforcing 三员分立 and password strength", async () => {
    expect((await cli(userCommand, ["add", "all-powerful", "--role", "sys_admin", "--role", "sec_admin", "--role", "audit_admin"], `${PASSWORD}\n`)).err).toMatch(/三员分立/);
    expect((await cli(userCommand, ["add", "weak", "--role", "sec_admin"], "short\n")).code).toBe(2);
    const made = await cli(userCommand, ["add", "sec-1", "--name", "安全管理员甲", "--role", "sec_admin"], `${PASSWORD}\n`);
    expect(made.code, made.err).toBe(0);
    expect((await cli(userCommand, ["add", "desk-1", "--name", "值班员甲", "--role", "duty_officer"], `${PASSWORD}\n`)).code).toBe(0);
    expect((await cli(userCommand, ["add", "desk-1", "--role", "duty_officer"], `${PASSWORD}\n`)).err).toMatch(/already exists/);
  });

  it("signs in with a password into an HttpOnly SameSite=Strict cookie, demands CSRF on changes, rotates and signs out", async () => {
    const first = await signIn("desk-1", PASSWORD);
    expect(first.status).toBe(200);
    expect(first.setCookie).toMatch(/^lw_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect((await raw("/api/v1/session")).body).toEqual({ user: null });
    expect((await raw("/api/v1/session", { cookie: first.cookie })).body).toMatchObject({ user: { id: "desk-1" } });
    const me = await raw("/api/v1/me", { cookie: first.cookie });
    expect(me.body).toMatchObject({ id: "desk-1", roles: ["duty_officer"], csrfToken: first.csrf });

    const transition = `/api/v1/alerts/${alertId(OWN)}/transitions`;
    expect((await raw(transition, { method: "POST", cookie: first.cookie, body: { action: "close" } })).status).toBe(403);
    expect((await raw(transition, { method: "POST", cookie: first.cookie, csrf: "forged-csrf-token-0000000000", body: { action: "close" } })).status).toBe(403);
    expect((await raw(transition, { method: "POST", cookie: first.cookie, csrf: first.csrf, body: { action: "close" } })).status).toBe(409);
    expect((await raw("/api/v1/me", { cookie: "lw_session=forged-session-value-0123456789abcdefghijklmnop" })).status).toBe(401);

    // A new sign-in on the same browser gets a new session id; the old one is dead.
    const second = await signIn("desk-1", PASSWORD, first.cookie);
    expect(second.cookie).not.toBe(first.cookie);
    expect((await raw("/api/v1/me", { cookie: first.cookie })).status).toBe(401);
    expect((await raw("/api/v1/session", { method: "DELETE", cookie: second.cookie })).status).toBe(403);
    expect((await raw("/api/v1/session", { method: "DELETE", cookie: second.cookie, csrf: second.csrf })).status).toBe(204);
    expect((await raw("/api/v1/me", { cookie: second.cookie })).status).toBe(401);
  });

  it("ends idle sessions", async () => {
    const s = await signIn("desk-1", PASSWORD);
    expect((await raw("/api/v1/me", { cookie: s.cookie })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 1) * 1000));
    expect((await raw("/api/v1/me", { cookie: s.cookie })).status).toBe(401);
  });

  it("locks an account after repeated wrong passwords, even for the right one, and says the same for unknown names", async () => {
    expect((await signIn("nobody-here", PASSWORD)).body).toMatchObject({ message: "用户名或密码错误" });
    for (let i = 0; i < 2; i++) expect((await signIn("sec-1", "Wrong-Password 1")).status).toBe(401);
    const locked = await signIn("sec-1", "Wrong-Password 1");
    expect(locked.status).toBe(429);
    expect(locked.body.reason).toBe("locked");
    expect((await signIn("sec-1", PASSWORD)).status).toBe(429);
    expect((await cli(userCommand, ["unlock", "sec-1"])).code).toBe(0);
    expect((await signIn("sec-1", PASSWORD)).status).toBe(200);
  });

  it("records sign-ins, failures, changes and exports in a hash chain the CLI verifies", async () => {
    await raw(`/api/v1/search/export?q=${encodeURIComponent("工资")}`, { token: users.duty.token });
    const records = await waitFor(
      async () => {
        const res = await raw("/api/v1/security/audit?size=500", { token: users.auditAdmin.token });
        const list = res.body.records as { seq: number; action: string; actor: string; outcome: string; source: string; details?: Record<string, unknown> }[];
        return list.some((r) => r.action === "GET /api/v1/search/export") && list;
      },
      { timeoutMs: 20_000, what: "the export in the security audit" },
    );
    const seen = (action: string, actor: string, outcome: string) => records.some((r) => r.action === action && r.actor === actor && r.outcome === outcome);
    expect(seen("user.create", records.find((r) => r.action === "user.create")?.actor ?? "?", "ok")).toBe(true);
    expect(seen("auth.sign_in", "desk-1", "ok")).toBe(true);
    expect(seen("auth.sign_in_failed", "sec-1", "denied")).toBe(true);
    expect(seen("auth.account_locked", "sec-1", "denied")).toBe(true);
    expect(seen("auth.sign_out", "desk-1", "ok")).toBe(true);
    expect(seen("POST /api/v1/alerts/:id/transitions", "desk-1", "failed")).toBe(true);
    expect(seen("POST /api/v1/alerts/:id/transitions", users.analyst.id, "denied")).toBe(true);
    expect(seen("GET /api/v1/search/export", users.duty.id, "ok")).toBe(true);
    expect(records.every((r) => r.source.length > 0)).toBe(true);
    // Every API change is on record before its answer: attempted first, then the outcome naming it.
    const exports = records.filter((r) => r.action === "GET /api/v1/search/export" && r.actor === users.duty.id);
    const attempted = new Set(exports.filter((r) => r.outcome === "attempted").map((r) => r.seq));
    const done = exports.filter((r) => r.outcome === "ok");
    expect(done.length).toBeGreaterThan(0);
    for (const r of done) expect(attempted.has(r.details?.attempt as number), `export record ${r.seq} names its attempt`).toBe(true);
    for (const r of done) expect(r.seq).toBeGreaterThan(r.details?.attempt as number);
    expect((await cli(auditCommand, ["anchor"])).out).toMatch(/^anchor \d+: record \d+ [0-9a-f]{64}$/m);
    const verified = await cli(auditCommand, ["verify"]);
    expect(verified.out).toContain("audit chain intact");
    expect(verified.code).toBe(0);
    const head = /^chain head: (\d+:[0-9a-f]{64})/m.exec(verified.out)?.[1];
    expect(head, verified.out).toBeDefined();
    expect((await cli(auditCommand, ["verify", "--head", head!])).code).toBe(0);
    expect((await cli(auditCommand, ["verify", "--head", `${head!.split(":")[0]}:${"0".repeat(64)}`])).code).toBe(1);
  });
});
