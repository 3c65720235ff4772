import { Analyzer, createSegmenter, watchDictionaries, watchFiles } from "@liaowang/nlp";
import { loadJurisdiction } from "@liaowang/nlp/jurisdiction";
import { runConsumer, type Prepared, type Rejection } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import { connectInfra, Lifecycle, reportStageHealth, type Started } from "@liaowang/runtime";
import type { RawDocument } from "@liaowang/schemas";
import { describeError, LiaowangError } from "@liaowang/errors";
import type { EnrichConfig } from "./config.js";
import { enrichDocument } from "./enrich.js";

/** Start the enrich service: raw topic → segmentation, keywords, topics, sentiment, places, figures, SimHash → enriched topic. */
export async function startEnrich(config: EnrichConfig, log: Logger, fatal: (error: unknown) => void): Promise<Started> {
  const lifecycle = new Lifecycle(log);
  // Loaded before consuming: the first batch of a burst should not also wait for the dictionaries.
  const segmenter = createSegmenter({ configDir: config.LIAOWANG_CONFIG_DIR }).warm();
  const analyzer = new Analyzer({ configDir: config.LIAOWANG_CONFIG_DIR });
  // Read like the detector's, so a post's scope in search is the one the duty board judged it by.
  const jurisdiction = loadJurisdiction({ configDir: config.LIAOWANG_CONFIG_DIR, env: { LIAOWANG_JURISDICTION: config.LIAOWANG_JURISDICTION }, gazetteer: analyzer.resources.gazetteer });
  log.info({ jurisdiction: jurisdiction.label }, "document scope read against the jurisdiction");
  if (config.ENRICH_WATCH_DICTIONARIES === "on") {
    const watchLog = log.child({ module: "dictionaries" });
    lifecycle.add(
      "dictionary watcher",
      watchDictionaries(segmenter, {
        onReload: (result) => watchLog.info({ result }, "dictionaries reloaded"),
        onError: (error) => watchLog.error({ err: error }, "dictionary reload failed; previous dictionaries stay in force"),
      }),
      async (unwatch) => unwatch(),
    );
    const analysisLog = log.child({ module: "analysis-config" });
    lifecycle.add(
      "taxonomy and lexicon watcher",
      watchFiles(analyzer.paths, () => analyzer.reload(), {
        onReload: (result) => analysisLog.info({ result }, "taxonomy, lexicons and place names reloaded"),
        onError: (error) => analysisLog.error({ err: error }, "taxonomy/lexicon reload failed; previous ones stay in force"),
      }),
      async (unwatch) => unwatch(),
    );
  }
  const infra = await connectInfra(config, log, lifecycle, ["raw", "enriched", "deadLetter"]);
  const consumer = lifecycle.add(
    "consumer",
    await runConsumer({
      kafka: infra.kafka,
      topicPrefix: infra.topicPrefix,
      sessionTimeout: infra.sessionTimeout,
      groupId: config.ENRICH_GROUP_ID,
      topic: "raw",
      fetch: { minBytes: config.ENRICH_FETCH_MIN_BYTES, maxWaitTimeInMs: config.ENRICH_FETCH_WAIT_MS },
      service: "enrich",
      deadLetters: infra.producer,
      log,
      onFatal: fatal,
      handler: async (records) => {
        const out: Prepared<"enriched">[] = [];
        const sources: typeof records = [];
        const rejections: Rejection<RawDocument>[] = [];
        const now = new Date();
        // Read once per batch: a reload between batches applies to the next one, never halfway through.
        const options = { keywords: config.ENRICH_KEYWORDS, analysis: analyzer.resources, jurisdiction };
        for (const record of records) {
          try {
            // Encoded as soon as it is built (enrichDocument's output a test parses with the schema, the same document
            // back: not validated again), so the batch holds bytes, not ~500 documents' objects, until it is produced.
            out.push(infra.producer.prepare("enriched", enrichDocument(record.value, segmenter, options, now), { validated: true }));
            sources.push(record);
          } catch (error) {
            rejections.push({ record, reason: `document ${record.value.id} could not be enriched: ${describeError(error)}`, code: error instanceof LiaowangError ? error.code : "enrich_failed" });
          }
        }
        // Produced (acks=all, in chunks below the topic's message limit) before the runner commits the raw offsets:
        // a crash re-enriches, never loses. A document whose enriched form alone exceeds the limit is dead-lettered.
        const tooLarge = await infra.producer.sendPrepared("enriched", out);
        for (const { index, reason } of tooLarge) {
          const record = sources[index] as (typeof records)[number];
          rejections.push({ record, reason: `enriched document ${record.value.id} cannot be produced: ${reason}`, code: "too_large" });
        }
        return rejections;
      },
    }),
    (c) => c.stop(),
  );
  reportStageHealth(infra, lifecycle, consumer, log.child({ module: "stage-health" }));
  return { stop: () => lifecycle.stop() };
}
