import { detectionTime, simhash64, tokenFeatures, type DocFeatures } from "@liaowang/detect";
import type { EnrichedDocument } from "@liaowang/schemas";

/**
 * What detection reads of an enriched document. Analysis fields are optional on the topic (older messages and
 * documents the classifiers found nothing in), so absent ones read as empty; a missing SimHash is computed here.
 */
export function toFeatures(doc: EnrichedDocument): DocFeatures {
  return {
    id: doc.id,
    source: doc.source,
    url: doc.url,
    title: doc.title,
    text: doc.text,
    // An implausible claimed date (flagged by ingest) never moves an onset: detection uses the ingest time then.
    publishedAt: detectionTime(doc),
    tokens: doc.tokens,
    keywords: doc.keywords,
    simhash: doc.simhash ?? simhash64(tokenFeatures(doc.tokens)),
    topics: doc.topics ?? [],
    category: doc.category,
    regions: doc.regions ?? [],
    abroad: doc.abroad ?? [],
    timeRef: doc.timeRef,
    sentiment: doc.sentiment?.score ?? 0,
    figures: doc.figures ?? [],
    metrics: doc.metrics,
  };
}
