import { readFileSync, writeFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { calendarCoverage, chineseCalendar, DepartmentsConfig, holderAt, RosterConfig, workingDaysDue } from "@liaowang/alerting";
import { repoRoot } from "@liaowang/config";
import { waitFor, tempDir } from "@liaowang/testing";
import { userCommand } from "../../../packages/cli/src/security.js";
import { removeDetectorTemplates } from "./detector-state.js";
import { incident, outputs, startStack, testUsers, type AlertResponse, type Stack } from "./harness.js";

// The press office's daily screens in Debian's chromium against the real stack (alerter + API on Kafka and
// Elasticsearch): the duty strip from config/roster.yaml and the official calendar, registering a policy document
// (3-working-day clock), the department inbox at phone width, and live updates over Server-Sent Events.

const DEMO_TOKEN = "ops-test-demo-token-0123456789abcdef";
const PASSWORD = "Duty-Desk 2026!";
const users = testUsers();
const wagesMajor = incident(31, { title: "岳麓区某建筑工地数百名农民工集体讨薪", level: "II", topic: "工资拖欠", keywords: ["欠薪", "讨薪"], onsetHoursAgo: 1 });
const wagesMinor = incident(32, { title: "岳麓区某餐馆拖欠员工工资", level: "IV", topic: "工资拖欠", keywords: ["工资"], onsetHoursAgo: 2 });
const blast = incident(33, { title: "岳麓区某化工厂发生爆炸", level: "II", topic: "安全生产", keywords: ["爆炸"], onsetHoursAgo: 1 });
const alertId = (i: { id: string }) => `alert-${i.id}`;

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  // An escalation that fires 3 s after an alert is raised, so the inbox has something escalated to the head.
  const dir = tempDir("liaowang-ops-test-");
  const escalation = join(dir, "escalation.yaml");
  writeFileSync(escalation, "policies:\n  - id: fast\n    levels: [I, II, III, IV, ungraded]\n    steps:\n      - id: head-unacknowledged\n        after: 3s\n        notify: [{ department: responsible, audience: head }]\n");
  // Live streams are pinged (and their cookie sessions re-checked) every 2 s instead of 15 s: a signed-out stream ends sooner.
  stack = await startStack("ops", { users, demoToken: DEMO_TOKEN, env: { ALERTER_ESCALATION_FILE: escalation, API_ESCALATION_FILE: escalation }, apiEnv: { API_LIVE_HEARTBEAT_SECONDS: "2" } });
  await stack.seedIncidents([wagesMajor, wagesMinor, blast]);
  // Password users who sign in with a session cookie (no bearer token in the page).
  await addUser(["desk-live", "--name", "值班员丁", "--role", "duty_officer"]);
  await addUser(["head-live", "--name", "部门负责人戊", "--role", "dept_head", "--department", "hrss"]);
  browser = await chromium.launch({ executablePath: process.env.LIAOWANG_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
});

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  await browser?.close();
  if (stack) await removeDetectorTemplates(stack.es, stack.indexPrefix);
  await stack?.stop();
});

async function addUser(args: string[]): Promise<void> {
  const stdin = new PassThrough();
  stdin.end(`${PASSWORD}\n`);
  let err = "";
  const stderr = new PassThrough();
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await userCommand(["add", ...args], { stdin, stdout: new PassThrough(), stderr, env: stack.env });
  if (code !== 0) throw new Error(`user add ${args.join(" ")}: ${err}`);
}

/** A browser context signed in with user name and password through the dashboard's form (session cookie only). */
async function signedIn(username: string, options: { viewport?: { width: number; height: number } } = {}) {
  const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", ...options });
  const page = await context.newPage();
  await page.goto(stack.apiUrl);
  await page.locator("#login[open]").waitFor({ timeout: 20_000 });
  await page.fill("#login-username", username);
  await page.fill("#login-pass", PASSWORD);
  await page.click("#login-form button[type=submit]");
  await page.locator("#login[open]").waitFor({ state: "detached", timeout: 20_000 }).catch(() => undefined);
  expect((await context.cookies()).some((c) => c.name === "lw_session" && c.value !== "")).toBe(true);
  expect(await page.evaluate('localStorage.getItem("liaowang.token")')).toBeNull();
  return { context, page };
}

