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

/** Enriched fields the index stores under another name (the segmented ones) or not at all (tokens, for detection). */
const NOT_COPIED = new Set(["titleSeg", "textSeg", "searchTerms", "tokens"]);

/**
 * The Elasticsearch source for an enriched document (field names as in config/es/documents.json): every field as it
 * is, the segmented ones renamed, the detection tokens left out.
 */
export function toEsDocument(doc: EnrichedDocument, indexedAt: string): Record<string, unknown> {
  // A copying loop rather than `const { titleSeg, …, ...rest } = doc`: the rest pattern over an object of ~25 fields
  // cost ~18 µs a document in the indexer (the loop ~3 µs) and left an object that serialised slower.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) if (!NOT_COPIED.has(key)) out[key] = doc[key as keyof EnrichedDocument];
  out.title_seg = doc.titleSeg;
  out.text_seg = doc.textSeg;
  out.search_terms = doc.searchTerms.join(" ");
  out.indexedAt = indexedAt;
  return out;
}

/** Turn a highlighted segmented fragment back into readable text (drop the segment separators). */
export function unsegment(fragment: string): string {
  return fragment.split(SEGMENT_SEPARATOR).join("");
}
