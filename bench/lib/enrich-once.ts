import { join } from "node:path";
import { documentId } from "@liaowang/ingest";
import { Analyzer, createSegmenter } from "@liaowang/nlp";
import { loadJurisdiction } from "@liaowang/nlp/jurisdiction";
import type { EnrichedDocument, RawDocument } from "@liaowang/schemas";
import { enrichDocument } from "../../services/enrich/src/enrich.js";
import type { IngestRecord } from "./corpus.js";

const CONFIG_DIR = join(import.meta.dirname, "..", "..", "config");

/**
 * Enriches bench records in-process as ingest and enrich would (the raw document ingest makes of a pushed record, then
 * enrich's analysis for 湖南省), for scripts that feed one stage directly: `bench/detector-alone.ts`,
 * `bench/index-alone.ts`. Loading the segmenter and the division data takes a few seconds, so make one and reuse it.
 */
export function serviceEnricher(now = new Date()): (record: IngestRecord) => EnrichedDocument {
  const segmenter = createSegmenter({ configDir: CONFIG_DIR }).warm();
  const analysis = new Analyzer({ configDir: CONFIG_DIR }).resources;
  const jurisdiction = loadJurisdiction({ configDir: CONFIG_DIR, env: { LIAOWANG_JURISDICTION: "湖南省" } });
  return (record) => {
    const raw: RawDocument = {
      v: 1,
      id: documentId(record),
      source: record.source,
      sourceKind: "webhook",
      ...(record.title === undefined ? {} : { title: record.title }),
      text: record.text,
      publishedAt: record.publishedAt,
      ingestedAt: now.toISOString(),
      ...(record.region === undefined ? {} : { region: record.region }),
      ...(record.url === undefined ? {} : { url: record.url }),
      lang: "zh",
    };
    return enrichDocument(raw, segmenter, { keywords: 20, analysis, jurisdiction }, now);
  };
}