async function transition(id: string, action: string, token = users.duty.token) {
  const res = await stack.call(`/api/v1/alerts/${encodeURIComponent(id)}/transitions`, { token, method: "POST", body: { action } });
  expect(res.status).toBe(200);
}

/** Read /api/v1/live as a user for `ms` after it says hello, running `during` meanwhile; the alert ids pushed. */
async function liveEvents(token: string, during: () => Promise<void>, ms: number): Promise<string[]> {
  const controller = new AbortController();
  const res = await fetch(`${stack.apiUrl}/api/v1/live`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  const ids: string[] = [];
  let buffer = "";
  let hello = false;
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes("event: hello") && block.includes('"live":true')) hello = true;
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (block.startsWith("event: alert") && data) ids.push((JSON.parse(data) as { alert: { id: string } }).alert.id);
      }
    }
  })();
  await waitFor(async () => hello, { timeoutMs: 30_000, intervalMs: 100, what: "the live stream's hello with live: true" });
  await during();
  await new Promise((resolve) => setTimeout(resolve, ms));
  controller.abort();
  await pump;
  return ids;
}

describe("press-office screens", () => {
  it("shows who is on duty now per the roster and the official calendar", async () => {
    const departments = DepartmentsConfig.parse(parseYaml(readFileSync(join(repoRoot, "config", "departments.yaml"), "utf8")));
    const roster = RosterConfig.parse(parseYaml(readFileSync(join(repoRoot, "config", "roster.yaml"), "utf8")));
    const onDuty = holderAt(roster, "emergency", "duty", Date.now(), chineseCalendar());
    const name = departments.departments.flatMap((d) => d.people).find((p) => p.id === onDuty?.personId)?.name;
    expect(name).toBeDefined();

    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    const cell = page.locator('.duty-dept[data-department="emergency"] [data-role="duty"] b');
    await cell.waitFor({ timeout: 20_000 });
    await expect(cell.textContent()).resolves.toBe(name);
    await expect(page.locator(".duty summary").textContent()).resolves.toMatch(/今日值班 · \d{4}-\d\d-\d\d (工作日|休息日)/);
    // How far the holiday data reaches, on the health endpoint and (within 60 days of its end) on the strip.
    const health = await stack.call<{ calendar?: { coveredUntil: string | null; daysLeft: number; warning: string | null } }>("/api/v1/health", {});
    const coverage = calendarCoverage(chineseCalendar(), Date.now());
    expect(health.body.calendar).toEqual({ coveredUntil: coverage.coveredUntil, daysLeft: coverage.daysLeft, warning: coverage.warning });
    if (coverage.warning) await expect(page.locator("#calendar-warning").textContent()).resolves.toBe(coverage.warning);
    else expect(await page.locator("#calendar-warning").count()).toBe(0);
    // a department head's duty strip has their own department only
    const own = await stack.call<{ departments: { id: string }[] }>("/api/v1/duty", { token: users.hrssHead.token });
    expect(own.body.departments.map((d) => d.id)).toEqual(["hrss"]);
    await page.close();
  });

  it("registers a major policy document from the board and starts its 3-working-day clock", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    await page.locator("#policy summary").click();
    await page.locator('#policy-form input[name="title"]').fill("关于进一步稳定和扩大就业的若干措施");
    await page.locator('#policy-form input[name="docNumber"]').fill("长政发〔2026〕12号");
    await page.locator('#policy-form select[name="department"]').selectOption("hrss");
    const publishedLocal = await page.locator('#policy-form input[name="publishedAt"]').inputValue();
    await page.locator("#policy-form button[type=submit]").click();
    await page.locator(".banner.ok", { hasText: "已登记" }).waitFor({ timeout: 15_000 });
    const card = page.locator(".alert", { hasText: "政策解读：关于进一步稳定和扩大就业的若干措施" });
    await card.locator('[data-clock="policy_interpretation"] .countdown').waitFor({ timeout: 15_000 });

    // the card came over the live stream; the list (a search) has it once the index refreshed
    let id = "";
    await waitFor(
      async () => {
        const list = await stack.call<{ alerts: { id: string; title: string }[] }>("/api/v1/alerts", { token: users.duty.token });
        id = list.body.alerts.find((a) => a.title.startsWith("政策解读"))?.id ?? "";
        return id !== "";
      },
      { timeoutMs: 10_000, intervalMs: 300, what: "the policy document's alert in the list" },
    );
    const stored = await stack.call<AlertResponse>(`/api/v1/alerts/${id}`, { token: users.duty.token });
    const expected = new Date(workingDaysDue(Date.parse(`${publishedLocal}:00+08:00`), 3, chineseCalendar())).toISOString();
    expect(stored.body.alert.deadlines.map((d) => [d.clock, d.dueAt])).toEqual([["policy_interpretation", expected]]);
    expect(stored.body.alert).toMatchObject({ department: "hrss", state: "new", policyDocument: { docNumber: "长政发〔2026〕12号", registeredBy: "demo-duty" } });
    // the audit trail is searched, so it shows the event once the index refreshed
    const audit = await waitFor(
      async () => {
        const res = await stack.call<AlertResponse>(`/api/v1/alerts/${id}`, { token: users.duty.token });
        return res.body.audit.length > 0 && res.body.audit;
      },
      { timeoutMs: 10_000, intervalMs: 300, what: "the registration in the audit trail" },
    );
    expect(audit.map((e) => [e.type, e.actor])).toEqual([["opened", "demo-duty"]]);
    // the same document again is refused; a department head may not register for another department
    const again = await stack.call("/api/v1/policy-documents", { token: users.duty.token, method: "POST", body: { title: "x", docNumber: "长政发〔2026〕12号", publishedAt: `${publishedLocal}:00+08:00`, department: "hrss" } });
    expect(again.status).toBe(409);
    const other = await stack.call("/api/v1/policy-documents", { token: users.hrssHead.token, method: "POST", body: { title: "y", publishedAt: new Date().toISOString(), department: "emergency" } });
    expect(other.status).toBe(403);
    await page.close();
  });

  it("gives a department head their inbox on a phone: escalations to them, open alerts, one-tap acknowledge", async () => {
    await waitFor(
      async () => {
        const res = await stack.call<{ escalated: { id: string }[] }>("/api/v1/inbox", { token: users.hrssHead.token });
        return res.body.escalated.some((a) => a.id === alertId(wagesMajor));
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "the escalation to the hrss head" },
    );
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/#token=${users.hrssHead.token}`);
    await page.locator("#user", { hasText: "人社局负责人李四" }).waitFor();
    await page.goto(`${stack.apiUrl}/#/inbox`);
    await page.locator(`#inbox-escalated [data-alert-id="${alertId(wagesMajor)}"] .inbox-esc`).waitFor({ timeout: 20_000 });
    const open = await page.locator("#inbox-open [data-alert-id]").evaluateAll((els) => els.map((e) => e.getAttribute("data-alert-id")));
    expect(open).toContain(alertId(wagesMinor));
    expect(open).not.toContain(alertId(blast));
    // nothing wider than the phone: no sideways scrolling
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
    const card = page.locator(`#inbox-open [data-alert-id="${alertId(wagesMinor)}"]`);
    const button = card.getByRole("button", { name: "确认收到" });
    const box = await button.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(40);
    await button.tap();
    await page.locator(`#inbox-open [data-alert-id="${alertId(wagesMinor)}"] [data-state="acknowledged"]`).waitFor({ timeout: 15_000 });
    const stored = await stack.call<AlertResponse>(`/api/v1/alerts/${alertId(wagesMinor)}`, { token: users.duty.token });
    expect(stored.body.alert).toMatchObject({ state: "acknowledged", acknowledgedBy: users.hrssHead.id });
    await context.close();
  });

  it("pushes an alert change to an open duty board within a second, without reload", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    await page.locator('section[data-live="on"]').waitFor({ timeout: 30_000 });
    const card = page.locator(`[data-alert-id="${alertId(blast)}"]`);
    await card.locator('[data-state="new"]').waitFor({ timeout: 20_000 });
    await page.evaluate("window.marker = 1");
    await transition(alertId(blast), "acknowledge");
    const started = Date.now();
    await card.locator('[data-state="acknowledged"]').waitFor({ timeout: 1_000 });
    const took = Date.now() - started;
    // the same page (no reload), well inside the 10 s poll
    expect(await page.evaluate("window.marker")).toBe(1);
    expect(took).toBeLessThan(1_000);
    await page.close();
  });

  it("scopes the live stream like the API: a department head hears only of their department's alerts", async () => {
    const ids = await liveEvents(
      users.hrssHead.token,
      async () => {
        await transition(alertId(blast), "start_handling");
        await transition(alertId(wagesMinor), "start_handling");
      },
      1_500,
    );
    expect(ids).toContain(alertId(wagesMinor));
    expect(ids).not.toContain(alertId(blast));
    const all = await liveEvents(users.duty.token, () => transition(alertId(blast), "respond"), 1_500);
    expect(all).toContain(alertId(blast));
  });
  it("pushes alert changes to a duty officer signed in with a session cookie, within a second, without reload", async () => {
    const { context, page } = await signedIn("desk-live");
    await page.locator('section[data-live="on"]').waitFor({ timeout: 30_000 });
    const card = page.locator(`[data-alert-id="${alertId(wagesMajor)}"]`);
    await card.locator('[data-state="new"]').waitFor({ timeout: 20_000 });
    await page.evaluate("window.marker = 1");
    await transition(alertId(wagesMajor), "acknowledge");
    const started = Date.now();
    await card.locator('[data-state="acknowledged"]').waitFor({ timeout: 1_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await page.evaluate("window.marker")).toBe(1);
    await context.close();
  });

  it("scopes a cookie session's stream (EventSource) to the department head's department, and ends it with the session", async () => {
    const { context, page } = await signedIn("head-live", { viewport: { width: 390, height: 844 } });
    await page.locator('[data-live="on"]').first().waitFor({ timeout: 30_000 });
    // EventSource sends the session cookie by itself; collect what it hears.
    await page.evaluate(`
      window.heard = [];
      window.opened = false;
      window.live = new EventSource("/api/v1/live");
      window.live.addEventListener("hello", () => (window.opened = true));
      window.live.addEventListener("alert", (e) => window.heard.push(JSON.parse(e.data).alert.id));
    `);
    // (polled from here: the dashboard's CSP forbids the string evaluation waitForFunction would do in the page)
    await expect.poll(() => page.evaluate("window.opened"), { timeout: 20_000 }).toBe(true);
    const heard = async () => (await page.evaluate("window.heard")) as string[];
    await transition(alertId(blast), "close");
    await transition(alertId(wagesMinor), "respond");
    await expect.poll(heard, { timeout: 5_000 }).toContain(alertId(wagesMinor));
    // the emergency department's alert changed first, so had it been sent it would have arrived by now
    expect(await heard()).not.toContain(alertId(blast));

    // signing out ends the stream at its next heartbeat; the browser's reconnect is refused (401) and it gives up
    const signedOut = await page.evaluate(`(async () => {
      const me = await (await fetch("/api/v1/me")).json();
      return (await fetch("/api/v1/session", { method: "DELETE", headers: { "x-csrf-token": me.csrfToken ?? "" } })).status;
    })()`);
    expect(signedOut).toBe(204);
    await expect.poll(() => page.evaluate("window.live.readyState"), { timeout: 40_000, interval: 500 }).toBe(2); // EventSource.CLOSED
    await transition(alertId(wagesMinor), "close");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await heard()).filter((id) => id === alertId(wagesMinor))).toHaveLength(1);
    await context.close();
  });
});
