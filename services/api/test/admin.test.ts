import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { spawnService, waitFor } from "@liaowang/testing";
import { outputs, PUSH_TOKEN, startStack, testUsers, type AlertsResponse, type Stack } from "./harness.js";

// The admin screens on the real pipeline (ingest → enrich → indexer → detector → alerter): a system administrator
// adds a watch rule and pauses a feed source, in Debian's chromium; the detector and the ingest service apply the
// change without a restart (a following post matching the rule opens an alert, the paused feed is not fetched
// again) and the change is in the hash-chained security audit. Validation errors come back in Chinese naming the
// field; the other roles are refused (三员分立: only the system administrator changes configuration).

const users = testUsers();
const TERM = "紫色烟雾";
const RULE_ID = "purple-smoke";

let stack: Stack;
let browser: Browser;
let feed: Server;
let feedUrl = "";
let feedFetches = 0;

function rss(): string {
  const at = new Date().toUTCString();
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>测试信源</title><item><title>长沙市图书馆延长开放时间</title><link>https://example.gov.cn/a/1</link><description>长沙市图书馆自下周起延长开放时间。</description><pubDate>${at}</pubDate></item></channel></rss>`;
}

beforeAll(async () => {
  feed = createServer((_req, res) => {
    feedFetches += 1;
    res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" }).end(rss());
  });
  await new Promise<void>((resolve) => feed.listen(0, "127.0.0.1", resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed.xml`;
  // The ingest service (and the API's test fetch) may reach this one internal host: the SSRF guard's allow list.
  stack = await startStack("admin", { users, pipeline: true, env: { INGEST_ALLOW_INTERNAL: "127.0.0.1" } });
  stack.services.push(spawnService("services/detector/src/main.ts", { ...stack.env, DETECTOR_TICK_SCHEDULE: "*/5 * * * * *" }));
  browser = await chromium.launch({ executablePath: process.env.LIAOWANG_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
});

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await new Promise<void>((resolve) => (feed ? feed.close(() => resolve()) : resolve()));
});

interface Saved {
  kind: string;
  version: number;
  summary: string;
}
interface ConfigResponse {
  version: number;
  origin: string;
  data: { rules?: { id: string }[]; sources?: { name: string; enabled?: boolean }[] };
  history: { version: number; updatedBy: string; summary: string }[];
}
interface AuditRecords {
  records: { actor: string; action: string; outcome: string; target?: string; details?: { summary?: string; version?: number } }[];
}

const admin = (path: string, options: { method?: string; body?: unknown; token?: string } = {}) => stack.call<Saved & { message: string }>(`/api/v1/admin/${path}`, { token: options.token ?? users.admin.token, method: options.method ?? "GET", body: options.body });

describe("admin configuration API", () => {
  it("refuses an invalid watch rule with a Chinese message naming each field, and stores nothing", async () => {
    const res = await admin("watch-rules", { method: "POST", body: { rule: { id: "坏 编号", name: "", must: [], any: [] } } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("监测规则有");
    expect(res.body.message).toContain("编号（id）");
    expect(res.body.message).toContain("须为 1–64 个英文字母、数字或 _ . : -");
    expect(res.body.message).toContain("名称（name）：不能为空");
    expect(res.body.message).toContain("至少要有一个必含词或任含词");
    const cron = await admin("sources", { method: "POST", body: { source: { name: "bad-feed", kind: "rss", url: "ftp://example.org/x", schedule: "every minute" } } });
    expect(cron.status).toBe(400);
    expect(cron.body.message).toMatch(/信源（sources） › 「bad-feed」 › 地址（url）：须为 http:\/\/ 或 https:\/\/ 开头的网址/);
    expect(cron.body.message).toContain("抓取周期（schedule）：须为 cron 表达式");
    const departments = (await stack.call<ConfigResponse>("/api/v1/admin/config/departments", { token: users.admin.token })).body;
    const broken = { ...(departments.data as object), routing: { default: "no-such-department" } };
    const dep = await admin("config/departments", { method: "PUT", body: { data: broken, expectedVersion: departments.version } });
    expect(dep.status).toBe(400);
    expect(dep.body.message).toContain("分派（routing） › 默认部门（default）：部门「no-such-department」不存在");
    const current = (await stack.call<ConfigResponse>("/api/v1/admin/config/watch-rules", { token: users.admin.token })).body;
    expect(current.version).toBe(0);
    expect(current.origin).toBe("file");
  });

  it("lets only the system administrator change configuration; the audit administrator reads it", async () => {
    for (const who of ["duty", "analyst", "hrssHead", "secAdmin", "auditAdmin"] as const) {
      const res = await admin("watch-rules", { method: "POST", token: users[who].token, body: { rule: { id: "x", name: "x", any: ["x"] } } });
      expect(res.status, who).toBe(403);
    }
    expect((await admin("config/sources", { token: users.auditAdmin.token })).status).toBe(200);
    expect((await admin("config/sources", { token: users.secAdmin.token })).status).toBe(403);
  });

  it("refuses a save over a version someone else saved meanwhile (409)", async () => {
    const esc = (await stack.call<ConfigResponse>("/api/v1/admin/config/escalation", { token: users.admin.token })).body;
    const stale = await admin("config/escalation", { method: "PUT", body: { data: esc.data, expectedVersion: esc.version + 3 } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain("配置已被他人修改");
  });
});

describe("admin screens, applied live", () => {
  it("a watch rule added in the browser opens an alert for the next matching post, without a restart, and is audited", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${users.admin.token}`);
    await page.locator("#user", { hasText: users.admin.name }).waitFor();
    await page.goto(`${stack.apiUrl}/#/admin/watch-rules`);
    const form = page.locator("#rule-form");
    await form.locator('input[name="id"]').fill(RULE_ID);
    await form.locator('input[name="name"]').fill("异常烟雾");
    await form.locator('input[name="any"]').fill(`${TERM}，黄色烟雾`);
    await form.locator('select[name="level"]').selectOption("III");
    // a mistake first: the screen shows the API's Chinese message naming the field
    await form.locator('input[name="minAny"]').fill("3");
    await form.locator("button[type=submit]").click();
    await page.locator("#banner", { hasText: "至少命中数 3 超过了任含词的个数 2" }).waitFor({ timeout: 10_000 });
    await form.locator('input[name="minAny"]').fill("1");
    await form.locator("button[type=submit]").click();
    await page.locator(`#rules-table tr[data-id="${RULE_ID}"]`).waitFor({ timeout: 10_000 });
    await expect(page.locator("#config-version").textContent()).resolves.toContain("第 1 版");

    const post = { source: "长沙晚报", title: "岳麓区上空出现紫色烟雾", text: `长沙市岳麓区某小区上空今天下午出现${TERM}，不少居民拍下视频。`, publishedAt: new Date().toISOString(), region: "湖南省长沙市" };
    const pushed = await stack.call<{ accepted: number }>("/api/v1/documents", { method: "POST", token: PUSH_TOKEN, body: [post] });
    expect(pushed.body.accepted).toBe(1);
    let incidentId = "";
    await waitFor(
      async () => {
        const alerts = (await stack.call<AlertsResponse>("/api/v1/alerts", { token: users.duty.token })).body.alerts ?? [];
        for (const alert of alerts) {
          const detail = await stack.call<{ incident: { id: string; watchMatches: { ruleId: string }[] } }>(`/api/v1/incidents/${alert.incidentId}`, { token: users.duty.token });
          if (detail.body.incident?.watchMatches?.some((m) => m.ruleId === RULE_ID)) incidentId = detail.body.incident.id;
        }
        return incidentId !== "";
      },
      { timeoutMs: 150_000, intervalMs: 1_000, what: "an alert for the post matching the new watch rule" },
    );

    // The security audit (audit administrator) holds who changed what and when.
    const audit = await stack.call<AuditRecords>(`/api/v1/security/audit?actor=${users.admin.id}`, { token: users.auditAdmin.token });
    const record = audit.body.records.find((r) => r.action === "POST /api/v1/admin/watch-rules" && r.outcome === "ok");
    expect(record?.target).toBe("watch-rules");
    expect(record?.details?.summary).toContain(RULE_ID);
    expect(record?.details?.version).toBe(1);
    const auditPage = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await auditPage.goto(`${stack.apiUrl}/#token=${users.auditAdmin.token}`);
    await auditPage.locator("#user", { hasText: users.auditAdmin.name }).waitFor();
    await auditPage.goto(`${stack.apiUrl}/#/security-audit`);
    await auditPage.locator("#audit-table tbody tr", { hasText: `新增监测规则 异常烟雾（${RULE_ID}）` }).first().waitFor({ timeout: 10_000 });
    await auditPage.close();
    await page.close();
  });

  it("a source added, test-fetched and then paused in the browser is polled, then no longer fetched", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${users.admin.token}`);
    await page.locator("#user", { hasText: users.admin.name }).waitFor();
    await page.goto(`${stack.apiUrl}/#/admin/sources`);
    const form = page.locator("#source-form");
    await form.locator('input[name="name"]').fill("test-library");
    await form.locator('input[name="title"]').fill("测试图书馆信源");
    await form.locator('input[name="url"]').fill(feedUrl);
    await form.locator('input[name="schedule"]').fill("*/2 * * * * *");
    await form.locator("#test-fetch").click();
    await page.locator("#test-result", { hasText: "抓取成功：1 条可入库" }).waitFor({ timeout: 20_000 });
    const before = feedFetches;
    await form.locator("button[type=submit]").click();
    const row = page.locator('#sources-table tr[data-name="test-library"]');
    await row.waitFor({ timeout: 10_000 });
    // the ingest service picks the new source up and polls it every two seconds
    await waitFor(async () => feedFetches >= before + 2, { timeoutMs: 60_000, intervalMs: 500, what: "the new source polled" });

    await row.locator("button.toggle").click();
    await page.locator('#sources-table tr[data-name="test-library"] .state', { hasText: "已暂停" }).waitFor({ timeout: 10_000 });
    // applied within the watch interval; from then on the feed is not fetched again
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const paused = feedFetches;
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(feedFetches).toBe(paused);
    const stored = (await stack.call<ConfigResponse>("/api/v1/admin/config/sources", { token: users.admin.token })).body;
    expect(stored.data.sources?.find((s) => s.name === "test-library")?.enabled).toBe(false);
    expect(stored.history.map((h) => h.summary)).toEqual(expect.arrayContaining([expect.stringContaining("暂停信源"), expect.stringContaining("新增信源")]));
    await page.close();
  });

  it("the test fetch goes through the SSRF guard: an internal address not allow-listed is refused", async () => {
    const res = await stack.call<{ ok: boolean; message: string }>("/api/v1/admin/sources/test", { method: "POST", token: users.admin.token, body: { url: "http://10.255.255.1/feed.xml", kind: "rss" } });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.message).toContain("已拦截（防 SSRF）");
  });
});

