import { docScope, type Jurisdiction } from "@liaowang/detect";
import { analyze } from "@liaowang/nlp";
import type { AnalysisResources, Segmenter } from "@liaowang/nlp";
import { SEGMENT_SEPARATOR, type EnrichedDocument, type RawDocument } from "@liaowang/schemas";

/** Options for {@link enrichDocument}. */
export interface EnrichOptions {
  keywords: number;
  /** Taxonomy, lexicons and places (`Analyzer.resources`); without them only tokens and keywords are produced. */
  analysis?: AnalysisResources | undefined;
  /** The deployment's jurisdiction: with it (and the analysis), each document gets its scope for search filters. */
  jurisdiction?: Jurisdiction | undefined;
}

// The separator must never occur inside a document, or highlights could not be joined back exactly.
const separatorPattern = new RegExp(SEGMENT_SEPARATOR, "g");

/**
 * Segment a raw document and extract what search and detection need: tokens, keywords and, given the analysis
 * resources, topics, category, sentiment, regions, casualty/loss figures and SimHash. Pure apart from the segmenter.
 * @example enrichDocument(raw, createSegmenter(), { keywords: 20, analysis: new Analyzer().resources }, new Date())
 */
export function enrichDocument(raw: RawDocument, segmenter: Segmenter, options: EnrichOptions, now: Date): EnrichedDocument {
  const title = withoutSeparator(raw.title ?? "");
  const text = withoutSeparator(raw.text);
  const full = title ? `${title}\n${text}` : text;
  const titleSegments = segmenter.segments(title);
  const textSegments = segmenter.segments(text);
  // Cutting title and text apart gives the same segments as cutting `full`: the newline always separates.
  const segments = title ? [...titleSegments, "\n", ...textSegments] : textSegments;
  const tokens = segmenter.contentTokens(segments);
  const keywords = segmenter.keywordsOfSegments(full, segments, options.keywords).map((k) => ({ word: k.word, weight: round(k.weight) }));
  const analysis =
    options.analysis === undefined
      ? undefined
      : analyze(
          {
            text: full,
            segments,
            tokens,
            indexedTokens: true,
            keywords,
            regionHint: raw.region === undefined ? undefined : segmenter.segments(raw.region),
            publishedAt: new Date(raw.publishedAt),
          },
          options.analysis,
        );
  // Built by assignment, in the order a spread literal would give (the raw fields first): in Node 20, adding fields
  // to a spread copy of the record cost ~25 µs per document, as much as all place recognition.
  const out = Object.assign({}, raw) as EnrichedDocument;
  if (raw.title !== undefined) out.title = title;
  out.text = text;
  out.tokens = tokens;
  out.titleSeg = titleSegments.join(SEGMENT_SEPARATOR);
  out.textSeg = textSegments.join(SEGMENT_SEPARATOR);
  out.searchTerms = [...new Set(segmenter.cutForSearchOfSegments(full, segments))];
  out.keywords = keywords;
  out.enrichedAt = now.toISOString();
  if (analysis !== undefined) {
    out.topics = analysis.topics;
    if (analysis.category !== undefined) out.category = analysis.category;
    out.sentiment = analysis.sentiment;
    // The document schema (and its strict index mapping) carries code, name, level and province only.
    out.regions = analysis.regions.map(({ code, name, level, province, role }) => (role === undefined ? { code, name, level, province } : { code, name, level, province, role }));
    out.abroad = analysis.abroad;
    out.figures = analysis.figures;
    out.timeRef = analysis.timeRef;
    out.simhash = analysis.simhash;
    if (options.jurisdiction !== undefined) {
      out.scope = docScope({ title: raw.title, text: full, regions: analysis.regions, abroad: analysis.abroad }, options.jurisdiction).scope;
    }
  }
  return out;
}

function withoutSeparator(text: string): string {
  return text.includes(SEGMENT_SEPARATOR) ? text.replace(separatorPattern, " ") : text;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
