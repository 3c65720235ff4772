import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@liaowang/logger";
import type { RawDocument } from "@liaowang/schemas";
import { FeedFetcher, FeedPoller, Intake, SourceConfig } from "../src/index.js";
import type { PollResult } from "../src/index.js";
import { DATE_FORMS, datesFeed, ENCODING_CASES } from "./fixtures/encodings.js";

// Issue 11 over real HTTP: each mislabelled, unlabelled and wide-encoded feed is served by a local server with
// its (wrong) Content-Type, polled by the real fetcher and poller, and must come out as exactly the Chinese it
// holds, with the poll saying which charset was used, why, and which label was wrong.

let server: Server;
let base: string;
const produced: RawDocument[] = [];
const polled: PollResult[] = [];
let poller: FeedPoller;
let fetcher: FeedFetcher;

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = (req.url ?? "/").replace(/^\/|\.xml$/g, "");
    if (name === "dates") {
      res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" });
      res.end(datesFeed());
      return;
    }
    const found = ENCODING_CASES.find((c) => c.name === name);
    if (found === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": found.contentType });
    res.end(found.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sources = [...ENCODING_CASES.map((c) => c.name), "dates"].map((name) => SourceConfig.parse({ name, kind: "rss", url: `${base}/${name}.xml`, schedule: "0 0 1 1 *" }));
  fetcher = new FeedFetcher({ allow: ["127.0.0.1"] });
  // A clock near the fixtures' dates, so none of them falls outside the publishedAt window as years pass.
  const now = () => new Date("2024-05-02T00:00:00Z");
  const intake = new Intake({ send: async (_key, docs) => void produced.push(...(docs as RawDocument[])) }, { now });
  const log = createLogger({ service: "test", level: "silent" });
  poller = new FeedPoller({ sources, timezone: "Asia/Shanghai", fetcher, intake, log, now, onPolled: async (r) => void polled.push(r) });
  await poller.pollNow();
});

afterAll(async () => {
  await poller.stop();
  await fetcher.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("feeds with wrong, missing or wide charsets, polled over HTTP", () => {
  it.each(ENCODING_CASES.map((c) => [c.name, c] as const))("%s: exact Chinese text, and the poll says how it was decoded", (name, c) => {
    const result = polled.find((r) => r.source === name);
    expect(result?.error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, accepted: c.items.length, rejected: [] });
    expect(result?.encoding).toEqual({ charset: c.charset, from: expect.any(String), reason: c.reason, replacements: 0, ...(c.mislabelled === undefined ? {} : { mislabelled: c.mislabelled }) });
    const docs = produced.filter((d) => d.source === name);
    expect(docs.map((d) => [d.title, d.text])).toEqual(c.items.map(([title, text]) => [title, text]));
    // The feed URL is the base of the items' relative links.
    expect(docs[0]?.url).toBe(`${base}/xwfb/1.html`);
    expect(docs.every((d) => d.flags === undefined)).toBe(true);
  });

  it("reads every date form Chinese CMSs print, and keeps the undatable item at the fetch time, flagged", () => {
    const result = polled.find((r) => r.source === "dates");
    expect(result).toMatchObject({ ok: true, accepted: DATE_FORMS.length, rejected: [] });
    const docs = produced.filter((d) => d.source === "dates").sort((a, b) => (a.title ?? "").localeCompare(b.title ?? "", "en", { numeric: true }));
    DATE_FORMS.forEach(([text, expected], i) => {
      const doc = docs[i];
      expect(doc?.title).toBe(`日期格式 ${i + 1}`);
      if (expected !== undefined) {
        expect([text, doc?.publishedAt, doc?.flags]).toEqual([text, expected, undefined]);
      } else {
        expect(doc).toMatchObject({ publishedAt: result?.at, flags: ["date_unreadable"], dateText: text });
      }
    });
  });
});
