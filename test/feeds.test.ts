import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEsClient } from "@liaowang/es";
import { FeedPollStatus } from "@liaowang/schemas";
import { isolatedEnv, spawnService, waitFor, type SpawnedService } from "@liaowang/testing";
import { DATE_FORMS, datesFeed, ENCODING_CASES } from "../packages/ingest/test/fixtures/encodings.js";

// Issue 11 end to end: feeds with wrong, missing and wide charsets and every Chinese CMS date form, served over
// real HTTP, polled by the ingest service, enriched and indexed (real Kafka + Elasticsearch): the Chinese text in
// Elasticsearch is exactly what the feed held, and the stored poll marks the mislabelled sources.

const { env, indexPrefix } = isolatedEnv("feeds");
const es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
const dir = mkdtempSync(join(tmpdir(), "liaowang-feeds-"));
const services: SpawnedService[] = [];
let server: Server;

interface StoredDoc {
  source: string;
  title?: string;
  text: string;
  publishedAt: string;
  ingestedAt: string;
  flags?: string[];
  dateText?: string;
}

async function stored(): Promise<StoredDoc[]> {
  if (!(await es.indices.exists({ index: `${indexPrefix}docs` }))) return [];
  await es.indices.refresh({ index: `${indexPrefix}docs` });
  const res = await es.search<StoredDoc>({ index: `${indexPrefix}docs`, size: 500, query: { match_all: {} } });
  return res.hits.hits.flatMap((h) => (h._source ? [h._source] : []));
}

// Issue 9 finding 3: dates far outside any plausible window, which used to create one index per absurd month.
const IMPLAUSIBLE = [
  ["千年前的通报", "Sat, 01 May 1001 09:30:00 +0800", "1001-05-01T01:30:00.000Z"],
  ["遥远未来的通报", "9999-12-31 09:30:00", "9999-12-31T01:30:00.000Z"],
] as const;
const implausibleFeed = `<?xml version="1.0" encoding="utf-8"?><rss><channel><title>日期异常</title>${IMPLAUSIBLE.map(([title, date]) => `<item><title>${title}</title><description>${title}正文</description><pubDate>${date}</pubDate></item>`).join("")}</channel></rss>`;

const expectedDocs = ENCODING_CASES.reduce((n, c) => n + c.items.length, 0) + DATE_FORMS.length + IMPLAUSIBLE.length;

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = (req.url ?? "/").replace(/^\/|\.xml$/g, "");
    const found = ENCODING_CASES.find((c) => c.name === name);
    if (name === "dates") res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" }).end(datesFeed());
    else if (name === "implausible") res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" }).end(implausibleFeed);
    else if (found === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": found.contentType }).end(found.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sourcesFile = join(dir, "sources.yaml");
  const names = [...ENCODING_CASES.map((c) => c.name), "dates", "implausible"];
  // A schedule that never fires during the test: every source is polled once at start-up.
  writeFileSync(sourcesFile, `sources:\n${names.map((name) => `  - name: ${name}\n    kind: rss\n    url: ${base}/${name}.xml\n    schedule: "0 0 1 1 *"\n`).join("")}`);
  services.push(
    spawnService("services/enrich/src/main.ts", env),
    spawnService("services/indexer/src/main.ts", env),
    spawnService("services/ingest/src/main.ts", {
      ...env,
      LIAOWANG_DEMO: "off",
      INGEST_HTTP_PORT: "0",
      INGEST_SOURCES_FILE: sourcesFile,
      INGEST_ALLOW_INTERNAL: "127.0.0.1",
      // The fixtures are dated 2024: keep them inside the publishedAt window however long this test lives.
      INGEST_PUBLISHED_MAX_AGE_DAYS: "36600",
    }),
  );
});

afterEach((context) => {
  if (context.task.result?.state === "fail") for (const s of services) process.stderr.write(s.output().slice(-4000));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("mislabelled Chinese feeds through the poller into Elasticsearch", () => {
  it("indexes every item with exactly the Chinese text the feed held", async () => {
    const docs = await waitFor(async () => {
      const found = await stored();
      return found.length >= expectedDocs && found;
    }, { timeoutMs: 120_000, what: `${expectedDocs} feed items indexed` });
    expect(docs).toHaveLength(expectedDocs);
    for (const c of ENCODING_CASES) {
      const got = docs.filter((d) => d.source === c.name).map((d) => [d.title, d.text]).sort();
      expect(got, c.name).toEqual(c.items.map(([title, text]) => [title, text]).sort());
    }
    expect(docs.some((d) => d.text.includes("\ufffd") || d.flags?.includes("replacement_characters"))).toBe(false);
  });

  it("stores each poll with the charset used and why, marking the mislabelled sources", async () => {
    const polls = await waitFor(async () => {
      if (!(await es.indices.exists({ index: `${indexPrefix}feed-polls` }))) return false;
      await es.indices.refresh({ index: `${indexPrefix}feed-polls` });
      const res = await es.search({ index: `${indexPrefix}feed-polls`, size: 100, query: { match_all: {} } });
      const parsed = res.hits.hits.map((h) => FeedPollStatus.parse(h._source));
      return parsed.length === ENCODING_CASES.length + 2 && parsed;
    }, { timeoutMs: 60_000, what: "every poll stored" });
    for (const c of ENCODING_CASES) {
      const poll = polls.find((p) => p.source === c.name);
      expect([c.name, poll?.encoding?.charset, poll?.encoding?.reason, poll?.encoding?.mislabelled]).toEqual([c.name, c.charset, c.reason, c.mislabelled]);
    }
  });

  it("reads every date form, and keeps the undatable item at the fetch time with a flag", async () => {
    const docs = (await stored()).filter((d) => d.source === "dates");
    DATE_FORMS.forEach(([text, expected], i) => {
      const doc = docs.find((d) => d.title === `日期格式 ${i + 1}`);
      if (expected !== undefined) expect([text, doc?.publishedAt, doc?.flags]).toEqual([text, expected, undefined]);
      else expect(doc).toMatchObject({ flags: ["date_unreadable"], dateText: text, publishedAt: expect.stringMatching(/^20\d\d-/) });
    });
  });

  it("keeps implausibly dated posts as claimed, flagged, in one bounded index instead of one index per absurd month", async () => {
    const docs = (await stored()).filter((d) => d.source === "implausible");
    expect(docs.map((d) => [d.title, d.publishedAt, d.flags]).sort()).toEqual(IMPLAUSIBLE.map(([title, , iso]) => [title, iso, ["date_out_of_window"]]).sort());
    const indices = Object.keys(await es.indices.get({ index: `${indexPrefix}docs-*` }));
    expect(indices).toContain(`${indexPrefix}docs-out-of-window`);
    expect(indices.filter((i) => /docs-(1001|9999)\./.test(i))).toEqual([]);
  });
});
