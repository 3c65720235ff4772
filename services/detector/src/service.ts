import { schedule } from "node-cron";
import { compileWatchRules, DetectorEngine, type WatchMatcher } from "@liaowang/detect";
import { initialLiveConfig, LiveConfigStore, watchLiveConfig } from "@liaowang/es";
import { runConsumer } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import { topicName } from "@liaowang/schemas";
import { connectInfra, Lifecycle, reportStageHealth, routeCronLogs, type Started } from "@liaowang/runtime";
import { loadDomainConfig, type DetectorConfig } from "./config.js";
import { CandidateLog } from "./candidates.js";
import { carryOverLegacyCandidates } from "./legacy.js";
import { Detector } from "./detector.js";
import { readEnriched } from "./enriched.js";
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
  const store = new IncidentStore(infra.es, infra.indexPrefix, log.child({ module: "store" }), config.DETECTOR_INSTANCE_ID);
  await store.init();
  // Candidates are loaded per partition of the enriched topic as partitions are assigned (see CandidateLog).
  const candidates = new CandidateLog(infra.es, infra.indexPrefix, config.DETECTOR_INSTANCE_ID, log.child({ module: "candidates" }));
  await candidates.init();
  // Candidates of versions before 2026-12-03 (one document each in <prefix>incident-candidates) go into the log once.
  const legacy = await carryOverLegacyCandidates({ es: infra.es, kafka: infra.kafka, topic: topicName(infra.topicPrefix, "enriched"), indexPrefix: infra.indexPrefix, index: candidates.index, instance: config.DETECTOR_INSTANCE_ID, log: log.child({ module: "legacy-candidates" }) });
  if (legacy.status === "failed") log.error({ err: legacy.error }, "could not carry the old candidates over; starting without them (the next start carries the rest over)");

  const incidents = await store.loadOpen(domain.engine.cluster.maxOpen);
  const snapshot = await store.loadSnapshot(config.DETECTOR_INSTANCE_ID);
  // Watch rules edited in the admin screens are stored in Elasticsearch and applied between posts, without a restart;
  // the file is the rules until the first edit.
  const liveConfig = new LiveConfigStore(infra.es, infra.indexPrefix);
  const initial = await initialLiveConfig(liveConfig, "watch-rules", parseStoredRules, () => domain.watch, log);
  let watch: WatchMatcher = initial.value;
  const liveWatch: WatchMatcher = {
    get rules() {
      return watch.rules;
    },
    match: (doc) => watch.match(doc),
  };
  const engine = new DetectorEngine(domain.engine, liveWatch, { incidents, snapshot });
  lifecycle.add(
    "watch-rules",
    watchLiveConfig({ store: liveConfig, kind: "watch-rules", parse: parseStoredRules, since: initial.version, log, apply: (next) => void (watch = next) }),
    (w) => w.stop(),
  );
  log.info(
    { open: incidents.length, reported: incidents.filter((i) => i.reportedAt !== undefined).length, watchRules: watch.rules.length, watchRulesVersion: initial.version, counters: snapshot !== undefined, files: domain.files },
    "detector state restored",
  );

  const detector = new Detector({
    engine,
    store,
    candidates,
    // Built by toIncidentMessage, whose test checks its output against the topic's schema: not parsed again.
    publish: (messages) => infra.producer.send("incidents", messages, { validated: true }),
    instance: config.DETECTOR_INSTANCE_ID,
    log: log.child({ module: "detector" }),
    burstFlushMs: config.DETECTOR_BURST_FLUSH_MS,
    handoverWaitMs: config.DETECTOR_HANDOVER_WAIT_MS,
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
      // Enrich's own output: parsed once and checked structurally, not with the full schema (see parseEnriched).
      parse: readEnriched,
      deadLetters: infra.producer,
      log: log.child({ module: "consumer" }),
      onFatal: fatal,
      // Burst counters are kept per partition and move with it: loaded on assignment, handed over on revoke.
      fetch: { minBytes: config.DETECTOR_FETCH_MIN_BYTES, maxWaitTimeInMs: config.DETECTOR_FETCH_WAIT_MS, maxBytesPerPartition: config.DETECTOR_FETCH_MAX_BYTES_PER_PARTITION },
      onAssign: (partitions) => detector.assign(partitions),
      onRevoke: (partitions) => detector.release(partitions),
    }),
    (c) => c.stop(),
  );
  reportStageHealth(infra, lifecycle, consumer, log.child({ module: "stage-health" }));
  routeCronLogs(log);
  const task = schedule(config.DETECTOR_TICK_SCHEDULE, () => detector.tick(), { name: "detector-tick", noOverlap: true });
  lifecycle.add("tick", task, async (t) => {
    await t.stop();
    await t.destroy();
  });
  return { stop: () => lifecycle.stop() };
}

/** Stored watch rules have the file's shape, `{ rules: [...] }`. */
function parseStoredRules(data: unknown): WatchMatcher {
  const rules = data && typeof data === "object" && "rules" in data ? (data as { rules: unknown }).rules : undefined;
  return compileWatchRules(rules ?? []);
}
