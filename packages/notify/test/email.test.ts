import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEmailChannel, emailMessageId, mergeDigest, SmtpConfig } from "../src/index.js";
import { sampleNotification } from "../src/testing/index.js";
import { closedPort } from "./receiver.js";

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  user: string | undefined;
}

let server: SMTPServer;
let port = 0;
const received: Received[] = [];
let rcptReply: { code: number; message: string } | null = null;

beforeAll(async () => {
  server = new SMTPServer({
    // Plain SMTP with AUTH on loopback only: the test peer has no certificate to offer.
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "duty" && auth.password === "smtp-pass-1") callback(null, { user: auth.username });
      else callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      if (rcptReply) callback(Object.assign(new Error(rcptReply.message), { responseCode: rcptReply.code }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          user: typeof session.user === "string" ? session.user : undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  rcptReply = null;
});

const smtp = (overrides: Partial<SmtpConfig> = {}): SmtpConfig =>
  SmtpConfig.parse({ host: "127.0.0.1", port, secure: false, requireTLS: false, user: "duty", pass: "smtp-pass-1", from: "瞭望值班 <duty@liaowang.example.gov.cn>", ...overrides });

async function parsedOnly(): Promise<ParsedMail> {
  expect(received).toHaveLength(1);
  return simpleParser((received[0] as Received).raw);
}

describe("email via a real SMTP server", () => {
  it("delivers a UTF-8 message with a Chinese subject, text and HTML bodies and the ack link", async () => {
    const n = sampleNotification({ level: "I", kind: "escalation" });
    const result = await createEmailChannel(smtp()).send(n, { channel: "email", to: ["head@example.gov.cn", "duty@example.gov.cn"] });
    expect(result).toMatchObject({ ok: true, retriable: false, status: 250 });
    expect(result.providerMessageId).toBe(emailMessageId(n.idempotencyKey, "duty@liaowang.example.gov.cn"));

    expect(received[0]).toMatchObject({ from: "duty@liaowang.example.gov.cn", to: ["head@example.gov.cn", "duty@example.gov.cn"], user: "duty" });
    const mail = await parsedOnly();
    expect(mail.subject).toBe("【瞭望·升级通知】I级 某市化工园区发生爆炸事故，已造成12人遇难");
    expect(mail.from?.value[0]).toMatchObject({ name: "瞭望值班", address: "duty@liaowang.example.gov.cn" });
    expect(mail.text).toContain("某市化工园区发生爆炸事故，已造成12人遇难");
    expect(mail.text).toContain("责任部门：市应急管理局");
    expect(mail.text).toContain("权威信息发布：2024-05-01 13:10 前（北京时间）");
    expect(mail.text).toContain(`确认收到：${n.ackUrl}`);
    expect(mail.html).toContain(`<a href="${n.ackUrl}">确认收到</a>`);
    expect(mail.html).toContain("<strong>首发</strong>：2024-05-01 08:10 微博用户发帖");
    expect(mail.messageId).toBe(result.providerMessageId);
    expect(mail.headers.get("x-liaowang-idempotency-key")).toBe(n.idempotencyKey);
    expect(mail.headers.get("x-liaowang-alert-id")).toBe(n.alertId);
    expect(received[0]?.raw.toString("latin1")).toMatch(/charset=utf-8/i);
  });

  it("sends a digest listing every merged alert with its own link", async () => {
    const digest = mergeDigest([
      sampleNotification({ alertId: "a1", idempotencyKey: "k1", title: "化工厂爆炸", ackUrl: "https://liaowang.example.gov.cn/ack?t=1" }),
      sampleNotification({ alertId: "a2", idempotencyKey: "k2", title: "自来水停供", level: "IV", ackUrl: "https://liaowang.example.gov.cn/ack?t=2" }),
    ]);
    expect((await createEmailChannel(smtp()).send(digest, { channel: "email", to: ["duty@example.gov.cn"] })).ok).toBe(true);
    const mail = await parsedOnly();
    expect(mail.subject).toBe("【瞭望·预警汇总】2 条预警，最高 II级：化工厂爆炸");
    expect(mail.text).toContain("2. [IV级·新预警] 自来水停供（市应急管理局）");
    expect(mail.text).toContain("确认：https://liaowang.example.gov.cn/ack?t=2");
  });

  it("retries a 4xx SMTP reply and gives up on a 5xx reply or bad credentials", async () => {
    rcptReply = { code: 451, message: "Try again later" };
    expect(await createEmailChannel(smtp()).send(sampleNotification(), { channel: "email", to: ["x@example.gov.cn"] })).toMatchObject({ ok: false, retriable: true, status: 451 });
    rcptReply = { code: 550, message: "No such user" };
    expect(await createEmailChannel(smtp()).send(sampleNotification(), { channel: "email", to: ["x@example.gov.cn"] })).toMatchObject({ ok: false, retriable: false, status: 550 });
    rcptReply = null;
    const badAuth = await createEmailChannel(smtp({ pass: "wrong" })).send(sampleNotification(), { channel: "email", to: ["x@example.gov.cn"] });
    expect(badAuth).toMatchObject({ ok: false, retriable: false, status: 535 });
    expect(badAuth.error).not.toContain("wrong");
    expect(received).toHaveLength(0);
  });

  it("retries when the SMTP server cannot be reached", async () => {
    const result = await createEmailChannel(smtp({ port: await closedPort() }), { timeoutMs: 2_000 }).send(sampleNotification(), { channel: "email", to: ["x@example.gov.cn"] });
    expect(result).toMatchObject({ ok: false, retriable: true });
    expect(result.error).toMatch(/^SMTP (ESOCKET|ECONNECTION)/);
  });

  it("refuses to send credentials without TLS unless told to", async () => {
    const result = await createEmailChannel(smtp({ requireTLS: true })).send(sampleNotification(), { channel: "email", to: ["x@example.gov.cn"] });
    expect(result).toMatchObject({ ok: false });
    expect(received).toHaveLength(0);
  });
});
