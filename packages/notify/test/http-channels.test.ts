import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createDingtalkChannel,
  createSmsChannel,
  createWebhookChannel,
  createWecomChannel,
  Notification,
  SmsGatewayConfig,
  smsCapacity,
  WECOM_MARKDOWN_MAX_BYTES,
} from "../src/index.js";
import { sampleNotification } from "../src/testing/index.js";
import { closedPort, startReceiver, type Receiver } from "./receiver.js";

let peer: Receiver;
beforeAll(async () => {
  peer = await startReceiver();
});
afterAll(async () => {
  await peer.close();
});
beforeEach(() => peer.reset());

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

describe("generic webhook against a real HTTP receiver", () => {
  const secret = "webhook-secret-0123456789";

  it("POSTs the notification as JSON signed over timestamp + body, with the Idempotency-Key", async () => {
    const n = sampleNotification({ level: "I" });
    const result = await createWebhookChannel().send(n, { channel: "webhook", url: `${peer.baseUrl}/hooks/liaowang`, secret });
    expect(result).toMatchObject({ ok: true, retriable: false, status: 200 });

    const req = only(peer.requests);
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/hooks/liaowang");
    expect(req.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(req.headers["idempotency-key"]).toBe(n.idempotencyKey);
    const timestamp = String(req.headers["x-liaowang-timestamp"]);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    // Verified here independently of the package's own helper.
    const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${req.body}`).digest("hex")}`;
    expect(req.headers["x-liaowang-signature"]).toBe(expected);
    const payload = JSON.parse(req.body) as { version: number; notification: unknown };
    expect(payload.version).toBe(1);
    expect(Notification.parse(payload.notification)).toEqual(n);
  });

  it("classifies 5xx and 429 as retriable and other 4xx as permanent", async () => {
    const target = { channel: "webhook" as const, url: `${peer.baseUrl}/hooks/liaowang`, secret };
    peer.respond(() => ({ status: 503, body: "maintenance" }));
    expect(await createWebhookChannel().send(sampleNotification(), target)).toEqual({ ok: false, retriable: true, status: 503, error: "HTTP 503: maintenance" });
    peer.respond(() => ({ status: 429, headers: { "retry-after": "7" } }));
    expect(await createWebhookChannel().send(sampleNotification(), target)).toMatchObject({ ok: false, retriable: true, status: 429, retryAfterMs: 7_000 });
    peer.respond(() => ({ status: 401, body: "bad signature" }));
    expect(await createWebhookChannel().send(sampleNotification(), target)).toMatchObject({ ok: false, retriable: false, status: 401 });
    peer.respond(() => ({ status: 307, headers: { location: "http://127.0.0.1:1/elsewhere" } }));
    expect(await createWebhookChannel().send(sampleNotification(), target)).toMatchObject({ ok: false, retriable: false, status: 307 });
    expect(peer.requests).toHaveLength(4);
  });

  it("times out a peer that does not answer, and reports a refused connection, both retriable", async () => {
    peer.respond(() => ({ status: 200, delayMs: 2_000 }));
    const started = Date.now();
    const slow = await createWebhookChannel({ timeoutMs: 200 }).send(sampleNotification(), { channel: "webhook", url: `${peer.baseUrl}/slow`, secret });
    expect(slow).toEqual({ ok: false, retriable: true, error: "no reply within 200 ms" });
    expect(Date.now() - started).toBeLessThan(1_500);
    const refused = await createWebhookChannel().send(sampleNotification(), { channel: "webhook", url: `http://127.0.0.1:${await closedPort()}/closed`, secret });
    expect(refused).toEqual({ ok: false, retriable: true, error: "network error: ECONNREFUSED" });
  });
});

describe("WeCom group robot against a real HTTP receiver", () => {
  const url = (): string => `${peer.baseUrl}/cgi-bin/webhook/send?key=robot-key-1`;

  it("POSTs a markdown message within 4096 bytes to the robot URL", async () => {
    const n = sampleNotification({ body: Array.from({ length: 200 }, (_, i) => `第${i}条：相关舆情摘要`) });
    expect(await createWecomChannel().send(n, { channel: "wecom", url: url() })).toEqual({ ok: true, retriable: false, status: 0 });
    const req = only(peer.requests);
    expect(req.path).toBe("/cgi-bin/webhook/send");
    expect(req.query.get("key")).toBe("robot-key-1");
    const body = JSON.parse(req.body) as { msgtype: string; markdown: { content: string } };
    expect(Object.keys(body).sort()).toEqual(["markdown", "msgtype"]);
    expect(body.msgtype).toBe("markdown");
    expect(Buffer.byteLength(body.markdown.content, "utf8")).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
    expect(body.markdown.content).toContain("**某市化工园区发生爆炸事故，已造成12人遇难**");
    expect(body.markdown.content).toContain(`[确认收到](${n.ackUrl})`);
  });

  it("treats errcode ≠ 0 as failure; 45009 (rate limit) is retriable", async () => {
    peer.respond(() => ({ status: 200, body: '{"errcode":45009,"errmsg":"api freq out of limit"}' }));
    expect(await createWecomChannel().send(sampleNotification(), { channel: "wecom", url: url() })).toEqual({
      ok: false,
      retriable: true,
      status: 45009,
      error: "WeCom errcode 45009: api freq out of limit",
      retryAfterMs: 60_000,
    });
    peer.respond(() => ({ status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' }));
    expect(await createWecomChannel().send(sampleNotification(), { channel: "wecom", url: url() })).toMatchObject({ ok: false, retriable: false, status: 93000 });
  });
});

describe("DingTalk robot with 加签 against a real HTTP receiver", () => {
  const secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";

  it("signs the URL with timestamp and sign, and POSTs markdown with title and text", async () => {
    const n = sampleNotification({ level: "I", kind: "escalation" });
    const result = await createDingtalkChannel().send(n, { channel: "dingtalk", url: `${peer.baseUrl}/robot/send?access_token=tok-1`, secret });
    expect(result).toEqual({ ok: true, retriable: false, status: 0 });
    const req = only(peer.requests);
    expect(req.query.get("access_token")).toBe("tok-1");
    const timestamp = req.query.get("timestamp") ?? "";
    expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(3_600_000);
    // What DingTalk's server does: recompute base64(HmacSHA256(secret, timestamp + "\n" + secret)).
    const expected = createHmac("sha256", secret).update(`${timestamp}\n${secret}`).digest("base64");
    expect(req.query.get("sign")).toBe(expected);
    const body = JSON.parse(req.body) as { msgtype: string; markdown: { title: string; text: string } };
    expect(body.msgtype).toBe("markdown");
    expect(body.markdown.title).toBe("【瞭望·升级通知】I级 某市化工园区发生爆炸事故，已造成12人遇难");
    expect(body.markdown.text).toContain("### 【瞭望·升级通知】I级（特别重大）\n\n**某市化工园区");
    expect(body.markdown.text).toContain(`[确认收到](${n.ackUrl})`);
  });

  it("treats 130101 (send too fast) as retriable after the 10-minute mute, 310000 as permanent", async () => {
    const target = { channel: "dingtalk" as const, url: `${peer.baseUrl}/robot/send?access_token=tok-1`, secret };
    peer.respond(() => ({ status: 200, body: '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}' }));
    expect(await createDingtalkChannel().send(sampleNotification(), target)).toMatchObject({ ok: false, retriable: true, status: 130101, retryAfterMs: 600_000 });
    peer.respond(() => ({ status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' }));
    expect(await createDingtalkChannel().send(sampleNotification(), target)).toMatchObject({ ok: false, retriable: false, status: 310000 });
  });
});

describe("SMS gateway against a real HTTP receiver", () => {
  const gateway = (): SmsGatewayConfig => SmsGatewayConfig.parse({ url: `${peer.baseUrl}/sms/send`, token: "sms-token-123", signName: "【瞭望】", maxSegments: 3 });

  it("POSTs {to, text, idempotencyKey} with a bearer token; text fits three parts and keeps the ack link", async () => {
    peer.respond(() => ({ status: 200, body: '{"id":"sms-42"}' }));
    const n = sampleNotification({ title: "某市化工园区发生爆炸事故，现场浓烟滚滚，".repeat(6) });
    const result = await createSmsChannel(gateway()).send(n, { channel: "sms", to: ["+8613800000000", "13900000000"] });
    expect(result).toEqual({ ok: true, retriable: false, status: 200, providerMessageId: "sms-42" });
    const req = only(peer.requests);
    expect(req.headers.authorization).toBe("Bearer sms-token-123");
    const body = JSON.parse(req.body) as { to: string[]; text: string; idempotencyKey: string };
    expect(Object.keys(body).sort()).toEqual(["idempotencyKey", "text", "to"]);
    expect(body.to).toEqual(["+8613800000000", "13900000000"]);
    expect(body.idempotencyKey).toBe(n.idempotencyKey);
    expect(body.text.startsWith("【瞭望】[II级·新预警]某市化工园区")).toBe(true);
    expect(body.text.length).toBeLessThanOrEqual(smsCapacity(3));
    expect(body.text.endsWith(`确认：${n.ackUrl}`)).toBe(true);
  });

  it("retries gateway 5xx but not 4xx", async () => {
    peer.respond(() => ({ status: 502 }));
    expect(await createSmsChannel(gateway()).send(sampleNotification(), { channel: "sms", to: ["13800000000"] })).toMatchObject({ ok: false, retriable: true, status: 502 });
    peer.respond(() => ({ status: 422, body: '{"error":"bad number"}' }));
    expect(await createSmsChannel(gateway()).send(sampleNotification(), { channel: "sms", to: ["13800000000"] })).toMatchObject({ ok: false, retriable: false, status: 422 });
  });
});