describe("users and roles (security administrator)", () => {
  it("creates an account in the browser, changes its role and disables it, each applied at once; 三员分立 refused in Chinese", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${users.secAdmin.token}`);
    await page.locator("#user", { hasText: users.secAdmin.name }).waitFor();
    await page.goto(`${stack.apiUrl}/#/users`);
    const form = page.locator("#user-form");
    await form.locator('select[name="department"] option[value="hrss"]').waitFor({ state: "attached" });
    await form.locator('input[name="id"]').fill("liu-analyst");
    await form.locator('input[name="name"]').fill("分析员刘六");
    await form.locator('input[name="password"]').fill("Desk-Wing 2026!");
    // an administrator role beside a business role: refused, in Chinese
    await form.locator('input[name="roles"][value="analyst"]').check();
    await form.locator('input[name="roles"][value="sys_admin"]').check();
    await form.locator("button[type=submit]").click();
    await page.locator("#banner", { hasText: "三员分立：管理员账号（系统管理员）不能兼任其他角色" }).waitFor({ timeout: 10_000 });
    await form.locator('input[name="roles"][value="sys_admin"]').uncheck();
    await form.locator("button[type=submit]").click();
    await page.locator("#banner", { hasText: "已新增用户 liu-analyst" }).waitFor({ timeout: 10_000 }).catch(async () => {
      throw new Error(`not created: ${await page.locator("#banner").textContent()}`);
    });
    const row = page.locator('#users-table tr[data-id="liu-analyst"]');
    await row.waitFor({ timeout: 20_000 });

    const signIn = async () => (await stack.call<{ user?: { roles: string[] } }>("/api/v1/session", { method: "POST", body: { username: "liu-analyst", password: "Desk-Wing 2026!" } }));
    expect((await signIn()).body.user?.roles).toEqual(["analyst"]);

    // made head of 人社局: the role changes at once
    await row.locator("button.edit").click();
    await form.locator('input[name="roles"][value="analyst"]').uncheck();
    await form.locator('input[name="roles"][value="dept_head"]').check();
    await form.locator('select[name="department"]').selectOption("hrss");
    await form.locator("button[type=submit]").click();
    await page.locator('#users-table tr[data-id="liu-analyst"] td.roles', { hasText: "部门负责人" }).waitFor({ timeout: 10_000 });
    expect((await signIn()).body.user?.roles).toEqual(["dept_head"]);

    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator('#users-table tr[data-id="liu-analyst"] button.toggle').click();
    await page.locator('#users-table tr[data-id="liu-analyst"] td.state', { hasText: "已停用" }).waitFor({ timeout: 10_000 });
    expect((await signIn()).status).toBe(401);
    await page.close();

    // a system administrator may not manage users; the security audit names who changed what
    expect((await stack.call("/api/v1/users/liu-analyst", { method: "PATCH", token: users.admin.token, body: { disabled: false } })).status).toBe(403);
    const audit = await stack.call<AuditRecords>(`/api/v1/security/audit?actor=${users.secAdmin.id}`, { token: users.auditAdmin.token });
    expect(audit.body.records.map((r) => r.details?.summary ?? "")).toEqual(expect.arrayContaining([expect.stringContaining("修改用户 liu-analyst：角色 分析员 → 部门负责人；部门 无 → hrss"), "修改用户 liu-analyst：停用"]));
  });
});

