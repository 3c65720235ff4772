import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { unavailable } from "@liaowang/errors";
import { Intake } from "@liaowang/ingest";
import type { PollResult } from "@liaowang/ingest";
import { createLogger } from "@liaowang/logger";
import type { RawDocument } from "@liaowang/schemas";
import { createHttpServer, pushFormat, registerPollRoutes, registerPushRoutes, type HttpApp } from "./http.js";

// Glue tests with fastify's in-memory inject and an in-memory stand-in for the raw topic; the real server on
// the real stack is covered in services/ingest/test.

const TOKEN = "test-token-0123456789";
const log = createLogger({ service: "test", level: "silent", destination: new Writable({ write: (_c, _e, done) => done() }) });
const record = (text: string, extra: object = {}) => ({ source: "weibo", text, publishedAt: "2024-05-01T09:00:00+08:00", ...extra });

let app: HttpApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function server(options: { fail?: boolean; tokens?: string[] } = {}) {
  const produced: RawDocument[] = [];
  const intake = new Intake({
    send: async (_key, docs) => {
      if (options.fail === true) throw unavailable("could not produce 1 message(s) to liaowang.raw: broker down");
      produced.push(...(docs as RawDocument[]));
    },
  });
  app = createHttpServer({ log, maxBodyBytes: 4096 });
  registerPushRoutes(app, { intake, tokens: options.tokens ?? [TOKEN] });
  return { app, produced };
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe("POST /api/v1/documents", () => {
  it("refuses a wrong token before reading the body (onRequest), on a real socket", async () => {
    const { app } = server();
    await app.listen({ host: "127.0.0.1", port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    // Headers promise 8 MiB, and only 1 KiB ever arrives: a guard that waited for the body would never answer.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "/api/v1/documents", headers: { authorization: "Bearer wrong-token-0123456789", "content-type": "application/x-ndjson", "content-length": "4000" } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on("error", reject);
      req.write("x".repeat(1024));
      setTimeout(() => reject(new Error("no answer within 5 s: the body was awaited before the token check")), 5_000).unref();
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: "unauthenticated" });
  });

  it("answers a 2 MiB junk body with a bounded report (first 100 reasons, each cut, and the total)", async () => {
    const produced: RawDocument[] = [];
    app = createHttpServer({ log, maxBodyBytes: 4 * 1024 * 1024 });
    registerPushRoutes(app, { intake: new Intake({ send: async (_k, docs) => void produced.push(...(docs as RawDocument[])) }), tokens: [TOKEN], limits: { maxRecords: 1_000_000 } });
    const line = `{"source":"x","text":"${"垃".repeat(200)}","publishedAt":"${"9".repeat(300)}"}`;
    const lines = Math.ceil((2 * 1024 * 1024) / (Buffer.byteLength(line) + 1));
    const body = Array.from({ length: lines }, () => line).join("\n");
    const response = await app.inject({ method: "POST", url: "/api/v1/documents", headers: { ...auth, "content-type": "application/x-ndjson" }, payload: body });
    expect(response.statusCode).toBe(400);
    expect(response.body.length).toBeLessThan(64 * 1024);
    const report = response.json<{ rejected: { reason: string }[]; rejectedCount: number; rejectedOmitted: number }>();
    expect(report.rejected).toHaveLength(100);
    expect(report.rejectedCount).toBe(lines);
    expect(report.rejectedOmitted).toBe(lines - 100);
    expect(Math.max(...report.rejected.map((r) => r.reason.length))).toBeLessThanOrEqual(301);
    expect(produced).toHaveLength(0);
    // Over the record cap, the request is refused as a whole.
    await app.close();
    app = createHttpServer({ log, maxBodyBytes: 4 * 1024 * 1024 });
    registerPushRoutes(app, { intake: new Intake({ send: async () => undefined }), tokens: [TOKEN] });
    const many = await app.inject({ method: "POST", url: "/api/v1/documents", headers: { ...auth, "content-type": "application/x-ndjson" }, payload: Array.from({ length: 10_001 }, () => "{}").join("\n") });
    expect(many.statusCode).toBe(400);
    expect(many.json()).toEqual({ error: "invalid_input", message: "the body holds 10001 records; send at most 10000 per request" });
  });

  it("accepts NDJSON, answering 202 with each bad line's number and reason", async () => {
    const { app, produced } = server();
    const body = [JSON.stringify(record("城东化工厂爆炸，3人死亡")), "{broken", JSON.stringify(record("小区停水", { publishedAt: "later" }))].join("\n");
    const response = await app.inject({ method: "POST", url: "/api/v1/documents", headers: { ...auth, "content-type": "application/x-ndjson" }, payload: body });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { where: "line 2", line: 2, reason: expect.stringMatching(/^line 2: not valid JSON/) },
        { where: "line 3", line: 3, reason: 'line 3: publishedAt: expected an ISO-8601 date-time, got "later"' },
      ],
      rejectedCount: 2,
      rejectedOmitted: 0,
      ids: [produced[0]?.id],
    });
    expect(produced[0]).toMatchObject({ source: "weibo", sourceKind: "api", text: "城东化工厂爆炸，3人死亡" });
  });

  it("accepts a JSON array or a single object, and says 400 when nothing is usable", async () => {
    const { app, produced } = server();
    const array = await app.inject({ method: "POST", url: "/api/v1/documents", headers: auth, payload: [record("一"), record("二"), { text: 3 }] });
    expect(array.statusCode).toBe(202);
    expect(array.json()).toMatchObject({ accepted: 2, rejected: [{ where: "index 2", index: 2 }] });
    const single = await app.inject({ method: "POST", url: "/api/v1/documents", headers: auth, payload: record("三") });
    expect(single.json()).toMatchObject({ accepted: 1 });
    const bad = await app.inject({ method: "POST", url: "/api/v1/documents", headers: auth, payload: [{ text: "no source" }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ accepted: 0, rejected: [{ reason: expect.stringContaining("source: required") }] });
    expect(produced).toHaveLength(3);
  });

  it("refuses missing or wrong tokens, and everything when no token is configured", async () => {
    const { app } = server();
    for (const headers of [{}, { authorization: "Bearer wrong-token-0123456789" }, { authorization: TOKEN }]) {
      const response = await app.inject({ method: "POST", url: "/api/v1/documents", headers, payload: [record("x")] });
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toBe("Bearer");
    }
    await app.close();
    const open = server({ tokens: [] }).app;
    const response = await open.inject({ method: "POST", url: "/api/v1/documents", headers: auth, payload: [record("x")] });
    expect(response.json()).toEqual({ error: "unauthenticated", message: "push ingestion is not configured with any token (LIAOWANG_INGEST_TOKENS)" });
  });

  it("answers 400 for an empty, non-JSON or XML body and 413 for an oversized one", async () => {
    const { app } = server();
    const post = (payload: string, type = "application/json") => app.inject({ method: "POST", url: "/api/v1/documents", headers: { ...auth, "content-type": type }, payload });
    expect((await post("  ")).json()).toMatchObject({ error: "invalid_input", message: expect.stringMatching(/^empty body/) });
    expect((await post("[1,")).json()).toMatchObject({ error: "invalid_input", message: expect.stringMatching(/^not valid JSON/) });
    expect((await post("<rss/>", "text/plain")).statusCode).toBe(400);
    expect((await post(`[${JSON.stringify(record("长".repeat(3000)))}]`)).statusCode).toBe(413);
  });

  it("answers 503 when Kafka does not take the documents", async () => {
    const { app } = server({ fail: true });
    const response = await app.inject({ method: "POST", url: "/api/v1/documents", headers: auth, payload: [record("x")] });
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("5");
    expect(response.json()).toEqual({ error: "unavailable", message: "could not produce 1 message(s) to liaowang.raw: broker down" });
  });

  it("answers 503 with Retry-After while too many pushed records wait for Kafka, and takes pushes again once they went", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const produced: RawDocument[] = [];
    app = createHttpServer({ log, maxBodyBytes: 1024 * 1024 });
    registerPushRoutes(app, {
      intake: new Intake({
        send: async (_key, docs) => {
          await held;
          produced.push(...(docs as RawDocument[]));
        },
      }),
      tokens: [TOKEN],
      limits: { maxPendingRecords: 5 },
    });
    const push = (from: number, n: number) =>
      app!.inject({ method: "POST", url: "/api/v1/documents", headers: auth, payload: Array.from({ length: n }, (_, i) => record(`第${from + i}条`)) });
    // Larger than the bound on its own: taken, since nothing else waits.
    const first = push(0, 8);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await push(100, 1);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(refused.json().message).toContain("overloaded: 8 pushed records are still waiting for Kafka");
    release();
    expect((await first).statusCode).toBe(202);
    expect((await push(200, 3)).statusCode).toBe(202);
    expect(produced).toHaveLength(11);
  });
});

