import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@liaowang/testing";
import { userCommand, auditCommand } from "../../../packages/cli/src/security.js";
import { incident, outputs, PUSH_TOKEN, startStack, testUsers, type Stack, type TestUser } from "./harness.js";

// The authorisation matrix: every API route × every role, plus no credentials, a forged token, an expired session
// and a cookie request without its CSRF token, each with the expected allow or deny; a department head never reaches
// another department's data. Then password sign-in (lock-out, rotation, sign-out) and the security audit it leaves.

const users = testUsers();
const OWN = incident(31, { title: "岳麓区工地农民工反映工资拖欠", level: "IV", topic: "工资拖欠", keywords: ["欠薪", "工资"], onsetHoursAgo: 2 });
const OTHER = incident(32, { title: "岳麓区某化工厂发生爆炸，已造成12人遇难", level: "II", topic: "安全生产", keywords: ["爆炸", "化工厂"], onsetHoursAgo: 1 });
const alertId = (i: { id: string }) => `alert-${i.id}`;
const PASSWORD = "Duty-Desk 2026!";
const IDLE_SECONDS = 6;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack("authz", { users, apiEnv: { API_SESSION_IDLE_SECONDS: String(IDLE_SECONDS), API_SIGNIN_MAX_FAILURES: "3", API_SIGNIN_LOCK_SECONDS: "600" } });
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

/** One route and who may call it; `call` fills path parameters with the own department's alert or incident. */
interface Row {
  method: string;
  path: string;
  call: string;
  body?: unknown;
  allowed: Who[];
}

const BUSINESS: Who[] = ["duty", "analyst", "hrssHead"];
const MATRIX: Row[] = [
  { method: "GET", path: "/api/v1/me", call: "/api/v1/me", allowed: ROLES },
  { method: "GET", path: "/api/v1/departments", call: "/api/v1/departments", allowed: ["duty", "analyst", "hrssHead", "admin", "secAdmin"] },
  { method: "GET", path: "/api/v1/alerts", call: "/api/v1/alerts", allowed: BUSINESS },
  { method: "GET", path: "/api/v1/alerts/{id}", call: `/api/v1/alerts/${alertId(OWN)}`, allowed: BUSINESS },
  { method: "GET", path: "/api/v1/alerts/{id}/deliveries", call: `/api/v1/alerts/${alertId(OWN)}/deliveries`, allowed: BUSINESS },
  // close on a new alert is a conflict (409): allowed roles pass the guard, nothing changes.
  { method: "POST", path: "/api/v1/alerts/{id}/transitions", call: `/api/v1/alerts/${alertId(OWN)}/transitions`, body: { action: "close" }, allowed: ["duty", "hrssHead"] },
  { method: "GET", path: "/api/v1/incidents", call: "/api/v1/incidents", allowed: BUSINESS },
  { method: "GET", path: "/api/v1/incidents/{id}", call: `/api/v1/incidents/${OWN.id}`, allowed: BUSINESS },
  { method: "GET", path: "/api/v1/audit", call: "/api/v1/audit", allowed: ["duty", "hrssHead"] },
  { method: "GET", path: "/api/v1/accountability", call: "/api/v1/accountability", allowed: BUSINESS },
  { method: "GET", path: "/api/v1/search", call: `/api/v1/search?q=${encodeURIComponent("工资")}`, allowed: ["duty", "analyst"] },
  { method: "GET", path: "/api/v1/search/export", call: `/api/v1/search/export?q=${encodeURIComponent("工资")}`, allowed: ["duty", "analyst"] },
  { method: "GET", path: "/api/v1/trends", call: "/api/v1/trends", allowed: ["duty", "analyst"] },
  { method: "GET", path: "/api/v1/sources", call: "/api/v1/sources", allowed: ["duty", "analyst", "admin"] },
  { method: "GET", path: "/api/v1/security/audit", call: "/api/v1/security/audit", allowed: ["auditAdmin"] },
  { method: "GET", path: "/api/v1/security/audit/verify", call: "/api/v1/security/audit/verify", allowed: ["auditAdmin"] },
  { method: "GET", path: "/api/v1/users", call: "/api/v1/users", allowed: ["secAdmin"] },
  // an invalid body (400) once past the guard: no account is created by the matrix.
  { method: "POST", path: "/api/v1/users", call: "/api/v1/users", body: { id: "x" }, allowed: ["secAdmin"] },
  { method: "DELETE", path: "/api/v1/session", call: "/api/v1/session", allowed: ROLES },
  { method: "GET", path: "/api/v1/duty", call: "/api/v1/duty", allowed: ["duty", "analyst", "hrssHead", "admin", "secAdmin"] },
  { method: "GET", path: "/api/v1/inbox", call: "/api/v1/inbox", allowed: BUSINESS },
  { method: "GET", path: "/api/v1/brief", call: "/api/v1/brief", allowed: BUSINESS },
  { method: "GET", path: "/api/v1/documents/{id}", call: "/api/v1/documents/no-such-document", allowed: BUSINESS },
  { method: "POST", path: "/api/v1/policy-documents", call: "/api/v1/policy-documents", body: {}, allowed: ["duty", "hrssHead"] },
  { method: "GET", path: "/api/v1/trends/export", call: "/api/v1/trends/export", allowed: ["duty", "analyst"] },
  { method: "GET", path: "/api/v1/saved-searches", call: "/api/v1/saved-searches", allowed: ["duty", "analyst"] },
  { method: "DELETE", path: "/api/v1/saved-searches/{id}", call: "/api/v1/saved-searches/no-such-search", allowed: ["duty", "analyst"] },
];
/** Routes anyone may call, and the push route, which takes push tokens only. (GET /api/v1/live, a stream, and the
 * PDF brief are covered by the authentication sweep; their permissions are those of /alerts and /brief.) */
