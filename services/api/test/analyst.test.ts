import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@liaowang/testing";
import { outputs, PUSH_TOKEN, startStack, testUsers, type SearchResponse, type Stack } from "./harness.js";

// The analyst's search page in Debian's chromium on the real pipeline (ingest → enrich → indexer): filters by
// source and sentiment give exactly what the API gives for them, snippets carry highlights, a saved search runs
// again with one click, and trends export as CSV.

const users = testUsers();
const now = Date.now();
const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
const posts = [
  { source: "人民网", title: "农民工讨薪无果", text: "长沙市岳麓区某工地农民工讨薪无果，工资拖欠半年，工人十分愤怒，强烈不满。", publishedAt: at(30), region: "湖南省" },
  { source: "长沙晚报", title: "人社局追回拖欠工资", text: "长沙市人社局帮助农民工追回拖欠工资，工人表示感谢，非常满意。", publishedAt: at(20), region: "湖南省" },
  { source: "长沙晚报", title: "新图书馆开放", text: "长沙市某学校新建图书馆今日开放，学生和家长纷纷点赞，环境优美。", publishedAt: at(10), region: "湖南省" },
  // elsewhere (the test jurisdiction is config/jurisdiction.yaml's 长沙市): scope 外地
  { source: "新华网", title: "株洲一工厂拖欠工资", text: "株洲市芦淞区某工厂拖欠工人工资三个月，工人讨薪无果。", publishedAt: at(15) },
];

let stack: Stack;
let browser: Browser;
type Hit = SearchResponse["hits"][number];

