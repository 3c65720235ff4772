import type { Segmenter } from "@liaowang/nlp";
import { SEGMENT_SEPARATOR, type EnrichedDocument, type RawDocument } from "@liaowang/schemas";

/** Options for {@link enrichDocument}. */
export interface EnrichOptions {
  keywords: number;
}

// The separator must never occur inside a document, or highlights could not be joined back exactly.
const separatorPattern = new RegExp(SEGMENT_SEPARATOR, "g");

/**
 * Segment a raw document and extract what search and detection need. Pure apart from the segmenter.
 * @example enrichDocument(raw, createSegmenter(), { keywords: 20 }, new Date())
 */
export function enrichDocument(raw: RawDocument, segmenter: Segmenter, options: EnrichOptions, now: Date): EnrichedDocument {
  const title = (raw.title ?? "").replace(separatorPattern, " ");
  const text = raw.text.replace(separatorPattern, " ");
  const full = title ? `${title}\n${text}` : text;
  return {
    ...raw,
    ...(raw.title === undefined ? {} : { title }),
    text,
    tokens: segmenter.tokensForIndex(full),
    titleSeg: segmenter.segments(title).join(SEGMENT_SEPARATOR),
    textSeg: segmenter.segments(text).join(SEGMENT_SEPARATOR),
    searchTerms: [...new Set(segmenter.cutForSearch(full))],
    keywords: segmenter.keywords(full, options.keywords).map((k) => ({ word: k.word, weight: round(k.weight) })),
    enrichedAt: now.toISOString(),
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