const PUBLIC = ["GET /api/v1/health", "POST /api/v1/session", "GET /api/v1/session"];
const PUSH = "POST /api/v1/documents";

async function raw(path: string, init: { method?: string; token?: string; cookie?: string; csrf?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown>; setCookie: string | null }> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.cookie) headers.cookie = init.cookie;
  if (init.csrf) headers["x-csrf-token"] = init.csrf;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${stack.apiUrl}${path}`, { method: init.method ?? "GET", headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body, setCookie: res.headers.get("set-cookie") };
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
  it("covers every documented route, and refuses every guarded one without credentials or with a forged token", async () => {
    const doc = (await raw("/api/v1/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const classified = new Set([...MATRIX.map((r) => `${r.method} ${r.path}`), ...PUBLIC, PUSH]);
    // Routes added later (other screens) are still checked for authentication below; they join the role matrix here.
    const unclassified = documented.filter((r) => !classified.has(r));
    for (const route of documented.filter((r) => !PUBLIC.includes(r))) {
      const [method, path] = route.split(" ") as [string, string];
      const concrete = path.replace("{id}", alertId(OWN)).replace(/\{[^}]+\}/g, "x");
      for (const token of [undefined, "forged-token-0123456789abcdefghij"]) {
        const res = await raw(concrete, { method, ...(token ? { token } : {}), ...(method === "GET" || method === "DELETE" ? {} : { body: {} }) });
        expect(res.status, `${route} with ${token ? "a forged token" : "no credentials"}`).toBe(401);
      }
    }
    expect(MATRIX.every((r) => documented.includes(`${r.method} ${r.path}`)), "every matrix row is a real route").toBe(true);
    expect(unclassified.length, `routes outside the role matrix: ${unclassified.join(", ")}`).toBeLessThan(documented.length);
  });

  it("allows exactly the expected roles on every route (403 for the others)", async () => {
    const failures: string[] = [];
    for (const row of MATRIX) {
      for (const who of ROLES) {
        const user: TestUser = users[who];
        const res = await raw(row.call, { method: row.method, token: user.token, ...(row.body !== undefined ? { body: row.body } : {}) });
        const allowed = res.status !== 401 && res.status !== 403;
        if (allowed !== row.allowed.includes(who)) failures.push(`${row.method} ${row.path} as ${who} (${user.roles.join(",")}): HTTP ${res.status}, expected ${row.allowed.includes(who) ? "allowed" : "403"}`);
        if (!row.allowed.includes(who) && res.status !== 403) failures.push(`${row.method} ${row.path} as ${who}: denied with ${res.status}, expected 403`);
      }
    }
    expect(failures).toEqual([]);
    // Push ingestion takes push tokens, never user tokens.
    for (const who of ROLES) expect((await raw("/api/v1/documents", { method: "POST", token: users[who].token, body: [] })).status).toBe(401);
    expect((await raw("/api/v1/documents", { method: "POST", token: PUSH_TOKEN, body: [] })).status).not.toBe(401);
  });

  it("never shows a department head another department's data through any route or export", async () => {
    const head = users.hrssHead.token;
    const list = await raw("/api/v1/alerts?state=new,acknowledged,handling,responded,closed,dismissed", { token: head });
    const alerts = list.body.alerts as { id: string; department: string; coDepartments: string[] }[];
    expect(alerts.map((a) => a.id)).toContain(alertId(OWN));
    expect(alerts.every((a) => a.department === "hrss" || a.coDepartments.includes("hrss"))).toBe(true);
    for (const path of [`/api/v1/alerts/${alertId(OTHER)}`, `/api/v1/alerts/${alertId(OTHER)}/deliveries`, `/api/v1/incidents/${OTHER.id}`, "/api/v1/alerts?department=emergency", `/api/v1/search/export?q=${encodeURIComponent("爆炸")}`]) {
      expect((await raw(path, { token: head })).status, path).toBe(403);
    }
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
        const list = res.body.records as { action: string; actor: string; outcome: string; source: string }[];
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
    const verified = await cli(auditCommand, ["verify"]);
    expect(verified.out).toContain("audit chain intact");
    expect(verified.code).toBe(0);
  });
});
