import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { zonedDate, zonedDayStart } from "@liaowang/alerting";
import { AuditLog, authIndices } from "@liaowang/auth";
import { incident, outputs, startStack, testUsers, type Stack } from "./harness.js";
import { indexPosts, post } from "./posts.js";
import { tempDir } from "@liaowang/testing";

// 舆情日报 end to end: alerts opened by the real alerter, documents in the real document index, the brief page in
// Debian's chromium. Every line of the brief must carry a link, and every link must open what it names: the
// incident, the stored post, or a search that finds the posts counted.

const DEMO_TOKEN = "brief-test-demo-token-0123456789abcdef";
const users = testUsers();
const II = incident(31, { title: "岳麓区某化工厂发生爆炸，已造成12人遇难", level: "II", topic: "安全生产", keywords: ["爆炸", "化工厂"], onsetHoursAgo: 1 });
const IV = incident(32, { title: "岳麓区工地农民工反映工资拖欠", level: "IV", topic: "工资拖欠", keywords: ["欠薪", "工资"], onsetHoursAgo: 2 });

let stack: Stack;
let browser: Browser;

// Today's posts stay inside today (Beijing) even just after midnight; yesterday's is an hour before today began.
const todayStart = zonedDayStart(zonedDate(Date.now(), "Asia/Shanghai"), "Asia/Shanghai");
const minutesAgo = (m: number) => new Date(Math.max(todayStart + (30 - m) * 1000, Date.now() - m * 60_000)).toISOString();
const yesterday = new Date(todayStart - 3_600_000).toISOString();
const POSTS = [
  post(1, { title: "化工厂爆炸现场浓烟", text: "化工厂 爆炸 现场 浓烟 滚滚", at: minutesAgo(20), words: ["爆炸", "化工厂", "浓烟"], topic: "安全生产", sentiment: -0.9 }),
  post(2, { title: "爆炸致多人遇难", text: "爆炸 致 多人 遇难", at: minutesAgo(15), words: ["爆炸", "遇难"], topic: "安全生产", sentiment: -0.7 }),
  post(3, { title: "农民工讨薪", text: "农民工 工资 拖欠 半年", at: minutesAgo(10), words: ["工资", "农民工"], topic: "工资拖欠", sentiment: -0.5 }),
  post(4, { title: "昨日化工厂检查", text: "化工厂 安全 检查", at: yesterday, words: ["化工厂", "检查"], topic: "安全生产", sentiment: 0.1 }),
];

