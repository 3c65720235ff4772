import { installTemplate, DOCUMENTS } from "@liaowang/es";
import { runConsumer } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import { connectInfra, Lifecycle, type Started } from "@liaowang/runtime";
import type { IndexerConfig } from "./config.js";
import { createIndexHandler } from "./handler.js";

/** Start the indexer: enriched topic → Elasticsearch, offsets committed after the bulk is acknowledged. */
export async function startIndexer(config: IndexerConfig, log: Logger, fatal: (error: unknown) => void): Promise<Started> {
  const lifecycle = new Lifecycle(log);
  const infra = await connectInfra(config, log, lifecycle, ["enriched", "deadLetter"]);
  await installTemplate(infra.es, config.LIAOWANG_CONFIG_DIR, infra.indexPrefix, DOCUMENTS);
  await lifecycle.add(
    "consumer",
    await runConsumer({
      kafka: infra.kafka,
      topicPrefix: infra.topicPrefix,
      sessionTimeout: infra.sessionTimeout,
      groupId: config.INDEXER_GROUP_ID,
      topic: "enriched",
      service: "indexer",
      handler: createIndexHandler(infra.es, infra.indexPrefix, log.child({ module: "index" })),
      deadLetters: infra.producer,
      log,
      onFatal: fatal,
    }),
    (consumer) => consumer.stop(),
  );
  return { stop: () => lifecycle.stop() };
}
