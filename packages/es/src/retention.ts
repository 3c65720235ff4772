import type { Client } from "@elastic/elasticsearch";
import { z } from "zod";
import { describeError, LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { outOfWindowIndex } from "./documents.js";

const DAY = 86_400_000;
/** Six calendar months are at most 184 days (July–December). */
export const MIN_CASE_RETENTION_DAYS = 184;

const days = z
  .union([z.number().int().positive(), z.string().regex(/^\d+d$/, 'expected a number of days, e.g. 180 or "180d"').transform((s) => Number(s.slice(0, -1)))])
  .pipe(z.number().int().min(1, "expected at least one day"));

/**
 * config/retention.yaml: how long Elasticsearch keeps what. Documents go by whole monthly index; incidents and
 * alerts (with their audit trail) are kept at least six months, so a year's accountability and any review of a
 * handled incident can still be made.
 * @example RetentionConfig.parse({ documents: "180d", incidents: "365d", alerts: "365d" })
 */
export const RetentionConfig = z.object({
  /** Days a monthly document index is kept after its month ended. */
  documents: days.default(180),
  /**
   * Days a document of `<prefix>docs-out-of-window` (publishedAt implausible, issue 9) is kept after it was
   * ingested (its own date says nothing); default: `documents`.
   */
  outOfWindow: days.optional(),
  /** Days a finished incident (expired or merged) is kept after its last activity. */
  incidents: days.default(365).refine((d) => d >= MIN_CASE_RETENTION_DAYS, `incidents are kept at least 6 months (${MIN_CASE_RETENTION_DAYS} days)`),
  /** Days a closed or dismissed alert, with its audit events, is kept after it ended. */
  alerts: days.default(365).refine((d) => d >= MIN_CASE_RETENTION_DAYS, `alerts and their audit trail are kept at least 6 months (${MIN_CASE_RETENTION_DAYS} days)`),
  /** node-cron expression of the daily sweep, read in `timezone`. */
  schedule: z.string().min(1).default("30 3 * * *"),
  timezone: z.string().default("Asia/Shanghai"),
});
export type RetentionConfig = z.output<typeof RetentionConfig>;

const MONTHLY = /^(\d{4})\.(\d{2})$/;

/**
 * The monthly document indices (`<prefix>docs-YYYY.MM`) whose every document is older than the window: the month
 * (UTC, as documents are filed) ended at least `keepDays` before `now`. Other names are never returned.
 * @example expiredDocumentIndices(["l-docs-2026.01", "l-docs-2026.11"], "l-", Date.parse("2026-12-03T00:00:00Z"), 180) // ["l-docs-2026.01"]
 */
export function expiredDocumentIndices(names: readonly string[], prefix: string, now: number, keepDays: number): string[] {
  const cutoff = now - keepDays * DAY;
  return names
    .filter((name) => {
      if (!name.startsWith(`${prefix}docs-`)) return false;
      const match = MONTHLY.exec(name.slice(`${prefix}docs-`.length));
      if (!match) return false;
      const monthEnd = Date.UTC(Number(match[1]), Number(match[2]), 1);
      return monthEnd <= cutoff;
    })
    .sort();
}

/** What one sweep removed. */
export interface RetentionReport {
  documentIndices: string[];
  /** Documents deleted from `<prefix>docs-out-of-window`. */
  outOfWindowDocuments: number;
  incidents: number;
  alerts: number;
  auditEvents: number;
}

const PAGE = 1_000;

async function deleteIds(es: Client, index: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await es.bulk({ operations: ids.map((id) => ({ delete: { _index: index, _id: id } })), refresh: true });
  const failed = res.items.filter((i) => i.delete && i.delete.status >= 300 && i.delete.status !== 404);
  if (failed.length > 0) throw new LiaowangError("unavailable", `retention: ${failed.length} deletions in ${index} failed, e.g. ${JSON.stringify(failed[0]?.delete?.error ?? failed[0]?.delete?.status)}`, { retriable: true });
  return ids.length - res.items.filter((i) => i.delete?.status === 404).length;
}

async function ids(es: Client, index: string, query: Record<string, unknown>): Promise<string[]> {
  const res = await es.search({ index, size: PAGE, query: query as never, _source: false, sort: [{ _doc: "asc" }] as never }, { ignore: [404] });
  return (res.hits?.hits ?? []).flatMap((h) => (h._id ? [h._id] : []));
}

/**
 * One retention sweep (no painless, no _delete_by_query, so it runs on the bare dev node too):
 * - document indices whose month ended more than `documents` days ago are deleted whole;
 * - documents of the out-of-window index ingested more than `outOfWindow` (default `documents`) days ago go;
 * - closed or dismissed alerts that ended more than `alerts` days ago go, with their audit events;
 * - expired or merged incidents inactive for more than `incidents` days go, unless their alert is still kept.
 * Live alerts and open incidents are never touched, however old.
 * @example await applyRetention(es, "liaowang-", RetentionConfig.parse({}), new Date(), log)
 */
export async function applyRetention(es: Client, prefix: string, config: RetentionConfig, now: Date, log: Logger): Promise<RetentionReport> {
  const t = now.getTime();
  const report: RetentionReport = { documentIndices: [], outOfWindowDocuments: 0, incidents: 0, alerts: 0, auditEvents: 0 };
  try {
    const catalog = await es.cat.indices({ index: `${prefix}docs-*`, format: "json", h: "index" }, { ignore: [404] });
    const names = (Array.isArray(catalog) ? catalog : []).flatMap((row) => (typeof row.index === "string" ? [row.index] : []));
    for (const index of expiredDocumentIndices(names, prefix, t, config.documents)) {
      await es.indices.delete({ index }, { ignore: [404] });
      report.documentIndices.push(index);
      log.info({ index, keepDays: config.documents }, "retention: deleted a monthly document index past the window");
    }

    // Implausibly dated documents share one index, so they go one by one, by when they were ingested.
    const outOfWindow = outOfWindowIndex(prefix);
    const keepOutOfWindow = config.outOfWindow ?? config.documents;
    const ingestedCutoff = new Date(t - keepOutOfWindow * DAY).toISOString();
    for (;;) {
      const batch = await ids(es, outOfWindow, { range: { ingestedAt: { lt: ingestedCutoff } } });
      if (batch.length === 0) break;
      const deleted = await deleteIds(es, outOfWindow, batch);
      report.outOfWindowDocuments += deleted;
      if (batch.length < PAGE || deleted === 0) break;
    }
    if (report.outOfWindowDocuments > 0) log.info({ index: outOfWindow, deleted: report.outOfWindowDocuments, keepDays: keepOutOfWindow }, "retention: deleted out-of-window documents ingested before the window");

    const alertCutoff = new Date(t - config.alerts * DAY).toISOString();
    for (;;) {
      const batch = await ids(es, `${prefix}alerts`, { bool: { filter: [{ terms: { state: ["closed", "dismissed"] } }, { range: { updatedAt: { lt: alertCutoff } } }] } });
      if (batch.length === 0) break;
      for (let from = 0; from < batch.length; from += 100) {
        const chunk = batch.slice(from, from + 100);
        for (;;) {
          const audit = await ids(es, `${prefix}alert-audit`, { terms: { alertId: chunk } });
          if (audit.length === 0) break;
          report.auditEvents += await deleteIds(es, `${prefix}alert-audit`, audit);
        }
      }
      report.alerts += await deleteIds(es, `${prefix}alerts`, batch);
      if (batch.length < PAGE) break;
    }

    const incidentCutoff = new Date(t - config.incidents * DAY).toISOString();
    const seen = new Set<string>();
    for (;;) {
      const batch = (await ids(es, `${prefix}incidents`, { bool: { filter: [{ terms: { status: ["expired", "merged"] } }, { range: { lastActivityAt: { lt: incidentCutoff } } }] } })).filter((id) => !seen.has(id));
      if (batch.length === 0) break;
      // An incident whose alert is still kept stays, so the alert's detail page keeps its story.
      const alerts = await es.mget<{ state?: string }>({ index: `${prefix}alerts`, ids: batch.map((id) => `alert-${id}`) }, { ignore: [404] });
      const kept = new Set((alerts.docs ?? []).flatMap((d) => ("found" in d && d.found ? [d._id.replace(/^alert-/, "")] : [])));
      for (const id of batch) seen.add(id);
      report.incidents += await deleteIds(
        es,
        `${prefix}incidents`,
        batch.filter((id) => !kept.has(id)),
      );
      if (batch.length < PAGE) break;
    }
  } catch (error) {
    if (error instanceof LiaowangError) throw error;
    throw new LiaowangError("unavailable", `retention sweep failed: ${describeError(error)}`, { cause: error, retriable: true });
  }
  return report;
}
