import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEntry } from "@liaowang/auth";
import type { ApiApp } from "../app.js";
import { registerPushRoute } from "./push.js";

// The API's push relay checks the push token before reading the body, on a real socket.

const TOKEN = "api-push-token-0123456789";
let app: ApiApp | undefined;
let ingest: Server | undefined;
let forwarded = 0;

afterEach(async () => {
  await app?.close();
  await new Promise<void>((resolve) => (ingest ? ingest.close(() => resolve()) : resolve()));
  app = undefined;
  ingest = undefined;
});

async function start(tokens: string[]): Promise<number> {
  ingest = createServer((req, res) => {
    forwarded += 1;
    req.resume();
    req.on("end", () => res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ accepted: 1, duplicates: 0, rejected: [] })));
  });
  await new Promise<void>((resolve) => ingest?.listen(0, "127.0.0.1", resolve));
  const ingestUrl = `http://127.0.0.1:${(ingest.address() as AddressInfo).port}`;
  app = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as ApiApp;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerPushRoute(app, { ingestUrl, maxBytes: 1024 * 1024, tokens });
  await app.listen({ host: "127.0.0.1", port: 0 });
  return (app.server.address() as AddressInfo).port;
}

/** POST with headers promising more body than is ever sent: only a check before the body can answer. */
function partialPost(port: number, authorization: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/api/v1/documents", headers: { authorization, "content-type": "application/x-ndjson", "content-length": "500000" } }, (res) => {
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
}

describe("POST /api/v1/documents (relay)", () => {
  it("refuses a missing or wrong push token before reading the body, and forwards nothing", async () => {
    forwarded = 0;
    const port = await start([TOKEN]);
    for (const auth of ["", "Bearer wrong-token-0123456789"]) {
      const answer = await partialPost(port, auth);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ error: "unauthenticated" });
    }
    expect(forwarded).toBe(0);
    const ok = await fetch(`http://127.0.0.1:${port}/api/v1/documents`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" }, body: "{}" });
    expect(ok.status).toBe(202);
    expect(forwarded).toBe(1);
  });

  it("relays the ingest service's 503 with its Retry-After, and answers 503 with Retry-After when ingest is down", async () => {
    ingest = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(503, { "content-type": "application/json", "retry-after": "1" }).end(JSON.stringify({ error: "unavailable", message: "overloaded" })));
    });
    await new Promise<void>((resolve) => ingest?.listen(0, "127.0.0.1", resolve));
    const ingestPort = (ingest.address() as AddressInfo).port;
    app = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as ApiApp;
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerPushRoute(app, { ingestUrl: `http://127.0.0.1:${ingestPort}`, maxBytes: 1024 * 1024, tokens: [TOKEN] });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/documents`;
    const post = () => fetch(url, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" }, body: "{}" });
    const busy = await post();
    expect([busy.status, busy.headers.get("retry-after"), ((await busy.json()) as { message: string }).message]).toEqual([503, "1", "overloaded"]);
    await new Promise<void>((resolve) => ingest!.close(() => resolve()));
    ingest = undefined;
    const down = await post();
    expect([down.status, down.headers.get("retry-after")]).toEqual([503, "5"]);
  });

  it("audits 30 concurrent pushes in a few shared records, each push on record before it is forwarded and answered", async () => {
    // The security audit's append as the real one behaves: serialised, each write taking a while.
    const records: (AuditEntry & { seq: number })[] = [];
    let writing = Promise.resolve();
    const audit = {
      append: (entry: AuditEntry) => {
        const done = writing.then(async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          records.push({ ...entry, seq: records.length + 1 });
          return { seq: records.length };
        });
        writing = done.then(() => undefined);
        return done;
      },
    };
    const attemptedPushes = () => records.filter((r) => r.outcome === "attempted").reduce((n, r) => n + (r.details!.pushes as number), 0);
    let covered = true;
    ingest = createServer((req, res) => {
      // every push reaching ingest is already on record
      forwarded += 1;
      if (attemptedPushes() < forwarded) covered = false;
      req.resume();
      req.on("end", () => res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ accepted: 2, duplicates: 1, rejected: [{ reason: "x" }] })));
    });
    forwarded = 0;
    await new Promise<void>((resolve) => ingest?.listen(0, "127.0.0.1", resolve));
    app = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as ApiApp;
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerPushRoute(app, { ingestUrl: `http://127.0.0.1:${(ingest.address() as AddressInfo).port}`, maxBytes: 1024 * 1024, tokens: [TOKEN], audit });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/documents`;
    const answers = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" }, body: "{}\n{}\n{}" });
        // the push's outcome is on record when its answer arrives
        const onRecord = records.filter((r) => r.outcome === "ok").reduce((n, r) => n + (r.details!.pushes as number), 0);
        return [res.status, onRecord > 0] as const;
      }),
    );
    expect(answers.every(([status, onRecord]) => status === 202 && onRecord)).toBe(true);
    expect(covered).toBe(true);
    expect(attemptedPushes()).toBe(30);
    const ok = records.filter((r) => r.outcome === "ok");
    expect(ok.reduce((n, r) => n + (r.details!.pushes as number), 0)).toBe(30);
    expect(ok.reduce((n, r) => n + (r.details!.accepted as number), 0)).toBe(60);
    expect(ok.reduce((n, r) => n + (r.details!.rejected as number), 0)).toBe(30);
    expect(ok.flatMap((r) => r.details!.attempts as number[]).every((seq) => records.some((a) => a.seq === seq && a.outcome === "attempted"))).toBe(true);
    expect(records.every((r) => r.actor === "push-token" && r.action === "POST /api/v1/documents")).toBe(true);
    // one record per push each way would be 60
    expect(records.length).toBeLessThanOrEqual(20);

    // a wrong token is on record as denied, and nothing is forwarded
    const before = forwarded;
    const denied = await fetch(url, { method: "POST", headers: { authorization: "Bearer wrong-token-0123456789", "content-type": "application/x-ndjson" }, body: "{}" });
    expect(denied.status).toBe(401);
    expect(records.at(-1)).toMatchObject({ outcome: "denied", actor: "anonymous", details: { statuses: { "401": 1 } } });
    expect(forwarded).toBe(before);
  });

  it("forwards nothing when the api service has no push tokens", async () => {
    forwarded = 0;
    const port = await start([]);
    const answer = await partialPost(port, `Bearer ${TOKEN}`);
    expect(answer.status).toBe(401);
    expect(answer.body).toContain("LIAOWANG_INGEST_TOKENS");
    expect(forwarded).toBe(0);
  });
});
