import { docScope, type DocFeatures, type Jurisdiction } from "@liaowang/detect";
import { documentsAlias, type Client, type estypes } from "@liaowang/es";

/** What one run of {@link backfillScope} did. */
export interface BackfillReport {
  /** Unscoped analysed documents read. */
  scanned: number;
  /** Given a scope. */
  updated: number;
  /** Changed by someone else (re-indexed) between the read and the write: left alone; a re-run looks at them again. */
  conflicts: number;
  /** Failed for another reason, with the first reasons. */
  failed: number;
  errors: string[];
  /** Scope per value among the updated documents. */
  byScope: Record<string, number>;
  /** Unscoped documents without place analysis (indexed before enrich read places): no scope can be read from them. */
  unanalysed: number;
  /** Unscoped analysed documents still left (after `limit`, conflicts or failures); 0 when the backfill is complete. */
  remaining: number;
}

/** Options of {@link backfillScope}. */
export interface BackfillOptions {
  /** Documents per read and per bulk write. Default 500. */
  batch?: number;
  /** Stop after this many documents (the rest is done by the next run). */
  limit?: number;
  /** Called after each batch is written. */
  progress?: (report: BackfillReport) => void;
}

interface StoredDoc {
  title?: string;
  text?: string;
  regions?: DocFeatures["regions"];
  abroad?: DocFeatures["abroad"];
}

// Analysed documents carry a sentiment label (enrich writes one with every analysis); an empty regions list does not
// "exist" in Elasticsearch, so regions cannot tell analysed from not.
const ANALYSED: estypes.QueryDslQueryContainer = { exists: { field: "sentiment.label" } };
const UNSCOPED: estypes.QueryDslQueryContainer = { exists: { field: "scope" } };

/** The scope enrich gives a document now, from what the document index stored of it (same inputs as enrich). */
export function storedScope(doc: StoredDoc, jurisdiction: Jurisdiction): string {
  const text = doc.text ?? "";
  const full = doc.title ? `${doc.title}\n${text}` : text;
  return docScope({ title: doc.title, text: full, regions: doc.regions ?? [], abroad: doc.abroad ?? [] }, jurisdiction).scope;
}

async function count(es: Client, index: string, query: estypes.QueryDslQueryContainer): Promise<number> {
  const res = await es.count({ index, query, ignore_unavailable: true, allow_no_indices: true });
  return res.count;
}

/**
 * Give documents indexed before the scope field (issue 10) their scope, read from their stored title, text, regions
 * and places abroad against the jurisdiction exactly as enrich reads new ones. Only documents without a scope are
 * read (a point in time, in `_shard_doc` order) and each is updated only if unchanged since it was read
 * (`if_seq_no`), so the backfill is idempotent (a second run finds nothing) and resumable (stopped anywhere, the next
 * run goes on with what is still unscoped); it never overwrites a scope enrich wrote.
 * @example await backfillScope(es, "liaowang-", loadJurisdiction({ configDir: "config" }))
 */
export async function backfillScope(es: Client, prefix: string, jurisdiction: Jurisdiction, options: BackfillOptions = {}): Promise<BackfillReport> {
  const index = documentsAlias(prefix);
  const batch = Math.max(1, Math.min(options.batch ?? 500, 5_000));
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const report: BackfillReport = { scanned: 0, updated: 0, conflicts: 0, failed: 0, errors: [], byScope: {}, unanalysed: 0, remaining: 0 };
  const todo: estypes.QueryDslQueryContainer = { bool: { must_not: [UNSCOPED], filter: [ANALYSED] } };
  if (await es.indices.exists({ index })) {
    const pit = await es.openPointInTime({ index, keep_alive: "2m" });
    let pitId = pit.id;
    try {
      let after: estypes.SortResults | undefined;
      while (report.scanned < limit) {
        const page = await es.search<StoredDoc>({
          size: Math.min(batch, limit - report.scanned),
          pit: { id: pitId, keep_alive: "2m" },
          query: todo,
          sort: [{ _shard_doc: "asc" }],
          seq_no_primary_term: true,
          _source: ["title", "text", "regions", "abroad"],
          ...(after ? { search_after: after } : {}),
        });
        pitId = page.pit_id ?? pitId;
        const hits = page.hits.hits;
        if (hits.length === 0) break;
        after = hits[hits.length - 1]?.sort;
        const scopes = hits.map((hit) => storedScope(hit._source ?? {}, jurisdiction));
        const operations = hits.flatMap((hit, i) => [
          { update: { _index: hit._index, _id: hit._id as string, if_seq_no: hit._seq_no as number, if_primary_term: hit._primary_term as number } },
          { doc: { scope: scopes[i] } },
        ]);
        const bulk = await es.bulk({ operations });
        bulk.items.forEach((item, i) => {
          const result = item.update;
          if (!result?.error) {
            report.updated += 1;
            const scope = scopes[i] as string;
            report.byScope[scope] = (report.byScope[scope] ?? 0) + 1;
          } else if (result.status === 409) report.conflicts += 1;
          else {
            report.failed += 1;
            if (report.errors.length < 5) report.errors.push(`${result._id}: ${result.error.type}: ${result.error.reason ?? ""}`);
          }
        });
        report.scanned += hits.length;
        options.progress?.(report);
      }
    } finally {
      await es.closePointInTime({ id: pitId }).catch(() => undefined);
    }
    await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  }
  report.remaining = await count(es, index, todo);
  report.unanalysed = await count(es, index, { bool: { must_not: [UNSCOPED, ANALYSED] } });
  return report;
}
