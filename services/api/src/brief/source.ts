import type { estypes } from "@elastic/elasticsearch";
import type { AuditPin, BriefInput, NegativePost, TermCount } from "@liaowang/alerting";
import { AuditLog, authIndices } from "@liaowang/auth";
import { documentsAlias, type Client } from "@liaowang/es";
import { describeError, unavailable } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { Alert, alertIndices } from "@liaowang/schemas";

/** Which documents a department's brief counts: its topics, else its jurisdiction, else (no filter) everything. */
export interface DocumentScope {
  topics: readonly string[];
  regions: readonly string[];
}

const LIVE = ["new", "acknowledged", "handling", "responded"];

type SampleHit = { _source?: { id?: string; title?: string; source?: string; text?: string } };
type TermBucket = { key: string; doc_count: number; samples?: { hits: { hits: SampleHit[] } } };

/** The brief's document filter of a department (also the posts a department head may open from it). */
export function scopeFilter(scope: DocumentScope | undefined): estypes.QueryDslQueryContainer[] {
  if (!scope) return [];
  if (scope.topics.length > 0) return [{ terms: { "topics.id": [...scope.topics] } }];
  if (scope.regions.length > 0) return [{ bool: { should: [{ terms: { "regions.name": [...scope.regions] } }, { terms: { "regions.province": [...scope.regions] } }, { terms: { region: [...scope.regions] } }], minimum_should_match: 1 } }];
  return [];
}

const title = (s: SampleHit["_source"]) => (s?.title ?? s?.text ?? "").slice(0, 80);

/**
 * Read what a day's brief is composed from: the alerts live, opened, due or met in the period (one department's,
 * responsible or co-notified, when given), and the day's document figures (volume, topics, hot words with the day
 * before, the most negative posts) from the document alias.
 */
