import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { SourcesBody } from "../src/api-schemas.js";
// Ingest's own writer stores the feed polls, so these tests break if the document the API reads changes shape.
import { pollStatusWriter } from "../../ingest/src/poll-status.js";
import { writeDetectorState, removeDetectorTemplates } from "./detector-state.js";
import { outputs, startStack, testUsers, type Stack } from "./harness.js";

// GET /api/v1/sources as a real process against Elasticsearch: the detector's state document (written by the
// detector's own store) turned into each source's last post, normal gap and silence.

type SourcesResponse = z.infer<typeof SourcesBody>;
const users = testUsers();
let stack: Stack;
const M = 60_000;

beforeAll(async () => {
  stack = await startStack("sources", { users });
});

afterEach((context) => {
  if (context.task.result?.state === "fail" && stack) process.stderr.write(outputs(stack.services));
});

afterAll(async () => {
  if (stack) await removeDetectorTemplates(stack.es, stack.indexPrefix);
  await stack?.stop();
});

describe("GET /api/v1/sources", () => {
  it("answers an empty list before the detector has saved any state", async () => {
    const res = await stack.call<SourcesResponse>("/api/v1/sources", { token: users.duty.token });
    expect(res.status).toBe(200);
    expect(res.body.sources).toEqual([]);
    expect(res.body.updatedAt).toBeNull();
  });

  it("needs a token and one of duty_officer, analyst, sys_admin", async () => {
    const anonymous = await stack.call("/api/v1/sources");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe("unauthenticated");
    const head = await stack.call("/api/v1/sources", { token: users.hrssHead.token });
    expect(head.status).toBe(403);
    expect(head.body.error).toBe("forbidden");
    expect(head.body.message).toMatch(/duty_officer/);
    for (const user of [users.duty, users.analyst, users.admin]) expect((await stack.call("/api/v1/sources", { token: user.token })).status, user.id).toBe(200);
  });

  it("reports a silent source with when it was flagged, and healthy ones as not silent", async () => {
    const now = Date.now();
    const flaggedAt = now - 150 * M;
    const savedAt = new Date(now - M);
    await writeDetectorState(
      stack.es,
      stack.indexPrefix,
      "detector",
      [
        { source: "微博", lastSeenAt: new Date(now - 4 * M).toISOString(), count: 120, expectedIntervalMs: 10 * M, flat: false },
        { source: "岳麓区融媒体中心", lastSeenAt: new Date(now - 200 * M).toISOString(), count: 30, expectedIntervalMs: 30 * M, flat: true, flatSince: flaggedAt },
        { source: "新接入论坛", lastSeenAt: new Date(now - 2 * M).toISOString(), count: 2, expectedIntervalMs: null, flat: false },
      ],
      savedAt,
    );
    const res = await stack.call<SourcesResponse>("/api/v1/sources", { token: users.analyst.token });
    expect(res.status).toBe(200);
    expect(res.body.updatedAt).toBe(savedAt.toISOString());
    expect(res.body.sources.map((s) => [s.source, s.silent])).toEqual([
      ["岳麓区融媒体中心", true],
      ["微博", false],
      ["新接入论坛", false],
    ]);
    const [silent, healthy, learning] = res.body.sources;
    expect(silent).toMatchObject({ lastSeenAt: new Date(now - 200 * M).toISOString(), normalGapMs: 30 * M, count: 30, silentSince: new Date(flaggedAt).toISOString() });
    expect(silent?.silentForMs).toBeGreaterThanOrEqual(200 * M);
    expect(healthy).toMatchObject({ normalGapMs: 10 * M, count: 120 });
    expect(healthy?.silentSince).toBeUndefined();
    expect(learning?.normalGapMs).toBeNull();
  });

  it("lists each polled feed with how its charset was decoded, the mislabelled ones first (issue 11)", async () => {
    const write = pollStatusWriter(stack.es, stack.indexPrefix);
    const at = new Date().toISOString();
    const poll = { at, ok: true, accepted: 3, duplicates: 0, rejected: [], durationMs: 40 };
    await write({ ...poll, source: "a-good-feed", charset: "gb18030 (header)", encoding: { charset: "gb18030", from: "header", reason: "header said gb2312", replacements: 0 } });
    await write({
      ...poll,
      source: "xinghe-gov",
      charset: "gb18030 (detected)",
      encoding: { charset: "gb18030", from: "detected", reason: "header said utf-8, body is GB18030", mislabelled: "header said utf-8", replacements: 0 },
    });
    await write({ ...poll, source: "broken", ok: false, accepted: 0, error: "not an RSS or Atom feed: it is an HTML page (root element <html>; expected <rss>, <feed> or <rdf:RDF>)" });
    await stack.es.indices.refresh({ index: `${stack.indexPrefix}feed-polls` });
    const res = await stack.call<SourcesResponse>("/api/v1/sources", { token: users.duty.token });
    expect(res.status).toBe(200);
    expect(res.body.feeds?.map((f) => [f.source, f.encoding?.mislabelled ?? null, f.ok])).toEqual([
      ["xinghe-gov", "header said utf-8", true],
      ["broken", null, false],
      ["a-good-feed", null, true],
    ]);
    expect(res.body.feeds?.[0]).toEqual({ source: "xinghe-gov", at, ok: true, accepted: 3, duplicates: 0, rejected: 0, durationMs: 40, encoding: { charset: "gb18030", from: "detected", reason: "header said utf-8, body is GB18030", mislabelled: "header said utf-8", replacements: 0 } });
  });
});
