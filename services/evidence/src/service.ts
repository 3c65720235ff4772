import { createHash } from "node:crypto";
import { schedule } from "node-cron";
import { esSettings } from "@liaowang/config";
import { createEsClient } from "@liaowang/es";
import { describeError } from "@liaowang/errors";
import { decodeBody, FeedFetcher, httpStatusOf } from "@liaowang/ingest";
import type { Logger } from "@liaowang/logger";
import { Lifecycle, routeCronLogs, type Started } from "@liaowang/runtime";
import type { EvidenceCheck, EvidenceRecord } from "@liaowang/schemas";
import type { EvidenceConfig } from "./config.js";
import { postsOfIncident, recheckVerdict, type IncidentPostRef } from "./domain.js";
import { EvidenceStore, type IndexedPost } from "./store.js";

const MAX_CHECKS = 50;
const CONCURRENCY = 4;

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

/** Run `fn` over items, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

/**
 * 证据固定: captures the original of every post an open incident names, as fetched (bytes, URL, time, SHA-256,
 * through the ingest package's SSRF-guarded fetcher) and as ingested, the first time it is seen in an incident;
 * re-checks those URLs on a schedule and marks posts that disappeared (已删除, when and why).
 */
export class EvidenceService {
  constructor(
    private readonly store: EvidenceStore,
    private readonly fetcher: Pick<FeedFetcher, "fetch">,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private async fetch(url: string): Promise<{ ok: true; url: string; status: number; contentType: string | undefined; bytes: Buffer } | { ok: false; status: number | undefined; error: string }> {
    try {
      return { ok: true, ...(await this.fetcher.fetch(url)) };
    } catch (error) {
      return { ok: false, status: httpStatusOf(error), error: describeError(error) };
    }
  }

  private async capture(post: IncidentPostRef, incidentId: string, indexed: IndexedPost | undefined): Promise<void> {
    const now = this.clock().toISOString();
    const url = post.url ?? indexed?.url ?? null;
    const fetched = url ? await this.fetch(url) : undefined;
    const ingested = indexed ? { ...(indexed.title ? { title: indexed.title } : {}), text: indexed.text, ...(indexed.publishedAt ? { publishedAt: indexed.publishedAt } : {}) } : null;
    const record: EvidenceRecord = {
      v: 1,
      docId: post.docId,
      incidentIds: [incidentId],
      url,
      ...(post.source ?? indexed?.source ? { source: post.source ?? indexed?.source } : {}),
      ...(post.title ?? indexed?.title ? { title: post.title ?? indexed?.title } : {}),
      firstSeenAt: now,
      capturedAt: fetched?.ok ? now : null,
      finalUrl: fetched?.ok ? fetched.url : null,
      httpStatus: fetched ? (fetched.status ?? null) : null,
      contentType: fetched?.ok ? (fetched.contentType ?? null) : null,
      size: fetched?.ok ? fetched.bytes.length : 0,
      sha256: fetched?.ok ? sha256(fetched.bytes) : null,
      body: fetched?.ok ? fetched.bytes.toString("base64") : null,
      captureError: fetched ? (fetched.ok ? null : fetched.error) : "the post has no URL to fetch",
      ingested: ingested ? { ...ingested, sha256: sha256(JSON.stringify(ingested)) } : null,
      state: fetched?.ok ? "present" : "not_captured",
      deletedAt: null,
      deletedReason: null,
      lastCheckedAt: null,
      checks: [],
    };
    // Already gone when first seen: the ingested copy is the evidence, and the deletion is recorded.
    if (fetched && !fetched.ok) {
      const verdict = recheckVerdict({ error: fetched.error, status: fetched.status });
      if (verdict.kind === "deleted") Object.assign(record, { state: "deleted", deletedAt: now, deletedReason: verdict.reason });
    }
    if (await this.store.create(record)) this.log.info({ docId: post.docId, incidentId, state: record.state, size: record.size }, "evidence captured");
  }

  /** Capture every post of the open incidents not kept yet, and note new incidents on posts already kept. */
  async captureRun(): Promise<number> {
    const incidents = await this.store.openIncidents();
    let captured = 0;
    for (const incident of incidents) {
      const posts = postsOfIncident(incident);
      const held = await this.store.get(posts.map((p) => p.docId));
      const missing = posts.filter((p) => !held.has(p.docId));
      const indexed = await this.store.posts(posts.map((p) => p.docId));
      await eachLimited(missing, CONCURRENCY, async (post) => {
        try {
          await this.capture(post, incident.id, indexed.get(post.docId));
          captured++;
        } catch (error) {
          this.log.warn({ docId: post.docId, incidentId: incident.id, err: error }, "evidence capture failed; the next run retries");
        }
      });
      for (const [docId, version] of held) {
        if (version.record.incidentIds.includes(incident.id)) continue;
        await this.store.replace(version, { ...version.record, incidentIds: [...version.record.incidentIds, incident.id] });
      }
    }
    return captured;
  }

  /** Re-check the URLs of open incidents' kept posts; mark the ones that disappeared. */
  async recheckRun(): Promise<{ checked: number; deleted: number }> {
    const incidents = await this.store.openIncidents();
    const docIds = [...new Set(incidents.flatMap((i) => postsOfIncident(i).map((p) => p.docId)))];
    const held = await this.store.get(docIds);
    const due = [...held.values()].filter((h) => h.record.url && h.record.state !== "deleted");
    let deleted = 0;
    await eachLimited(due, CONCURRENCY, async (version) => {
      const record = version.record;
      const result = await this.fetch(record.url as string);
      const at = this.clock().toISOString();
      const verdict = result.ok ? recheckVerdict({ status: result.status, text: decodeBody(result.bytes, result.contentType).text }) : recheckVerdict({ error: result.error, status: result.status });
      const check: EvidenceCheck = { at, status: result.status ?? null, verdict: verdict.kind, ...(verdict.kind === "present" ? {} : { reason: verdict.reason }) };
      const next: EvidenceRecord = { ...record, lastCheckedAt: at, checks: [...record.checks, check].slice(-MAX_CHECKS) };
      if (verdict.kind === "deleted") {
        Object.assign(next, { state: "deleted", deletedAt: at, deletedReason: verdict.reason });
        deleted++;
      } else if (verdict.kind === "present") {
        next.state = "present";
        // First reachable now: keep the original from this fetch.
        if (record.body === null && result.ok) Object.assign(next, { capturedAt: at, finalUrl: result.url, httpStatus: result.status, contentType: result.contentType ?? null, size: result.bytes.length, sha256: sha256(result.bytes), body: result.bytes.toString("base64"), captureError: null });
      } else if (record.state === "present") {
        next.state = "unreachable";
      }
      if (await this.store.replace(version, next)) {
        if (verdict.kind === "deleted") this.log.info({ docId: record.docId, reason: verdict.reason }, "post deleted at its source; shown from evidence");
      }
    });
    return { checked: due.length, deleted };
  }
}

/** Start the evidence service: capture and re-check on their node-cron schedules. */
export async function startEvidence(config: EvidenceConfig, log: Logger): Promise<Started> {
  const lifecycle = new Lifecycle(log);
  const es = lifecycle.add("elasticsearch", createEsClient(esSettings(config)), (client) => client.close());
  const store = new EvidenceStore(es, config.LIAOWANG_INDEX_PREFIX, log.child({ module: "store" }));
  await store.init();
  const fetcher = lifecycle.add(
    "fetcher",
    new FeedFetcher({ allow: config.allow, maxBytes: config.EVIDENCE_MAX_BYTES, timeoutMs: config.EVIDENCE_FETCH_TIMEOUT_MS, userAgent: "Liaowang-Evidence/1.0 (+evidence capture)" }),
    (f) => f.close(),
  );
  const service = new EvidenceService(store, fetcher, log);
  routeCronLogs(log);
  const guarded = (what: string, fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
    } catch (error) {
      log.warn({ err: error }, `evidence ${what} run failed: ${describeError(error)}; the next run retries`);
    }
  };
  const capture = schedule(config.EVIDENCE_CAPTURE_SCHEDULE, guarded("capture", () => service.captureRun()), { name: "evidence-capture", noOverlap: true });
  const recheck = schedule(config.EVIDENCE_RECHECK_SCHEDULE, guarded("recheck", () => service.recheckRun()), { name: "evidence-recheck", noOverlap: true });
  for (const [name, task] of [["capture", capture], ["recheck", recheck]] as const) {
    lifecycle.add(name, task, async (t) => {
      await t.stop();
      await t.destroy();
    });
  }
  log.info({ capture: config.EVIDENCE_CAPTURE_SCHEDULE, recheck: config.EVIDENCE_RECHECK_SCHEDULE }, "evidence capture and re-check scheduled");
  return { stop: () => lifecycle.stop() };
}
