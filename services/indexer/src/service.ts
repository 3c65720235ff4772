import { schedule } from "node-cron";
import { applyRetention, installTemplate, DOCUMENTS } from "@liaowang/es";
import { runConsumer } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import { connectInfra, Lifecycle, reportStageHealth, routeCronLogs, type Started } from "@liaowang/runtime";
import type { IndexerConfig } from "./config.js";
import { parseForIndex } from "./es-source.js";
import { createIndexHandler } from "./handler.js";

/** Start the indexer: enriched topic → Elasticsearch, offsets committed after the bulk is acknowledged. */
export async function startIndexer(config: IndexerConfig, log: Logger, fatal: (error: unknown) => void): Promise<Started> {
  const lifecycle = new Lifecycle(log);
  const infra = await connectInfra(config, log, lifecycle, ["enriched", "deadLetter"]);
  await installTemplate(infra.es, config.LIAOWANG_CONFIG_DIR, infra.indexPrefix, DOCUMENTS);
  const consumer = lifecycle.add(
    "consumer",
    await runConsumer({
      kafka: infra.kafka,
      topicPrefix: infra.topicPrefix,
      sessionTimeout: infra.sessionTimeout,
      groupId: config.INDEXER_GROUP_ID,
      topic: "enriched",
      service: "indexer",
      // One handler call is one bulk request: up to INDEXER_BULK_DOCS documents from one fetch of a partition.
      maxRecordsPerCall: config.INDEXER_BULK_DOCS,
      fetch: { maxBytesPerPartition: config.INDEXER_FETCH_BYTES, maxBytes: 3 * config.INDEXER_FETCH_BYTES, minBytes: config.INDEXER_FETCH_MIN_BYTES, maxWaitTimeInMs: config.INDEXER_FETCH_WAIT_MS },
      // Records are read for indexing without a full parse (es-source.ts); Elasticsearch's strict mapping checks them.
      parse: parseForIndex(infra.indexPrefix),
      handler: createIndexHandler(infra.es, log.child({ module: "index" })),
      deadLetters: infra.producer,
      log,
      onFatal: fatal,
    }),
    (c) => c.stop(),
  );
  reportStageHealth(infra, lifecycle, consumer, log.child({ module: "stage-health" }));
  if (config.INDEXER_RETENTION === "on") {
    const retentionLog = log.child({ module: "retention" });
    const sweep = async () => {
      try {
        const report = await applyRetention(infra.es, infra.indexPrefix, config.retention, new Date(), retentionLog);
        retentionLog.info({ report }, "retention sweep done");
      } catch (error) {
        retentionLog.warn({ err: error }, "retention sweep failed; the next run retries");
      }
    };
    routeCronLogs(log);
    const task = schedule(config.retention.schedule, sweep, { name: "indexer-retention", timezone: config.retention.timezone, noOverlap: true });
    lifecycle.add("retention", task, async (t) => {
      await t.stop();
      await t.destroy();
    });
    const { documents, outOfWindow, incidents, alerts, schedule: at } = config.retention;
    retentionLog.info({ documentsDays: documents, outOfWindowDays: outOfWindow ?? documents, incidentsDays: incidents, alertsDays: alerts, schedule: at }, "retention sweep scheduled");
  }
  return { stop: () => lifecycle.stop() };
}