beforeAll(async () => {
  stack = await startStack("brief", { users, demoToken: DEMO_TOKEN });
  await indexPosts(stack.es, stack.indexPrefix, POSTS);
  await stack.seedIncidents([II, IV]);
  // The IV alert answered now: its 48 h clock is met today.
  const answered = await stack.call(`/api/v1/alerts/alert-${IV.id}/transitions`, { token: users.duty.token, method: "POST", body: { action: "respond", link: "https://gov.example/answer", publishedAt: new Date().toISOString() } });
  expect(answered.status).toBe(200);
  browser = await chromium.launch({ executablePath: process.env.LIAOWANG_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}, 180_000);

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A head a brief pinned is a record of the audit chain, and the chain verifies against it. */
async function expectInChain(seq: number, hash: string): Promise<void> {
  expect(seq).toBeGreaterThan(0);
  const verified = await new AuditLog(stack.es, authIndices(stack.indexPrefix).audit).verify({ expectHead: { seq, hash } });
  expect(verified.problems).toEqual([]);
  expect(verified.ok).toBe(true);
}

describe("daily brief (舆情日报)", () => {
  it("every line of the page links to what it rests on, and every link opens it", async () => {
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    await page.locator("#user", { hasText: "演示值班员" }).waitFor();
    await page.locator('nav a[data-route="brief"]').click();
    await page.locator(".brief-head h1", { hasText: "全市舆情日报" }).waitFor({ timeout: 20_000 });

    const lines = await page.locator(".brief-line").evaluateAll((els) => els.map((e) => ({ text: e.querySelector(".brief-text")?.textContent ?? "", hrefs: [...e.querySelectorAll("a.brief-ref")].map((a) => a.getAttribute("href") ?? "") })));
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const line of lines) expect(line.hrefs.length, `line without a link: ${line.text}`).toBeGreaterThan(0);
    const texts = lines.map((l) => l.text);
    expect(texts).toContain("II级（重大）：新增 1 起，在办 1 起");
    expect(texts).toContain("热词「爆炸」：2 篇，前一日 0 篇，新出现");
    expect(texts).toContain("热词「化工厂」：1 篇，前一日 1 篇，持平");
    expect(texts.some((t) => t.startsWith("按时：岳麓区工地农民工反映工资拖欠｜舆情回应（48 小时）"))).toBe(true);
    expect(texts.filter((t) => t.startsWith("微博｜") || t.startsWith("本地论坛｜"))).toHaveLength(3);
    // 审计存证: the audit's chain head when the brief was made, a record the chain still holds.
    const pinned = /链头标识：(\d+):([0-9a-f]{64})/.exec((await page.locator("#brief-audit").textContent()) ?? "");
    expect(pinned, "the brief pins the audit chain head").not.toBeNull();
    await expectInChain(Number(pinned?.[1]), pinned?.[2] as string);
    // the hot-word cloud is drawn by echarts-wordcloud, served from node_modules under the page's CSP
    await page.locator('#brief-cloud[data-ready="true"] canvas').waitFor({ timeout: 20_000 });

    // Open every distinct link and check it shows what the line names, and that every API call the opened page
    // makes answers (no 403 or 404 behind a page that merely looks right).
    const refused: string[] = [];
    page.on("response", (response) => {
      if (response.url().includes("/api/v1/") && response.status() >= 400) refused.push(`${response.status()} ${decodeURIComponent(response.url())}`);
    });
    const mainCall = (href: string) => {
      if (href.startsWith("#/alert/")) return `/api/v1/alerts/${href.slice("#/alert/".length)}`;
      if (href.startsWith("#/doc/")) return `/api/v1/documents/${href.slice("#/doc/".length)}`;
      return "/api/v1/search?";
    };
    const hrefs = [...new Set(lines.flatMap((l) => l.hrefs))];
    for (const href of hrefs) {
      const answered = page.waitForResponse((r) => r.url().includes(mainCall(href)) && !r.url().includes("/deliveries"), { timeout: 15_000 });
      await page.goto(`${stack.apiUrl}/${href}`);
      expect((await answered).status(), href).toBe(200);
      if (href.startsWith("#/alert/")) {
        const id = decodeURIComponent(href.slice("#/alert/".length));
        const title = id === `alert-${II.id}` ? II.title : IV.title;
        await page.locator("h1", { hasText: title }).waitFor({ timeout: 15_000 });
      } else if (href.startsWith("#/doc/")) {
        const id = decodeURIComponent(href.slice("#/doc/".length));
        await page.locator(`[data-doc-id="${id}"] .doc-text`).waitFor({ timeout: 15_000 });
        expect(POSTS.map((p) => p.id)).toContain(id);
      } else if (href.startsWith("#/search?")) {
        await page.locator(".hit").first().waitFor({ timeout: 15_000 });
        const found = await page.locator(".hit").count();
        const expected = lines.find((l) => l.hrefs.includes(href))?.text.match(/：(\d+) 篇/)?.[1];
        if (expected) expect(found, href).toBe(Number(expected));
      } else {
        throw new Error(`unexpected link ${href}`);
      }
    }
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a department head gets their own department's brief only", async () => {
    const own = await stack.call<{ brief: { title: string; sections: { id: string; lines: { text: string }[] }[] } }>("/api/v1/brief", { token: users.hrssHead.token });
    expect(own.status).toBe(200);
    expect(own.body.brief.title).toMatch(/^.+舆情日报（\d{4}-\d{2}-\d{2}）$/);
    expect(own.body.brief.title.startsWith("全市")).toBe(false);
    const other = await stack.call("/api/v1/brief?department=emergency", { token: users.hrssHead.token });
    expect(other.status).toBe(403);
    const anonymous = await stack.call("/api/v1/brief");
    expect(anonymous.status).toBe(401);
  });

  it("renders the PDF in Chinese with the lines linked to the dashboard", async () => {
    const res = await fetch(`${stack.apiUrl}/api/v1/brief/pdf`, { headers: { authorization: `Bearer ${users.analyst.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const dir = tempDir("liaowang-brief-pdf-");
    writeFileSync(join(dir, "brief.pdf"), pdf);
    // poppler-utils (scripts/setup.sh): the text layer holds the Chinese lines, so the font is embedded and mapped
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", join(dir, "brief.pdf"), "-"], { encoding: "utf8" });
    expect(text).toContain("全市舆情日报");
    expect(text).toContain("岳麓区某化工厂发生爆炸");
    expect(text).toContain("热词「爆炸」：2 篇");
    expect(text).toContain("审计存证");
    const pinned = /链头标识：(\d+):([0-9a-f]{64})/.exec(text);
    expect(pinned, "the printed brief pins the audit chain head").not.toBeNull();
    await expectInChain(Number(pinned?.[1]), pinned?.[2] as string);
    execFileSync("pdftoppm", ["-png", "-r", "40", "-f", "1", "-l", "1", join(dir, "brief.pdf"), join(dir, "page")]);
    expect(readdirSync(dir).some((f) => f.startsWith("page") && f.endsWith(".png"))).toBe(true);
    // link annotations point at the dashboard (API_PUBLIC_URL) detail pages
    const raw = pdf.toString("latin1");
    expect(raw).toContain(`#/alert/alert-${II.id}`);
    expect(raw).toMatch(/\/URI \(http:\/\/127\.0\.0\.1:\d+\/#\/doc\//);
  });
});
