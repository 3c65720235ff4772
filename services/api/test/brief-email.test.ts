import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify as toYaml } from "yaml";
import { briefDateBefore, briefPeriod } from "@liaowang/alerting";
import { waitFor, tempDir } from "@liaowang/testing";
import { briefSendsIndex } from "../src/brief/mailer.js";
import { outputs, startStack, testUsers, type Stack } from "./harness.js";
import { indexPosts, post } from "./posts.js";

// The scheduled brief email through a real SMTP server: the api's node-cron job (every 2 s here) mails the
// previous day's brief, office-wide and per department, with the PDF attached and every line linked, and sends
// each brief once however many times the schedule fires.

const users = testUsers();
const received: { to: string[]; mail: ParsedMail }[] = [];
let smtp: SMTPServer;
let stack: Stack;
const date = briefDateBefore(Date.now(), "Asia/Shanghai");
const yesterday = briefPeriod(date, "Asia/Shanghai");
const at = new Date(Date.parse(yesterday.from) + 10 * 3_600_000).toISOString();

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      const to = session.envelope.rcptTo.map((r) => r.address);
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        void simpleParser(Buffer.concat(chunks)).then((mail) => received.push({ to, mail }));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
  const port = (smtp.server.address() as AddressInfo).port;
  const dir = tempDir("liaowang-brief-mail-");
  writeFileSync(join(dir, "notify.yaml"), toYaml({ smtp: { host: "127.0.0.1", port, secure: false, requireTLS: false, from: "瞭望舆情 <brief@liaowang.example.gov.cn>" }, targets: {} }));
  writeFileSync(
    join(dir, "brief.yaml"),
    toYaml({ timezone: "Asia/Shanghai", schedule: "*/2 * * * * *", recipients: [{ to: ["office@example.gov.cn", "leader@example.gov.cn"] }, { department: "hrss", to: ["yuqing@hrss.example.gov.cn"] }] }),
  );
  stack = await startStack("brief-mail", {
    users,
    env: { API_NOTIFY_FILE: join(dir, "notify.yaml"), API_BRIEF_FILE: join(dir, "brief.yaml") },
    // yesterday's posts are there before the schedule first fires
    beforeStart: (es, indexPrefix) =>
      indexPosts(es, indexPrefix, [
        post(21, { title: "农民工讨薪无果", text: "农民工 工资 拖欠 讨薪", at, words: ["工资", "农民工"], topic: "工资拖欠", sentiment: -0.8 }),
        post(22, { title: "工地欠薪", text: "工地 欠薪 工资", at, words: ["工资", "欠薪"], topic: "工资拖欠", sentiment: -0.4 }),
      ]),
  });
}, 180_000);

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  await stack?.stop();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

describe("daily brief email", () => {
  it("mails yesterday's briefs on schedule, once each, with links and the PDF", async () => {
    await waitFor(async () => received.length >= 2, { timeoutMs: 60_000, intervalMs: 500, what: "two brief emails" });
    const office = received.find((r) => r.to.includes("office@example.gov.cn"));
    const hrss = received.find((r) => r.to.includes("yuqing@hrss.example.gov.cn"));
    expect(office?.to.sort()).toEqual(["leader@example.gov.cn", "office@example.gov.cn"]);
    expect(office?.mail.subject).toBe(`【瞭望】全市舆情日报（${date}）`);
    expect(hrss?.mail.subject).toMatch(new RegExp(`^【瞭望】.+舆情日报（${date}）$`));
    expect(hrss?.mail.subject).not.toContain("全市");

    const html = String(office?.mail.html);
    expect(html).toContain("热词「工资」：2 篇");
    // every reference is an absolute link into the dashboard (API_PUBLIC_URL defaults to the api's own address)
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
    expect(hrefs.length).toBeGreaterThan(3);
    for (const href of hrefs) expect(href.startsWith(`${stack.apiUrl}/#/`), href).toBe(true);
    expect(hrefs).toContain(`${stack.apiUrl}/#/doc/${(21).toString(16).padStart(32, "0")}`);
    expect(office?.mail.text).toContain(`${stack.apiUrl}/#/search?q=`);
    // 审计存证: the mail pins the security audit's chain head (kept outside the system by whoever receives it)
    expect(office?.mail.text).toMatch(/审计存证\n(安全审计链头（日报生成时）：第 \d+ 条记录.*\n链头标识：\d+:[0-9a-f]{64}|安全审计尚无记录)/);

    const pdf = office?.mail.attachments.find((a) => a.contentType === "application/pdf");
    expect(pdf?.filename).toBe(`全市舆情日报（${date}）.pdf`);
    expect(pdf?.content.subarray(0, 5).toString()).toBe("%PDF-");

    // the schedule keeps firing every 2 s: no brief is sent twice
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(received).toHaveLength(2);
    const claims = await stack.es.search<{ key: string; sentAt: string | null }>({ index: briefSendsIndex(stack.indexPrefix), query: { match_all: {} } });
    expect(claims.hits.hits.map((h) => h._source?.key).sort()).toEqual([`brief:hrss:${date}`, `brief:office:${date}`]);
    expect(claims.hits.hits.every((h) => typeof h._source?.sentAt === "string")).toBe(true);
  });
});
