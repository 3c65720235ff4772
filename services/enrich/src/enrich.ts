import { docScope, type Jurisdiction } from "@liaowang/detect";
import { analyze } from "@liaowang/nlp";
import type { Analysis, AnalysisResources, Segmenter } from "@liaowang/nlp";
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
  return {
    ...raw,
    ...(raw.title === undefined ? {} : { title }),
    text,
    tokens,
    titleSeg: titleSegments.join(SEGMENT_SEPARATOR),
    textSeg: textSegments.join(SEGMENT_SEPARATOR),
    searchTerms: [...new Set(segmenter.cutForSearchOfSegments(full, segments))],
    keywords,
    enrichedAt: now.toISOString(),
    ...(analysis === undefined ? {} : analysisFields(analysis)),
    ...(analysis === undefined || options.jurisdiction === undefined ? {} : { scope: docScope({ title: raw.title, text: full, regions: analysis.regions, abroad: analysis.abroad }, options.jurisdiction).scope }),
  };
}

function analysisFields(a: Analysis): Pick<EnrichedDocument, "topics" | "category" | "sentiment" | "regions" | "abroad" | "figures" | "timeRef" | "simhash"> {
  return {
    topics: a.topics,
    ...(a.category === undefined ? {} : { category: a.category }),
    sentiment: a.sentiment,
    // The document schema (and its strict index mapping) carries code, name, level and province only.
    regions: a.regions.map(({ code, name, level, province, role }) => ({ code, name, level, province, ...(role === undefined ? {} : { role }) })),
    abroad: a.abroad,
    figures: a.figures,
    timeRef: a.timeRef,
    simhash: a.simhash,
  };
}

function withoutSeparator(text: string): string {
  return text.includes(SEGMENT_SEPARATOR) ? text.replace(separatorPattern, " ") : text;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
