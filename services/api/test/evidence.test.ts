import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { spawnService, waitFor } from "@liaowang/testing";
import { incident, outputs, startStack, testUsers, type Stack } from "./harness.js";
import { indexPosts, post } from "./posts.js";

// 证据固定 end to end: posts served by a local web server join an incident; the evidence service (a real process)
// keeps their originals through the SSRF-guarded fetcher; a post deleted at its source is marked 已删除 on the next
// re-check and is still shown from its evidence; the evidence package's hashes match the bytes that were served.

const DEMO_TOKEN = "evidence-test-demo-token-0123456789ab";
const users = testUsers();
const pages = new Map<string, Buffer>([
  ["/weibo/1", Buffer.from("<!doctype html><meta charset=utf-8><title>爆炸</title><p>岳麓区化工厂爆炸，现场浓烟滚滚。</p>", "utf8")],
  ["/bbs/2", Buffer.from("<!doctype html><meta charset=utf-8><p>网友：爆炸致多人遇难，希望尽快公布消息。</p>", "utf8")],
]);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const originals = new Map([...pages].map(([path, bytes]) => [path, bytes]));

let server: Server;
let base = "";
let stack: Stack;
let browser: Browser;
let inc: ReturnType<typeof incident>;
let P1: ReturnType<typeof post>;
let P2: ReturnType<typeof post>;

type EvidenceList = { posts: { docId: string; state: string; sha256: string | null; capturedAt: string | null; deletedAt: string | null; deletedReason: string | null; url: string | null }[] };

