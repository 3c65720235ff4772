import { schedule } from "node-cron";
import { DetectorEngine } from "@liaowang/detect";
import { runConsumer } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import { connectInfra, Lifecycle, reportStageHealth, routeCronLogs, type Started } from "@liaowang/runtime";
import { loadDomainConfig, type DetectorConfig } from "./config.js";
import { Detector } from "./detector.js";
import { IncidentStore } from "./store.js";

/**
 * Start the detector: enriched topic → incidents (clustered, graded, watched, bursting) stored in Elasticsearch and
 * published on the incidents topic; a node-cron tick runs bursts, expiry and the flatline check. Open incidents and
 * counters are reloaded from Elasticsearch first, so a restart continues the same incidents.
 */
export async function startDetector(config: DetectorConfig, log: Logger, fatal: (error: unknown) => void): Promise<Started> {
  const domain = loadDomainConfig(config);
  const lifecycle = new Lifecycle(log);
  const infra = await connectInfra(config, log, lifecycle, ["enriched", "incidents", "deadLetter"]);
  const store = new IncidentStore(infra.es, infra.indexPrefix, log.child({ module: "store" }));
  await store.init();

  const incidents = await store.loadOpen(domain.engine.cluster.maxOpen);
  const snapshot = await store.loadSnapshot(config.DETECTOR_INSTANCE_ID);
  const engine = new DetectorEngine(domain.engine, domain.watch, { incidents, snapshot });
  log.info(
    { open: incidents.length, reported: incidents.filter((i) => i.reportedAt !== undefined).length, watchRules: domain.watch.rules.length, counters: snapshot !== undefined, files: domain.files },
    "detector state restored",
  );

  const detector = new Detector({
    engine,
    store,
    publish: (messages) => infra.producer.send("incidents", messages),
    instance: config.DETECTOR_INSTANCE_ID,
    log: log.child({ module: "detector" }),
  });
  // Stopped after the consumer (reverse order), so the counters saved include the last batch.
  lifecycle.add("state", detector, (d) => d.saveState());
  const consumer = lifecycle.add(
    "consumer",
    await runConsumer({
      kafka: infra.kafka,
      topicPrefix: infra.topicPrefix,
      sessionTimeout: infra.sessionTimeout,
      groupId: config.DETECTOR_GROUP_ID,
      topic: "enriched",
      service: "detector",
      handler: detector.handle,
      deadLetters: infra.producer,
      log: log.child({ module: "consumer" }),
      onFatal: fatal,
    }),
    (c) => c.stop(),
  );
  // A join after the restore above means partitions (stories) may have moved between replicas (the first one
  // repeats the restore, harmlessly: held incidents are only replaced by newer revisions).
  consumer.consumer.on(consumer.consumer.events.GROUP_JOIN, () => void detector.takeOver());
  reportStageHealth(infra, lifecycle, consumer, log.child({ module: "stage-health" }));
  routeCronLogs(log);
  const task = schedule(config.DETECTOR_TICK_SCHEDULE, () => detector.tick(), { name: "detector-tick", noOverlap: true });
  lifecycle.add("tick", task, async (t) => {
    await t.stop();
    await t.destroy();
  });
  return { stop: () => lifecycle.stop() };
}
