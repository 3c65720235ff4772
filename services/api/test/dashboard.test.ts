import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@liaowang/testing";
import { removeDetectorTemplates, writeDetectorState } from "./detector-state.js";
import { incident, outputs, startStack, testUsers, type AlertResponse, type Stack } from "./harness.js";
import { pollStatusWriter } from "../../ingest/src/poll-status.js";

// The dashboard in a real browser (Debian's chromium driven by playwright-core) against the API, the alerter and
// the real stack: signing in through the demo login link, the duty board shows the alert with a running
// countdown derived from its stored deadline, and acknowledging it changes its state everywhere.

const DEMO_TOKEN = "dashboard-test-demo-token-0123456789";
const users = testUsers();
const II = incident(11, { title: "岳麓区某化工厂发生爆炸，已造成12人遇难", level: "II", topic: "安全生产", keywords: ["爆炸", "化工厂"], onsetHoursAgo: 1 });
const IV = incident(12, { title: "岳麓区工地农民工反映工资拖欠", level: "IV", topic: "工资拖欠", keywords: ["欠薪", "工资"], onsetHoursAgo: 2 });

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack("dashboard", { users, demoToken: DEMO_TOKEN });
  await stack.seedIncidents([II, IV]);
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

describe("dashboard", () => {
  it("shows the duty board with running countdowns and acknowledges an alert", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    // a Content-Security-Policy violation shows up as a console error
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);

    // the token left the address bar, the user is shown
    await expect.poll(() => new URL(page.url()).hash).toBe("#/board");
    await page.locator("#user", { hasText: "演示值班员" }).waitFor();

    const card = page.locator(`[data-alert-id="alert-${II.id}"]`);
    await card.waitFor({ timeout: 20_000 });
    await expect.poll(() => card.locator(".level").textContent()).toBe("II级 重大");
    // most urgent first: the II alert's 5 h clock (4 h left) is due before the IV alert's 48 h one
    const order = await page.locator("[data-alert-id]").evaluateAll((els) => els.map((e) => e.getAttribute("data-alert-id")));
    expect(order).toEqual([`alert-${II.id}`, `alert-${IV.id}`]);

    const countdown = card.locator('[data-clock="authoritative_info"] .countdown');
    const first = (await countdown.textContent()) ?? "";
    expect(first).toMatch(/^剩 3:5\d:\d\d$/);
    await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);
    await expect(card.locator('[data-clock="press_conference"] .countdown').textContent()).resolves.toMatch(/^剩 22:5\d:\d\d$/);
    await expect(card.locator("[data-state]").getAttribute("data-state")).resolves.toBe("new");

    await card.getByRole("button", { name: "确认收到" }).click();
    await card.locator('[data-state="acknowledged"]').waitFor({ timeout: 15_000 });
    await expect(card.getByRole("button", { name: "确认收到" }).count()).resolves.toBe(0);
    // the countdown keeps running after acknowledgement: acknowledging answers nothing yet
    await expect(countdown.textContent()).resolves.toMatch(/^剩 3:5\d:\d\d$/);

    // no feed is silent yet: no banner
    await expect(page.locator(".source-silent").count()).resolves.toBe(0);
    const stored = await stack.call<AlertResponse>(`/api/v1/alerts/alert-${II.id}`, { token: users.duty.token });
    expect(stored.body.alert.state).toBe("acknowledged");
    expect(stored.body.alert.acknowledgedBy).toBe("demo-duty");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a banner per silent source on the duty board, picked up by the refresh", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    await page.locator(`[data-alert-id="alert-${II.id}"]`).waitFor({ timeout: 20_000 });
    const now = Date.now();
    await writeDetectorState(stack.es, stack.indexPrefix, "detector", [
      { source: "岳麓区融媒体中心", lastSeenAt: new Date(now - 3.5 * 3_600_000).toISOString(), count: 30, expectedIntervalMs: 1_800_000, flat: true, flatSince: now - 2 * 3_600_000 },
      { source: "微博", lastSeenAt: new Date(now - 60_000).toISOString(), count: 120, expectedIntervalMs: 600_000, flat: false },
    ]);
    const banner = page.locator('.source-silent[data-source="岳麓区融媒体中心"]');
    await banner.waitFor({ timeout: 20_000 });
    await expect(banner.textContent()).resolves.toBe("数据源静默：岳麓区融媒体中心 已 3 小时无新数据");
    await expect(page.locator(".source-silent").count()).resolves.toBe(1);
    await page.close();
  });

  it("shows a banner per feed whose charset label is wrong or missing (issue 11)", async () => {
    await pollStatusWriter(stack.es, stack.indexPrefix)({
      source: "xinghe-gov",
      at: new Date().toISOString(),
      ok: true,
      accepted: 3,
      duplicates: 0,
      rejected: [],
      durationMs: 30,
      encoding: { charset: "gb18030", from: "detected", reason: "header said utf-8, body is GB18030", mislabelled: "header said utf-8", replacements: 0 },
    });
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    const banner = page.locator('.source-mislabelled[data-source="xinghe-gov"]');
    await banner.waitFor({ timeout: 20_000 });
    await expect(banner.textContent()).resolves.toBe("编码标注有误：xinghe-gov 服务器声明编码为 utf-8，实际为 GB18030，已按实际编码解码");
    await page.close();
  });

  it("shows the incident detail with clocks, 首发, grade reason and the audit trail", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    await page.locator(`[data-alert-id="alert-${IV.id}"] a.title`).click();
    await page.locator("h1", { hasText: IV.title }).waitFor();
    await page.locator(".card", { hasText: "首发" }).locator("text=微博").first().waitFor();
    await page.locator(".card", { hasText: "法定时限" }).locator(".countdown[data-due]").waitFor();
    await page.locator(".card", { hasText: "定级依据" }).locator("text=按阈值定为 IV").waitFor();
    await page.locator("#actions").getByRole("button", { name: "开始处置" }).click();
    await page.locator('[data-state="handling"]').first().waitFor({ timeout: 15_000 });
    await waitFor(async () => (await page.locator(".card", { hasText: "审计记录" }).locator("td", { hasText: "开始处置" }).count()) > 0 || (await page.reload(), false), {
      timeoutMs: 20_000,
      intervalMs: 1_000,
      what: "the handling event in the audit trail",
    });
    await expect(page.locator(".card", { hasText: "审计记录" }).locator("td", { hasText: "demo-duty" }).count()).resolves.toBeGreaterThan(0);
    await page.close();
  });

  it("renders the trends chart with ECharts served from the npm package, and the accountability table", async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    await page.locator("#user", { hasText: "演示值班员" }).waitFor();
    await page.goto(`${stack.apiUrl}/#/trends?span=24h`);
    await page.locator('#trend-chart[data-ready="true"] canvas').waitFor({ timeout: 20_000 });
    await page.goto(`${stack.apiUrl}/#/accountability?days=7`);
    await page.locator('#acc-table tr[data-department="emergency"]').waitFor({ timeout: 20_000 });
    await page.close();
  });
});
