import { SEGMENT_SEPARATOR, type EnrichedDocument } from "@liaowang/schemas";

/**
 * The monthly index a document belongs in, by publication time (UTC month), so that a replayed document
 * lands in the same index with the same id and overwrites itself.
 * @example documentIndex("liaowang-", "2024-05-01T01:30:00.000Z") === "liaowang-docs-2024.05"
 */
export function documentIndex(prefix: string, publishedAt: string): string {
  return `${prefix}docs-${publishedAt.slice(0, 4)}.${publishedAt.slice(5, 7)}`;
}

/**
 * The one index for documents whose publishedAt ingest flagged as implausible (`date_out_of_window`, issue 9):
 * kept and searchable through the alias, but one index in all rather than one per absurd month (year 1001, 9999),
 * which would exhaust the cluster's shard limit.
 */
export function outOfWindowIndex(prefix: string): string {
  return `${prefix}docs-out-of-window`;
}

/**
 * Where the indexer files a document: its monthly index, or {@link outOfWindowIndex} when its date is flagged.
 * @example documentIndexFor("l-", { publishedAt: "1001-05-01T00:00:00.000Z", flags: ["date_out_of_window"] }) === "l-docs-out-of-window"
 */
export function documentIndexFor(prefix: string, doc: Pick<EnrichedDocument, "publishedAt" | "flags">): string {
  return doc.flags?.includes("date_out_of_window") === true ? outOfWindowIndex(prefix) : documentIndex(prefix, doc.publishedAt);
}

/** The alias all document indices join; searches and trends go through it. */
export function documentsAlias(prefix: string): string {
  return `${prefix}docs`;
}

/** The Elasticsearch source for an enriched document (field names as in config/es/documents.json). */
export function toEsDocument(doc: EnrichedDocument, indexedAt: string): Record<string, unknown> {
  const { titleSeg, textSeg, searchTerms, tokens: _tokens, ...rest } = doc;
  return {
    ...rest,
    title_seg: titleSeg,
    text_seg: textSeg,
    search_terms: searchTerms.join(" "),
    indexedAt,
  };
}

/** Turn a highlighted segmented fragment back into readable text (drop the segment separators). */
export function unsegment(fragment: string): string {
  return fragment.split(SEGMENT_SEPARATOR).join("");
}