export async function readBriefInput(
  es: Client,
  prefix: string,
  request: { period: { from: string; to: string }; department?: string | undefined; documents?: DocumentScope | undefined; top?: number },
  log: Logger,
): Promise<BriefInput> {
  const { from, to } = request.period;
  const previousFrom = new Date(Date.parse(from) - (Date.parse(to) - Date.parse(from))).toISOString();
  const top = request.top ?? 15;
  try {
    const inPeriod = (field: string): estypes.QueryDslQueryContainer => ({ range: { [field]: { gte: from, lt: to } } });
    const alertQuery: estypes.QueryDslQueryContainer = {
      bool: {
        should: [inPeriod("openedAt"), inPeriod("deadlines.dueAt"), inPeriod("deadlines.metAt"), { bool: { filter: [{ terms: { state: LIVE } }, { range: { openedAt: { lt: to } } }] } }],
        minimum_should_match: 1,
        ...(request.department ? { filter: [{ bool: { should: [{ term: { department: request.department } }, { term: { coDepartments: request.department } }], minimum_should_match: 1 } }] } : {}),
      },
    };
    const docFilter = scopeFilter(request.documents);
    const day: estypes.QueryDslQueryContainer = { bool: { filter: [{ range: { publishedAt: { gte: from, lt: to } } }, ...docFilter] } };
    const samples = { top_hits: { size: 2, _source: ["id", "title", "source"], sort: [{ publishedAt: { order: "desc" as const } }] } };
    const [alertsRes, dayRes] = await Promise.all([
      es.search<unknown>({ index: alertIndices(prefix).alerts, size: 2_000, query: alertQuery }, { ignore: [404] }),
      es.search({
        index: documentsAlias(prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: 0,
        track_total_hits: true,
        query: day,
        aggs: {
          topics: { terms: { field: "topics.id", size: top }, aggs: { samples } },
          words: { terms: { field: "keywords.word", size: top }, aggs: { samples } },
        },
      }),
    ]);
    const alerts = (alertsRes.hits?.hits ?? []).flatMap((h) => {
      const parsed = Alert.safeParse(h._source);
      if (parsed.success) return [parsed.data];
      log.warn({ alertId: h._id }, "stored alert does not match its schema; left out of the brief");
      return [];
    });
    const aggs = (dayRes.aggregations ?? {}) as Record<string, { buckets?: TermBucket[] }>;
    const topicBuckets = aggs.topics?.buckets ?? [];
    const wordBuckets = aggs.words?.buckets ?? [];

    // The day before, for the same keys only (a key that was not in its top list still has a count).
    const before: estypes.QueryDslQueryContainer = { bool: { filter: [{ range: { publishedAt: { gte: previousFrom, lt: from } } }, ...docFilter] } };
    const [prevRes, negativeRes] = await Promise.all([
      es.search({
        index: documentsAlias(prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: 0,
        track_total_hits: true,
        query: before,
        aggs: {
          topics: { terms: { field: "topics.id", size: Math.max(1, topicBuckets.length), include: topicBuckets.map((b) => String(b.key)) } },
          words: { terms: { field: "keywords.word", size: Math.max(1, wordBuckets.length), include: wordBuckets.map((b) => String(b.key)) } },
        },
      }),
      es.search<{ id: string; source: string; title?: string; text?: string; url?: string; publishedAt: string; sentiment?: { score: number }; metrics?: { reposts?: number; comments?: number; likes?: number } }>({
        index: documentsAlias(prefix),
        ignore_unavailable: true,
        allow_no_indices: true,
        size: top,
        query: { bool: { filter: [...(day.bool?.filter as estypes.QueryDslQueryContainer[]), { term: { "sentiment.label": "negative" } }] } },
        sort: [{ "sentiment.score": { order: "asc", unmapped_type: "float" } }, { publishedAt: { order: "desc" } }],
        _source: ["id", "source", "title", "text", "url", "publishedAt", "sentiment", "metrics"],
      }),
    ]);
    const prevAggs = (prevRes.aggregations ?? {}) as Record<string, { buckets?: TermBucket[] }>;
    const prevCount = (name: string, key: string) => prevAggs[name]?.buckets?.find((b) => String(b.key) === key)?.doc_count ?? 0;
    const terms = (name: string, buckets: TermBucket[]): TermCount[] =>
      buckets.map((b) => ({
        key: String(b.key),
        count: b.doc_count,
        previous: prevCount(name, String(b.key)),
        samples: (b.samples?.hits.hits ?? []).flatMap((h) => (h._source?.id ? [{ docId: h._source.id, title: title(h._source), source: h._source.source ?? "" }] : [])),
      }));
    const total = (hits: estypes.SearchHitsMetadata<unknown> | undefined) => (typeof hits?.total === "number" ? hits.total : (hits?.total?.value ?? 0));
    const negative: NegativePost[] = (negativeRes.hits?.hits ?? []).flatMap((h) => {
      const d = h._source;
      if (!d) return [];
      const m = d.metrics ?? {};
      return [{ docId: d.id, source: d.source, title: (d.title ?? d.text ?? "").slice(0, 120), url: d.url, publishedAt: d.publishedAt, score: d.sentiment?.score ?? 0, engagement: (m.reposts ?? 0) + (m.comments ?? 0) + (m.likes ?? 0) }];
    });
    return {
      alerts,
      volume: { count: total(dayRes.hits), previous: total(prevRes.hits) },
      topics: terms("topics", topicBuckets),
      hotWords: terms("words", wordBuckets),
      negative,
    };
  } catch (error) {
    throw unavailable(`Elasticsearch brief query failed: ${describeError(error)}`, error);
  }
}

/**
 * The security audit's chain head and newest anchor now, for the brief to pin (null: no record yet). A brief is
 * never refused for it: when the audit cannot be read, undefined (logged) and the brief says so.
 */
export async function readAuditPin(es: Client, prefix: string, log: Logger): Promise<AuditPin | null | undefined> {
  try {
    const head = await new AuditLog(es, authIndices(prefix).audit).currentHead();
    if (!head) return null;
    const { anchor } = head;
    return { seq: head.seq, hash: head.hash, at: head.at, ...(anchor ? { anchor: { seq: anchor.seq, auditSeq: anchor.auditSeq, auditHash: anchor.auditHash, at: anchor.at } } : {}) };
  } catch (error) {
    log.warn({ err: error }, "security audit head not readable: the brief goes out without it");
    return undefined;
  }
}
