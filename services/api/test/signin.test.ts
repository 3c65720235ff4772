import { PassThrough } from "node:stream";
import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { userCommand } from "../../../packages/cli/src/security.js";
import { outputs, startStack, testUsers, type Stack } from "./harness.js";

// Sign-in in a real browser (Debian's chromium driven by playwright-core): user name and password into an
// HttpOnly session cookie, sign-out, a login link that asks before replacing who is signed in, and the audit
// administrator's 安全审计 page with the verified hash chain. The demo token never reaches the API log.

const DEMO_TOKEN = "signin-test-demo-token-0123456789abcd";
const PASSWORD = "Duty-Desk 2026!";
const users = testUsers();
let stack: Stack;
let browser: Browser;

async function addUser(args: string[]): Promise<void> {
  const stdin = new PassThrough();
  stdin.end(`${PASSWORD}\n`);
  let err = "";
  const stderr = new PassThrough();
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await userCommand(["add", ...args], { stdin, stdout: new PassThrough(), stderr, env: stack.env });
  if (code !== 0) throw new Error(`user add ${args.join(" ")}: ${err}`);
}

beforeAll(async () => {
  stack = await startStack("signin", { users, demoToken: DEMO_TOKEN });
  await addUser(["desk-2", "--name", "值班员乙", "--role", "duty_officer"]);
  await addUser(["auditor-1", "--name", "审计员丙", "--role", "audit_admin"]);
  browser = await chromium.launch({ executablePath: process.env.LIAOWANG_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
});

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signInThroughForm(page: import("playwright-core").Page, username: string, password: string): Promise<void> {
  await page.locator("#login[open]").waitFor();
  await page.fill("#login-username", username);
  await page.fill("#login-pass", password);
  await page.click("#login-form button[type=submit]");
}

describe("sign-in in the dashboard", () => {
  it("signs in with user name and password into an HttpOnly SameSite=Strict cookie, and signs out", async () => {
    const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const page = await context.newPage();
    await page.goto(stack.apiUrl);
    await signInThroughForm(page, "desk-2", "Wrong-Password 9");
    await page.locator("#login-error", { hasText: "用户名或密码错误" }).waitFor();
    await page.fill("#login-pass", PASSWORD);
    await page.click("#login-form button[type=submit]");
    await page.locator("#user", { hasText: "值班员乙" }).waitFor();
    const [cookie] = (await context.cookies()).filter((c) => c.name === "lw_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    // No bearer token in the page's storage: the session lives in the cookie only.
    expect(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem("liaowang.token"))).toBeNull();
    // Signing out is a state change: it carries the session's CSRF token.
    await page.click("#logout");
    await page.locator("#login[open]").waitFor();
    expect((await context.cookies()).filter((c) => c.name === "lw_session" && c.value !== "")).toHaveLength(0);
    const after = await page.evaluate(async () => (await fetch("/api/v1/me")).status);
    expect(after).toBe(401);
    await context.close();
  });

  it("asks before a login link replaces the signed-in identity", async () => {
    const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const page = await context.newPage();
    await page.goto(stack.apiUrl);
    await signInThroughForm(page, "desk-2", PASSWORD);
    await page.locator("#user", { hasText: "值班员乙" }).waitFor();

    const asked: string[] = [];
    page.once("dialog", (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    await page.reload();
    await page.locator("#user", { hasText: "值班员乙" }).waitFor();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain("演示值班员");
    expect(asked[0]).toContain("值班员乙");

    page.once("dialog", (dialog) => void dialog.accept());
    await page.goto(`${stack.apiUrl}/?again#token=${DEMO_TOKEN}`);
    await page.locator("#user", { hasText: "演示值班员" }).waitFor();
    await context.close();
  });

  it("shows the audit administrator the security audit with its verified chain, and nothing of the duty board", async () => {
    const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    const page = await context.newPage();
    await page.goto(stack.apiUrl);
    await signInThroughForm(page, "auditor-1", PASSWORD);
    await page.locator("#user", { hasText: "审计管理员" }).waitFor();
    await page.locator("#audit-chain", { hasText: "哈希链完整" }).waitFor();
    await page.locator("#audit-table tbody tr", { hasText: "auth.sign_in" }).first().waitFor();
    expect(await page.locator('nav a[data-route="board"]').isHidden()).toBe(true);
    await context.close();
    // The demo login token went to the operator's terminal, never to the API log.
    expect(outputs(stack.services)).not.toContain(DEMO_TOKEN);
  });
});
