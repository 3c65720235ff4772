import type { Client, estypes } from "@elastic/elasticsearch";
import { documentsAlias } from "./documents.js";

/** A dimension analysts follow over time. */
export type TrendDimension = "topics" | "keywords" | "sentiment" | "regions" | "sources";

const FIELDS: Record<TrendDimension, string> = {
  topics: "topics.id",
  keywords: "keywords.word",
  sentiment: "sentiment.label",
  regions: "regions.province",
  sources: "source",
};

export interface TrendsRequest {
  since: string;
  until: string;
  interval: "hour" | "day";
  /** How many top values per dimension. */
  top?: number;
  dimensions?: TrendDimension[];
  /** Restrict to documents matching these search terms. */
  terms?: string[];
}

export interface TrendSeries {
  key: string;
  total: number;
  /** One count per bucket, aligned with `buckets`. */
  counts: number[];
}

export interface TrendsResult {
  interval: "hour" | "day";
  /** Bucket start times (ISO, UTC). */
  buckets: string[];
  /** Documents per bucket. */
  volume: number[];
  total: number;
  series: Partial<Record<TrendDimension, TrendSeries[]>>;
}

type Bucket = { key_as_string?: string; key: number; doc_count: number };

/**
 * Volume over time plus, per dimension, the top values and their counts per bucket (one aggregation query).
 * Time buckets follow Beijing time days (UTC+8).
 */
export async function trends(client: Client, prefix: string, request: TrendsRequest): Promise<TrendsResult> {
  const dimensions = request.dimensions ?? (Object.keys(FIELDS) as TrendDimension[]);
  const top = request.top ?? 10;
  const histogram: estypes.AggregationsAggregationContainer = {
    date_histogram: {
      field: "publishedAt",
      calendar_interval: request.interval === "hour" ? "1h" : "1d",
      time_zone: "+08:00",
      min_doc_count: 0,
      extended_bounds: { min: request.since, max: request.until },
    },
  };
  const aggs: Record<string, estypes.AggregationsAggregationContainer> = { volume: histogram };
  for (const dim of dimensions) {
    aggs[dim] = { terms: { field: FIELDS[dim], size: top }, aggs: { over_time: histogram } };
  }
  const must: estypes.QueryDslQueryContainer[] = [{ range: { publishedAt: { gte: request.since, lte: request.until } } }];
  if (request.terms && request.terms.length > 0) must.push({ match: { search_terms: { query: request.terms.join(" "), operator: "and" } } });
  // Before the first document is indexed there is no alias yet: that is an empty result, not an error.
  const response = await client.search({ index: documentsAlias(prefix), ignore_unavailable: true, allow_no_indices: true, size: 0, query: { bool: { must } }, aggs, track_total_hits: true });
  const rawAggs = (response.aggregations ?? {}) as Record<string, { buckets?: unknown }>;
  const volumeBuckets = ((rawAggs.volume?.buckets ?? []) as Bucket[]);
  const bucketKeys = volumeBuckets.map((b) => b.key);
  const series: TrendsResult["series"] = {};
  for (const dim of dimensions) {
    const termBuckets = (rawAggs[dim]?.buckets ?? []) as (Bucket & { over_time: { buckets: Bucket[] } })[];
    series[dim] = termBuckets.map((tb) => {
      const byKey = new Map(tb.over_time.buckets.map((b) => [b.key, b.doc_count]));
      return { key: String(tb.key), total: tb.doc_count, counts: bucketKeys.map((k) => byKey.get(k) ?? 0) };
    });
  }
  const total = typeof response.hits.total === "number" ? response.hits.total : (response.hits.total?.value ?? 0);
  return {
    interval: request.interval,
    buckets: bucketKeys.map((k) => new Date(k).toISOString()),
    volume: volumeBuckets.map((b) => b.doc_count),
    total,
    series,
  };
}