describe("转为监测规则: saved searches become watch rules", () => {
  it("an analyst proposes a saved search in the search page; the system administrator adopts it as a live rule", async () => {
    const savedSearch = await stack.call<{ id: string }>("/api/v1/saved-searches", { method: "POST", token: users.analyst.token, body: { name: "桥梁裂缝", filters: { q: "桥梁 裂缝", region: "长沙市", sentiment: "negative" } } });
    expect(savedSearch.status).toBe(201);
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${users.analyst.token}`);
    await page.locator("#user", { hasText: users.analyst.name }).waitFor();
    await page.goto(`${stack.apiUrl}/#/search`);
    await page.locator(`button[data-propose="${savedSearch.body.id}"]`).click();
    await page.locator("#banner", { hasText: "已提交监测规则建议「桥梁裂缝」" }).waitFor({ timeout: 10_000 });
    await expect(page.locator("#banner").textContent()).resolves.toContain("情感倾向不能作为规则条件");
    await page.close();
    // the analyst may not adopt it: configuration is the system administrator's
    expect((await admin("rule-proposals", { token: users.analyst.token })).status).toBe(403);

    const adminPage = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await adminPage.goto(`${stack.apiUrl}/#token=${users.admin.token}`);
    await adminPage.locator("#user", { hasText: users.admin.name }).waitFor();
    await adminPage.goto(`${stack.apiUrl}/#/admin/watch-rules`);
    const row = adminPage.locator("#proposals-table tr", { hasText: "桥梁裂缝" });
    await expect(row.locator("td").nth(1).textContent()).resolves.toBe("桥梁、裂缝");
    await row.locator("button.adopt").click();
    await adminPage.locator("#rules-table tr", { hasText: "桥梁裂缝" }).waitFor({ timeout: 10_000 });
    await adminPage.locator("#proposals", { hasText: "暂无" }).waitFor({ timeout: 10_000 });
    await adminPage.close();
    const rules = (await stack.call<ConfigResponse>("/api/v1/admin/config/watch-rules", { token: users.admin.token })).body.data.rules as unknown as { name: string; must: string[]; regions?: string[] }[];
    expect(rules.find((r) => r.name === "桥梁裂缝")).toMatchObject({ must: ["桥梁", "裂缝"], regions: ["长沙市"] });
  });

  it("departments and escalation policies are edited in field forms: rows added and removed, zh-CN field errors, applied live", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`${stack.apiUrl}/#token=${users.admin.token}`);
    await page.locator("#user", { hasText: users.admin.name }).waitFor();
    await page.goto(`${stack.apiUrl}/#/admin/departments`);
    const form = page.locator("#departments-form");
    await form.locator('fieldset.dept[data-id="hrss"]').waitFor();
    const before = await form.locator("fieldset.dept").count();

    // A new department under the government office, routed by keywords, with one contact (a wrong email first).
    await form.locator("#add-dept").click();
    const dept = form.locator("fieldset.dept").nth(before);
    await dept.locator('input[name="id"]').fill("petition");
    await dept.locator('input[name="name"]').fill("市信访局");
    await dept.locator('select[name="parent"]').selectOption("gov-office");
    await dept.locator('input[name="keywords"]').fill("信访，上访");
    await dept.locator("button.add-person").click();
    const person = form.locator('fieldset.dept[data-id="petition"] table.people tbody tr').first();
    await person.locator('input[name="pid"]').fill("p-petition-duty");
    await person.locator('input[name="pname"]').fill("信访值班员");
    await person.locator('input[name="email"]').fill("不是邮箱");
    await form.locator('input[name="summary"]').fill("新增市信访局");
    await form.locator("button[type=submit]").click();
    await form.locator("#form-errors li", { hasText: "部门（departments） › 「petition」 › 人员（people） › 「p-petition-duty」 › 邮箱（email）：须为邮箱地址" }).waitFor({ timeout: 10_000 });
    await person.locator('input[name="email"]').fill("duty@petition.example");
    await form.locator("button[type=submit]").click();
    await page.locator("#config-version", { hasText: "第 1 版" }).waitFor({ timeout: 10_000 });
    const saved = (await stack.call<{ data: { departments: { id: string; parent?: string; keywords: string[]; people: { id: string; role: string; email?: string }[] }[] } }>("/api/v1/admin/config/departments", { token: users.admin.token })).body.data;
    expect(saved.departments.find((d) => d.id === "petition")).toMatchObject({ parent: "gov-office", keywords: ["信访", "上访"], people: [{ id: "p-petition-duty", role: "duty", email: "duty@petition.example" }] });
    expect(saved.departments).toHaveLength(before + 1);
    // Applied live: the API's own routing directory has it at once.
    const listed = await stack.call<{ departments: { id: string; parent?: string }[] }>("/api/v1/departments", { token: users.duty.token });
    expect(listed.body.departments.find((d) => d.id === "petition")).toMatchObject({ parent: "gov-office" });

    // Removed again with its row.
    await form.locator('fieldset.dept[data-id="petition"] button.remove-dept').click();
    await form.locator("button[type=submit]").click();
    await page.locator("#config-version", { hasText: "第 2 版" }).waitFor({ timeout: 10_000 });
    const after = (await stack.call<{ data: { departments: { id: string }[] } }>("/api/v1/admin/config/departments", { token: users.admin.token })).body.data;
    expect(after.departments.map((d) => d.id)).not.toContain("petition");
    expect(after.departments).toHaveLength(before);

    // Escalation: a step for the major policy, whom by role and after how long; a delay that is no duration first.
    await page.goto(`${stack.apiUrl}/#/admin/escalation`);
    const major = page.locator('#escalation-form fieldset.policy[data-id="major"]');
    await major.waitFor();
    const steps = await major.locator("table.steps tbody tr").count();
    await major.locator("button.add-step").click();
    const step = page.locator('#escalation-form fieldset.policy[data-id="major"] table.steps tbody tr').nth(steps);
    await step.locator('input[name="sid"]').fill("leader-late");
    await step.locator('select[name="trigger"]').selectOption("after");
    await step.locator('input[name="delay"]').fill("45 分钟");
    await step.locator('select[name="rdept"]').selectOption("parent");
    await step.locator('select[name="raudience"]').selectOption("leader");
    await page.locator("#escalation-form button[type=submit]").click();
    await page.locator("#form-errors li", { hasText: "升级策略（policies） › 「major」 › 步骤（steps） › 「leader-late」 › 超时未确认（after）：须为时长，如 30s、15m、2h、1d（填的是「45 分钟」）" }).waitFor({ timeout: 10_000 });
    await step.locator('input[name="delay"]').fill("45m");
    // …and the standard policy loses its deadline step.
    const standard = page.locator('#escalation-form fieldset.policy[data-id="standard"]');
    await standard.locator("table.steps tbody tr").filter({ has: page.locator('input[value="head-before-deadline"]') }).locator("button.remove-step").click();
    await page.locator("#escalation-form button[type=submit]").click();
    await page.locator("#config-version", { hasText: "第 1 版" }).waitFor({ timeout: 10_000 });
    const escalation = (await stack.call<{ data: { policies: { id: string; steps: { id: string; after?: string; beforeDeadline?: string; notify: { department: string; audience: string }[] }[] }[] } }>("/api/v1/admin/config/escalation", { token: users.admin.token })).body.data;
    const majorSteps = escalation.policies.find((p) => p.id === "major")?.steps ?? [];
    expect(majorSteps).toHaveLength(steps + 1);
    expect(majorSteps.at(-1)).toEqual({ id: "leader-late", after: "45m", notify: [{ department: "parent", audience: "leader" }] });
    expect(escalation.policies.find((p) => p.id === "standard")?.steps.map((s) => s.id)).toEqual(["head-unacknowledged"]);
    await page.close();
  });
});
