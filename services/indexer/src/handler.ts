import type { Client } from "@liaowang/es";
import { bulkIndex } from "@liaowang/es";
import type { BatchHandler, Delivered, Rejection } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import { esSource, sourceTail, type IndexRecord } from "./es-source.js";

/**
 * Index a batch of enriched documents (read by `parseForIndex`) with their content ids; returns the documents
 * Elasticsearch refused for good so they are dead-lettered. Returns only once Elasticsearch acknowledged the rest.
 */
export function createIndexHandler(es: Client, log: Logger, now: () => Date = () => new Date()): BatchHandler<IndexRecord> {
  return async (records) => {
    const tail = sourceTail(now().toISOString());
    // The same document can appear twice in one batch (a replay); the later one wins, as it would in ES.
    const latest = new Map<string, Delivered<IndexRecord>>();
    for (const record of records) latest.set(record.value.id, record);
    const failures = await bulkIndex(
      es,
      [...latest.values()].map((record) => ({ index: record.value.index, id: record.value.id, document: esSource(record.value, tail), ref: record })),
      { log },
    );
    log.debug({ indexed: latest.size - failures.length, failed: failures.length }, "batch indexed");
    return failures.map((f): Rejection<IndexRecord> => ({ record: f.ref, reason: `document ${f.id} refused by Elasticsearch (${f.status}): ${f.reason}`, code: "es_rejected" }));
  };
}