beforeAll(async () => {
  stack = await startStack("analyst", { users, pipeline: true });
  const pushed = await stack.call<{ accepted: number }>("/api/v1/documents", { method: "POST", token: PUSH_TOKEN, body: posts.map((p) => JSON.stringify(p)).join("\n"), contentType: "application/x-ndjson" });
  expect(pushed.body.accepted).toBe(4);
  await waitFor(async () => (await stack.call<SearchResponse>(`/api/v1/search?since=${encodeURIComponent(at(60))}`, { token: users.analyst.token })).body.total === 4, { timeoutMs: 90_000, intervalMs: 1_000, what: "four posts indexed" });
  browser = await chromium.launch({ executablePath: process.env.LIAOWANG_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
});

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function apiHits(query: string): Promise<Hit[]> {
  return (await stack.call<SearchResponse>(`/api/v1/search?${query}`, { token: users.analyst.token })).body.hits;
}

async function pageIds(page: import("playwright-core").Page): Promise<string[]> {
  await page.locator("#result-count").waitFor({ timeout: 20_000 });
  return (await page.locator(".hit").evaluateAll((els) => els.map((e) => e.getAttribute("data-doc-id") ?? ""))).sort();
}

describe("search for analysts", () => {
  it("filters by source and sentiment in the page, with highlighted snippets, as the API does", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${users.analyst.token}`);
    await page.locator("#user", { hasText: users.analyst.name }).waitFor();
    await page.goto(`${stack.apiUrl}/#/search`);

    await page.locator('#search-form input[name="q"]').fill("工资");
    await page.locator('#search-form select[name="range"]').selectOption("24h");
    await page.locator('#search-form input[name="source"]').fill("长沙晚报");
    await page.locator("#search-form button[type=submit]").click();
    const bySource = await pageIds(page);
    const expected = (await apiHits(`q=${encodeURIComponent("工资")}&source=${encodeURIComponent("长沙晚报")}`)).map((h) => h.id).sort();
    expect(expected).toHaveLength(1);
    expect(bySource).toEqual(expected);
    await expect(page.locator(".hit .snippet em").count()).resolves.toBeGreaterThan(0);

    // a sentiment some posts have and others not: the page shows exactly those
    const all = await apiHits(`q=${encodeURIComponent("长沙")}`);
    const labels = [...new Set(all.map((h) => h.sentiment))];
    const label = labels.find((l) => l && all.some((h) => h.sentiment !== l)) as string;
    expect(label).toBeDefined();
    await page.goto(`${stack.apiUrl}/#/search?q=${encodeURIComponent("长沙")}&sentiment=${label}`);
    const bySentiment = await pageIds(page);
    // without words to highlight, each hit shows the start of its text
    await expect(page.locator(".hit .snippet").count()).resolves.toBe(bySentiment.length);
    expect(bySentiment).toEqual(all.filter((h) => h.sentiment === label).map((h) => h.id).sort());
    expect(bySentiment.length).toBeLessThan(all.length);
    await expect(page.locator('#search-form select[name="sentiment"]').inputValue()).resolves.toBe(label);
    await page.close();
  });

  it("filters by scope in the page (本地+涉本地, 外地), as the API does", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${users.analyst.token}`);
    await page.locator("#user", { hasText: users.analyst.name }).waitFor();
    await page.goto(`${stack.apiUrl}/#/search`);
    await page.locator('#search-form input[name="q"]').fill("工资");
    await page.locator('#search-form select[name="scope"]').selectOption("外地");
    await page.locator("#search-form button[type=submit]").click();
    const elsewhere = await pageIds(page);
    const apiElsewhere = await apiHits(`q=${encodeURIComponent("工资")}&scope=${encodeURIComponent("外地")}`);
    expect(apiElsewhere.map((h) => h.source)).toEqual(["新华网"]);
    expect(elsewhere).toEqual(apiElsewhere.map((h) => h.id));
    await expect(page.locator(`.hit[data-doc-id="${apiElsewhere[0]?.id}"] .chip.scope`).textContent()).resolves.toBe("外地");

    await page.locator('#search-form select[name="scope"]').selectOption("本地,涉本地");
    await page.locator("#search-form button[type=submit]").click();
    await expect.poll(() => decodeURIComponent(page.url())).toContain("scope=本地,涉本地");
    await page.locator("#result-count").waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await pageIds(page)).length).toBe(2);
    const local = await apiHits(`q=${encodeURIComponent("工资")}&scope=${encodeURIComponent("本地,涉本地")}`);
    expect(local.map((h) => h.source).sort()).toEqual(["人民网", "长沙晚报"]);
    expect(local.every((h) => h.scope === "本地")).toBe(true);
    expect(await pageIds(page)).toEqual(local.map((h) => h.id).sort());
    // without the filter, all three wage posts
    expect(await apiHits(`q=${encodeURIComponent("工资")}`)).toHaveLength(3);
    await page.close();
  });

  it("saves a search and runs it again with one click; other users do not see it", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${users.analyst.token}`);
    await page.locator("#user", { hasText: users.analyst.name }).waitFor();
    await page.goto(`${stack.apiUrl}/#/search?q=${encodeURIComponent("工资")}&source=${encodeURIComponent("人民网")}`);
    const first = await pageIds(page);
    expect(first).toHaveLength(1);
    await page.locator('#save-form input[name="name"]').fill("欠薪-人民网");
    await page.locator("#save-form button[type=submit]").click();
    const saved = page.locator('#saved-list a[data-saved="欠薪-人民网"]');
    await saved.waitFor({ timeout: 10_000 });

    await page.goto(`${stack.apiUrl}/#/search`);
    await page.locator('#saved-list a[data-saved="欠薪-人民网"]').click();
    await expect.poll(() => page.locator('#search-form input[name="source"]').inputValue()).toBe("人民网");
    expect(await pageIds(page)).toEqual(first);

    const others = await stack.call<{ searches: unknown[] }>("/api/v1/saved-searches", { token: users.duty.token });
    expect(others.body.searches).toEqual([]);
    const mine = await stack.call<{ searches: { id: string; name: string }[] }>("/api/v1/saved-searches", { token: users.analyst.token });
    expect(mine.body.searches.map((s) => s.name)).toEqual(["欠薪-人民网"]);
    const id = mine.body.searches[0]?.id as string;
    expect((await stack.call(`/api/v1/saved-searches/${encodeURIComponent(id)}`, { token: users.duty.token, method: "DELETE" })).status).toBe(404);
    await page.locator(`#saved-list button[data-delete="${id}"]`).click();
    await page.locator("#saved-list", { hasText: "无" }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it("exports trends as CSV, one row per bucket and series", async () => {
    const res = await fetch(`${stack.apiUrl}/api/v1/trends/export?hours=6&dimensions=sources`, { headers: { authorization: `Bearer ${users.analyst.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(csv.startsWith("\uFEFF时间（北京）,维度,值,篇数\r\n")).toBe(true);
    const rows = csv.trim().split("\r\n");
    const volume = rows.filter((r) => r.split(",")[1] === "全部").reduce((n, r) => n + Number(r.split(",")[3]), 0);
    const evening = rows.filter((r) => r.split(",")[2] === "长沙晚报").reduce((n, r) => n + Number(r.split(",")[3]), 0);
    expect(volume).toBe(4);
    expect(evening).toBe(2);
  });
});
