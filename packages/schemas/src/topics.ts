import type { z } from "zod";
import { AlertEventMessage } from "./alerts.js";
import { DeadLetter, EnrichedDocument, RawDocument } from "./documents.js";
import { Incident } from "./incidents.js";

/** One Kafka topic: its base name (prefixed per deployment), message schema, key and schema version. */
export interface TopicDef<S extends z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly version: number;
  readonly key: (message: z.output<S>) => string;
}

/**
 * Partition key of an enriched document: a coarse place (its first region's province), so every post of a local
 * story lands on one partition and one detector replica owns the story; without a place, its strongest keyword.
 * Re-processing stays idempotent (document ids are content-derived), so the key only decides who handles it.
 * @example storyKey({ regions: [{ province: "湖南省", … }], … }) === "place:湖南省"
 */
export function storyKey(doc: Pick<z.output<typeof EnrichedDocument>, "id" | "regions" | "keywords">): string {
  const province = doc.regions?.find((r) => r.province)?.province;
  if (province) return `place:${province}`;
  const keyword = doc.keywords[0]?.word;
  return keyword ? `kw:${keyword}` : doc.id;
}

function defineTopic<S extends z.ZodType>(def: TopicDef<S>): TopicDef<S> {
  return def;
}

/**
 * The typed catalog of every topic. Producers accept only a topic's schema type; consumers parse with it.
 * Keys keep one document / incident on one partition so its updates stay ordered.
 */
export const topics = {
  raw: defineTopic({ name: "raw", schema: RawDocument, version: 1, key: (d) => d.id }),
  enriched: defineTopic({ name: "enriched", schema: EnrichedDocument, version: 1, key: (d) => storyKey(d) }),
  alertEvents: defineTopic({ name: "alert-events", schema: AlertEventMessage, version: 1, key: (m) => m.event.alertId }),
  incidents: defineTopic({ name: "incidents", schema: Incident, version: 1, key: (i) => i.id }),
  deadLetter: defineTopic({ name: "dead-letter", schema: DeadLetter, version: 1, key: (d) => d.recordId ?? d.topic }),
} as const;

export type TopicCatalog = typeof topics;
export type TopicKey = keyof TopicCatalog;
/** The message type of a catalog topic. */
export type MessageOf<K extends TopicKey> = z.output<TopicCatalog[K]["schema"]>;

/**
 * The full topic name under a deployment prefix.
 * @example topicName("liaowang.", "raw") === "liaowang.raw"
 */
export function topicName(prefix: string, key: TopicKey): string {
  return `${prefix}${topics[key].name}`;
}
