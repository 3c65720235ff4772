import type { Client, estypes } from "@elastic/elasticsearch";
import { documentsAlias, unsegment } from "./documents.js";

/** A document search: query terms already segmented by the production segmenter. */
export interface SearchRequest {
  /** Search-mode tokens of the query (all must match). */
  terms: string[];
  source?: string;
  region?: string;
  topic?: string;
  /** Sentiment label of the document: positive, neutral or negative. */
  sentiment?: string;
  /** Scopes in the jurisdiction (本地, 涉本地, 外地, 境外, 未知); any of them matches. */
  scope?: string[];
  since?: string;
  until?: string;
  from?: number;
  size?: number;
}

export interface SearchHit {
  id: string;
  score: number | null;
  source: string;
  title?: string;
  url?: string;
  publishedAt: string;
  /** Highlighted fragments with <em>…</em> around matches, separators removed. */
  highlights: { title?: string; text: string[] };
  keywords: string[];
  /** The document's sentiment label and topics, so hits show what the filters matched. */
  sentiment?: string;
  topics?: string[];
  /** The post's scope in the jurisdiction, when enrich read one. */
  scope?: string;
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  /**
   * With a scope filter: how many documents match everything else but carry no scope (indexed before the scope
   * field, see `pnpm liaowang search backfill-scope`), and so cannot match any scope.
   */
  unscoped?: number;
}

interface DocSource {
  id: string;
  source: string;
  title?: string;
  url?: string;
  publishedAt: string;
  keywords?: { word: string }[];
  text?: string;
  sentiment?: { label?: string };
  topics?: { id: string }[];
  scope?: string;
}

/** Highlight fragments are shown with their <em> marks only; text around them must not carry any. */
function escapeMarkup(text: string): string {
  return text.replace(/</g, "＜").replace(/>/g, "＞");
}

/**
 * A snippet when Elasticsearch highlighted nothing: the query word sits inside a longer segmented token
 * (“工资” in “拖欠工资”), or only filters were given. A window of the text around the first query word, every
 * query word marked; else the text's start.
 * @example snippet("农民工追回拖欠工资，工人满意", ["工资"]) === "农民工追回拖欠<em>工资</em>，工人满意"
 */
export function snippet(text: string | undefined, terms: readonly string[]): string[] {
  const plain = (text ?? "").replace(/\s+/g, " ").trim();
  if (plain === "") return [];
  const words = [...new Set(terms.filter((t) => t.trim().length > 0))].sort((a, b) => b.length - a.length);
  const first = Math.min(...words.map((w) => plain.indexOf(w)).filter((i) => i >= 0), Number.POSITIVE_INFINITY);
  const start = Number.isFinite(first) ? Math.max(0, first - 40) : 0;
  const window = plain.slice(start, start + 160);
  const marked = escapeMarkup(window);
  if (words.length === 0) return [`${marked}${start + 160 < plain.length ? "…" : ""}`];
  const pattern = new RegExp(words.map((w) => escapeMarkup(w).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return [marked.replace(pattern, (m) => `<em>${m}</em>`)];
}

/**
 * Full-text search over the document alias with highlights, newest first among equal scores.
 * @example await searchDocuments(es, "liaowang-", { terms: ["化工厂", "爆炸"] })
 */
export async function searchDocuments(client: Client, prefix: string, request: SearchRequest): Promise<SearchResult> {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (request.source) filter.push({ term: { source: request.source } });
  if (request.region) filter.push({ bool: { should: [{ term: { region: request.region } }, { term: { "regions.name": request.region } }, { term: { "regions.province": request.region } }] } });
  if (request.topic) filter.push({ term: { "topics.id": request.topic } });
  if (request.sentiment) filter.push({ term: { "sentiment.label": request.sentiment } });
  // The scope filter is a post filter, so one request also counts what matches all but lacks a scope.
  const byScope = request.scope && request.scope.length > 0;
  if (request.since || request.until) {
    filter.push({ range: { publishedAt: { ...(request.since ? { gte: request.since } : {}), ...(request.until ? { lte: request.until } : {}) } } });
  }
  const terms = request.terms.filter((t) => t.trim().length > 0);
  const query = terms.join(" ");
  const must: estypes.QueryDslQueryContainer[] = terms.length === 0 ? [{ match_all: {} }] : [{ match: { search_terms: { query, operator: "and" } } }];
  const should: estypes.QueryDslQueryContainer[] = terms.length === 0 ? [] : [{ match: { title_seg: { query, boost: 3 } } }, { match: { text_seg: { query } } }];
  const response = await client.search<DocSource>({
    index: documentsAlias(prefix),
    // before the first document is indexed there is no alias yet: no hits, not an error
    ignore_unavailable: true,
    allow_no_indices: true,
    from: request.from ?? 0,
    size: request.size ?? 20,
    track_total_hits: true,
    query: { bool: { must, should, filter } },
    ...(byScope ? { post_filter: { terms: { scope: request.scope as string[] } }, aggs: { unscoped: { missing: { field: "scope" } } } } : {}),
    sort: [{ _score: { order: "desc" } }, { publishedAt: { order: "desc" } }],
    _source: ["id", "source", "title", "url", "publishedAt", "keywords", "text", "sentiment.label", "topics.id", "scope"],
    highlight: {
      pre_tags: ["<em>"],
      post_tags: ["</em>"],
      fields: {
        title_seg: { number_of_fragments: 0 },
        text_seg: { fragment_size: 160, number_of_fragments: 3 },
      },
      ...(terms.length === 0 ? {} : { highlight_query: { bool: { should: [{ match: { title_seg: query } }, { match: { text_seg: query } }] } } }),
    },
  }, { ignore: [404] });
  const total = typeof response.hits?.total === "number" ? response.hits.total : (response.hits?.total?.value ?? 0);
  const hits = (response.hits?.hits ?? []).flatMap((hit) => {
    const doc = hit._source;
    if (!doc) return [];
    const titleHl = hit.highlight?.title_seg?.[0];
    return [
      {
        id: doc.id,
        score: hit._score ?? null,
        source: doc.source,
        ...(doc.title ? { title: doc.title } : {}),
        ...(doc.url ? { url: doc.url } : {}),
        publishedAt: doc.publishedAt,
        // Plain stored text is escaped by the dashboard like every other field; only <em> marks are kept from highlights.
        highlights: { ...(titleHl ? { title: unsegment(titleHl) } : {}), text: hit.highlight?.text_seg ? hit.highlight.text_seg.map(unsegment) : snippet(doc.text, terms) },
        keywords: (doc.keywords ?? []).map((k) => k.word),
        ...(doc.sentiment?.label ? { sentiment: doc.sentiment.label } : {}),
        ...(doc.topics && doc.topics.length > 0 ? { topics: doc.topics.map((t) => t.id) } : {}),
        ...(doc.scope ? { scope: doc.scope } : {}),
      },
    ];
  });
  const unscoped = (response.aggregations?.unscoped as { doc_count?: number } | undefined)?.doc_count;
  return { total, hits, ...(byScope ? { unscoped: unscoped ?? 0 } : {}) };
}