describe("pushFormat", () => {
  it("trusts an NDJSON content type and otherwise looks at the content", () => {
    expect(pushFormat("application/x-ndjson", "[]")).toBe("ndjson");
    expect(pushFormat("application/json", '{"a":1}\n{"a":2}')).toBe("ndjson");
    expect(pushFormat("application/json", "[]")).toBe("json");
    expect(pushFormat("text/plain", "<rss/>")).toBeUndefined();
    expect(pushFormat("text/csv; charset=utf-8", "source,text")).toBe("csv");
  });
});

describe("poll routes", () => {
  it("lists sources with their last poll and polls one on demand", async () => {
    const result: PollResult = { source: "gov", at: "2024-05-01T00:00:00.000Z", ok: true, accepted: 2, duplicates: 0, rejected: [], durationMs: 5 };
    const polled: string[] = [];
    const poller = {
      sources: [{ name: "gov", kind: "rss" as const, url: "https://x.gov.cn/rss", schedule: "* * * * *", enabled: true }],
      status: () => [result],
      pollSource: async (name: string) => (polled.push(name), result),
    };
    app = createHttpServer({ log, maxBodyBytes: 1024 });
    registerPollRoutes(app, { pollers: [poller], tokens: [TOKEN] });
    expect((await app.inject({ method: "GET", url: "/api/v1/sources" })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/api/v1/sources", headers: auth })).json()).toEqual({ sources: [{ name: "gov", kind: "rss", schedule: "* * * * *", lastPoll: result }] });
    expect((await app.inject({ method: "POST", url: "/api/v1/sources/gov/poll", headers: auth })).json()).toEqual(result);
    expect((await app.inject({ method: "POST", url: "/api/v1/sources/nope/poll", headers: auth })).statusCode).toBe(404);
    expect(polled).toEqual(["gov"]);
  });
});
