import { z } from "zod";
import { documentsAlias, searchDocuments, trends, type TrendDimension } from "@liaowang/es";
import { describeError, invalidInput, unavailable } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody, SearchBody, SearchQuery, TrendDimension as Dimension, TrendsBody, TrendsQuery } from "../api-schemas.js";
import { requirePermission } from "../http.js";
import { toCsv } from "../views/csv.js";
import { trendRows } from "../views/trend-rows.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

async function es<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw unavailable(`Elasticsearch ${what} failed: ${describeError(error)}`, error);
  }
}

/** The optional filters of a search query, as searchDocuments takes them (absent ones left out). */
function searchFilters(q: { source?: string | undefined; region?: string | undefined; topic?: string | undefined; sentiment?: string | undefined; scope?: string | undefined; since?: string | undefined; until?: string | undefined }) {
  return {
    ...(q.sentiment ? { sentiment: q.sentiment } : {}),
    ...(q.scope ? { scope: q.scope.split(",") } : {}),
    ...(q.source ? { source: q.source } : {}),
    ...(q.region ? { region: q.region } : {}),
    ...(q.topic ? { topic: q.topic } : {}),
    ...(q.since ? { since: q.since } : {}),
    ...(q.until ? { until: q.until } : {}),
  };
}

/** A search needs words or at least one filter: an empty query over everything is a mistake, not a request. */
function requireQueryOrFilter(q: { q: string; source?: string | undefined; region?: string | undefined; topic?: string | undefined; sentiment?: string | undefined; scope?: string | undefined; since?: string | undefined }): void {
  if (q.q === "" && !q.source && !q.region && !q.topic && !q.sentiment && !q.scope && !q.since) throw invalidInput("q (the query) is required unless topic, source, region, sentiment, scope or since is given");
}

/** Full-text search and trends over documents, with the query segmented exactly as documents were. */
export function registerDocumentRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());

  app.get(
    "/api/v1/search",
    {
      onRequest: requirePermission(deps.users, "documents:search"),
      schema: { tags: ["documents"], summary: "Search documents (Chinese text, every word must match) with highlights", querystring: SearchQuery, response: { 200: SearchBody, ...errors } },
    },
    async (request) => {
      const q = request.query;
      requireQueryOrFilter(q);
      const terms = q.q ? deps.searchTerms(q.q) : [];
      const result = await es("search", () =>
        searchDocuments(deps.es, deps.indexPrefix, {
          terms,
          from: q.from,
          size: q.size,
          ...searchFilters(q),
        }),
      );
      return { query: q.q, terms, ...result };
    },
  );

  app.get(
    "/api/v1/search/export",
    {
      onRequest: requirePermission(deps.users, "documents:search"),
      schema: {
        tags: ["documents"],
        summary: "Export search results as CSV (UTF-8 with BOM, formula-like cells defused), up to 1000 rows, newest best matches first",
        querystring: SearchQuery.omit({ from: true, size: true }).extend({ size: z.coerce.number().int().min(1).max(1_000).default(1_000) }),
        response: { 200: z.string().describe("text/csv"), ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      requireQueryOrFilter(q);
      const terms = q.q ? deps.searchTerms(q.q) : [];
      const result = await es("search", () =>
        searchDocuments(deps.es, deps.indexPrefix, {
          terms,
          size: q.size,
          ...searchFilters(q),
        }),
      );
      const plain = (fragment: string) => fragment.replace(/<\/?em>/g, "");
      const csv = toCsv(
        ["发布时间", "来源", "标题", "链接", "摘要", "关键词", "文档编号"],
        result.hits.map((h) => [h.publishedAt, h.source, h.title, h.url, h.highlights.text.map(plain).join(" … "), h.keywords.join(" "), h.id]),
      );
      const stamp = clock().toISOString().slice(0, 10);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="liaowang-search-${stamp}.csv"; filename*=UTF-8''${encodeURIComponent(`检索-${q.q.slice(0, 30)}-${stamp}.csv`)}`)
        .serializer((payload: unknown) => String(payload))
        .send(csv);
    },
  );

  /** Trends for a query: the span, dimensions and optional words of GET /trends. */
  async function loadTrends(q: z.output<typeof TrendsQuery>): Promise<z.output<typeof TrendsBody>> {
    const hourly = q.hours !== undefined;
    const until = clock();
    const since = new Date(until.getTime() - (hourly ? (q.hours ?? 24) * 3_600_000 : (q.days ?? 7) * 86_400_000));
    let dimensions: TrendDimension[] | undefined;
    if (q.dimensions) {
      dimensions = q.dimensions.split(",").map((d) => {
        const parsed = Dimension.safeParse(d.trim());
        if (!parsed.success) throw invalidInput(`dimensions: "${d}" is not one of ${Dimension.options.join(", ")}`);
        return parsed.data;
      });
    }
    const terms = q.q ? deps.searchTerms(q.q) : undefined;
    // Before the indexer wrote anything there is no document alias to aggregate over.
    if (!(await es("index check", () => deps.es.indices.exists({ index: documentsAlias(deps.indexPrefix) })))) {
      return { since: since.toISOString(), until: until.toISOString(), interval: hourly ? ("hour" as const) : ("day" as const), buckets: [], volume: [], total: 0, series: {} };
    }
    const result = await es("trends", () =>
      trends(deps.es, deps.indexPrefix, {
        since: since.toISOString(),
        until: until.toISOString(),
        interval: hourly ? "hour" : "day",
        top: q.top,
        ...(dimensions ? { dimensions } : {}),
        ...(terms && terms.length > 0 ? { terms } : {}),
      }),
    );
    return { since: since.toISOString(), until: until.toISOString(), ...result };
  }

  app.get(
    "/api/v1/trends",
    {
      onRequest: requirePermission(deps.users, "trends:read"),
      schema: { tags: ["documents"], summary: "Volume over time and top topics, keywords, sentiment, regions and sources per bucket", querystring: TrendsQuery, response: { 200: TrendsBody, ...errors } },
    },
    async (request) => loadTrends(request.query),
  );

  app.get(
    "/api/v1/trends/export",
    {
      onRequest: requirePermission(deps.users, "trends:read"),
      schema: {
        tags: ["documents"],
        summary: "The trends of GET /trends as CSV (UTF-8 with BOM): one row per bucket and series (全部 = the volume), Beijing time",
        querystring: TrendsQuery,
        response: { 200: z.string().describe("text/csv"), ...errors },
      },
    },
    async (request, reply) => {
      const data = await loadTrends(request.query);
      const csv = toCsv(["时间（北京）", "维度", "值", "篇数"], trendRows(data));
      const stamp = clock().toISOString().slice(0, 10);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="liaowang-trends-${stamp}.csv"; filename*=UTF-8''${encodeURIComponent(`趋势-${stamp}.csv`)}`)
        .serializer((payload: unknown) => String(payload))
        .send(csv);
    },
  );
}