function readZip(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error("no zip"));
      const files = new Map<string, Buffer>();
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error("no stream"));
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(files));
      zip.readEntry();
    });
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = pages.get(req.url ?? "");
    if (!body) {
      res.writeHead(404, { "content-type": "text/html; charset=utf-8" }).end("<p>404</p>");
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const at = new Date(Date.now() - 30 * 60_000).toISOString();
  P1 = post(51, { title: "岳麓区化工厂爆炸", text: "岳麓区 化工厂 爆炸 现场 浓烟", at, words: ["爆炸", "化工厂"], topic: "安全生产", sentiment: -0.8, url: `${base}/weibo/1` });
  P2 = post(52, { title: "爆炸致多人遇难", text: "爆炸 致 多人 遇难", at, words: ["爆炸", "遇难"], topic: "安全生产", sentiment: -0.7, url: `${base}/bbs/2` });
  const seed = incident(41, { title: "岳麓区某化工厂发生爆炸", level: "II", topic: "安全生产", keywords: ["爆炸", "化工厂"], onsetHoursAgo: 1 });
  const ref = (p: typeof P1) => ({ docId: p.id, source: p.source, url: p.url, title: p.title, snippet: p.text, publishedAt: p.publishedAt });
  inc = { ...seed, firstSource: ref(P1), representativeDocs: [ref(P1), ref(P2)], timeline: [{ at: P1.publishedAt, kind: "first_post", text: "首发", docId: P1.id, source: P1.source }] };
  stack = await startStack("evidence", { users, demoToken: DEMO_TOKEN, beforeStart: (es, indexPrefix) => indexPosts(es, indexPrefix, [P1, P2]) });
  stack.services.push(
    spawnService("services/evidence/src/main.ts", { ...stack.env, EVIDENCE_CAPTURE_SCHEDULE: "*/1 * * * * *", EVIDENCE_RECHECK_SCHEDULE: "*/2 * * * * *", EVIDENCE_ALLOW_INTERNAL: "127.0.0.1" }),
  );
  await stack.seedIncidents([inc]);
  browser = await chromium.launch({ executablePath: process.env.LIAOWANG_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}, 180_000);

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

const evidence = async () => (await stack.call<EvidenceList>(`/api/v1/incidents/${inc.id}/evidence`, { token: users.duty.token })).body.posts ?? [];

describe("evidence (证据固定)", () => {
  it("keeps the originals, marks a deleted post 已删除, shows it from evidence and exports a verifiable package", async () => {
    // captured as served: bytes, URL, time, SHA-256
    await waitFor(async () => (await evidence()).filter((p) => p.state === "present").length === 2, { timeoutMs: 60_000, intervalMs: 500, what: "both posts captured" });
    const kept = await evidence();
    expect(kept.find((p) => p.docId === P1.id)).toMatchObject({ url: `${base}/weibo/1`, sha256: sha(originals.get("/weibo/1")!), deletedAt: null });
    expect(kept.find((p) => p.docId === P2.id)?.sha256).toBe(sha(originals.get("/bbs/2")!));
    const original = await fetch(`${stack.apiUrl}/api/v1/evidence/${P1.id}/original`, { headers: { authorization: `Bearer ${users.analyst.token}` } });
    expect(original.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await original.arrayBuffer()).equals(originals.get("/weibo/1")!)).toBe(true);
    expect(original.headers.get("x-liaowang-sha256")).toBe(sha(originals.get("/weibo/1")!));

    // the post is deleted at its source: the next re-check marks it, the other stays
    pages.delete("/weibo/1");
    await waitFor(async () => (await evidence()).some((p) => p.docId === P1.id && p.state === "deleted"), { timeoutMs: 60_000, intervalMs: 500, what: "the deleted post marked" });
    const after = await evidence();
    expect(after.find((p) => p.docId === P1.id)).toMatchObject({ state: "deleted", deletedReason: "HTTP 404", sha256: sha(originals.get("/weibo/1")!) });
    expect(after.find((p) => p.docId === P2.id)?.state).toBe("present");

    // shown from evidence in the dashboard: the post page says 已删除 and still has the text; the incident lists it
    const page = await browser.newPage({ locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    await page.goto(`${stack.apiUrl}/#token=${DEMO_TOKEN}`);
    await page.locator("#user", { hasText: "演示值班员" }).waitFor();
    await page.goto(`${stack.apiUrl}/#/doc/${P1.id}`);
    await page.locator(".evidence-deleted", { hasText: "已删除" }).waitFor({ timeout: 15_000 });
    await expect(page.locator(".doc-text").textContent()).resolves.toContain("化工厂 爆炸");
    await expect(page.locator(".evidence code").first().textContent()).resolves.toBe(sha(originals.get("/weibo/1")!));
    await page.goto(`${stack.apiUrl}/#/alert/alert-${inc.id}`);
    await page.locator(`#evidence [data-evidence-doc="${P1.id}"][data-evidence-state="deleted"]`).waitFor({ timeout: 15_000 });
    await expect(page.locator(`#evidence [data-evidence-doc="${P1.id}"]`).textContent()).resolves.toContain("已删除");
    await page.close();

    // the evidence package: originals byte for byte, hashes in the manifest and SHA256SUMS, capture times, timeline
    const res = await fetch(`${stack.apiUrl}/api/v1/incidents/${inc.id}/evidence.zip`, { headers: { authorization: `Bearer ${users.duty.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    const files = await readZip(Buffer.from(await res.arrayBuffer()));
    expect(files.get(`originals/${P1.id}.html`)?.equals(originals.get("/weibo/1")!)).toBe(true);
    expect(files.get(`originals/${P2.id}.html`)?.equals(originals.get("/bbs/2")!)).toBe(true);
    const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8")) as { exportedBy: string; posts: { docId: string; sha256: string; capturedAt: string; state: string; deletedAt: string | null; original: string }[] };
    expect(manifest.exportedBy).toBe(users.duty.id);
    for (const p of manifest.posts) {
      expect(sha(files.get(p.original)!)).toBe(p.sha256);
      expect(Date.parse(p.capturedAt)).toBeGreaterThan(0);
    }
    expect(manifest.posts.find((p) => p.docId === P1.id)).toMatchObject({ state: "deleted" });
    const sums = files.get("SHA256SUMS")!.toString("utf8").trim().split("\n");
    expect(sums.length).toBe(files.size - 1);
    for (const line of sums) {
      const [hash, name] = line.split(/\s+/);
      expect(sha(files.get(name!)!), name).toBe(hash);
    }
    expect(JSON.parse(files.get("timeline.json")!.toString("utf8"))).toEqual(inc.timeline);

    // department scope: a department head of another department sees none of it
    const other = await stack.call(`/api/v1/incidents/${inc.id}/evidence`, { token: users.hrssHead.token });
    expect(other.status).toBe(403);
  });
});
