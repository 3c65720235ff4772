import { hostname } from "node:os";
import { INTERNAL_INDEX_SETTINGS } from "@liaowang/es";
import { groupLag, type RunningConsumer } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import { stageHealthIndex, type StageHealth } from "@liaowang/schemas";
import type { Infra } from "./infra.js";
import type { Lifecycle } from "./service.js";

/**
 * Every `intervalMs`, store this replica's stage health (consumer-group lag on its topic, records committed, group
 * joins and abandoned batches, and the offsets it is stuck on, if any) in `<prefix>stage-health`, where the API's health endpoint reads it. Logs the
 * lag when it grows past `lagWarn`. Failures to report are logged at debug: health reporting never stops a stage.
 */
export function reportStageHealth(infra: Infra, lifecycle: Lifecycle, consumer: RunningConsumer, log: Logger, options: { intervalMs?: number; lagWarn?: number } = {}): void {
  const intervalMs = options.intervalMs ?? 5_000;
  const lagWarn = options.lagWarn ?? 50_000;
  const index = stageHealthIndex(infra.indexPrefix);
  const instance = `${hostname()}-${process.pid}`;
  const admin = infra.kafka.admin();
  let connected: Promise<void> | undefined;
  let created = false;
  let running = false;
  const report = async () => {
    if (running) return;
    running = true;
    try {
      const status = consumer.status();
      let lag: number | null = null;
      try {
        connected ??= admin.connect();
        await connected;
        lag = (await groupLag(admin, status.groupId, status.topic)).total;
      } catch (error) {
        connected = undefined;
        log.debug({ err: error }, "could not read consumer lag");
      }
      if (lag !== null && lag > lagWarn) log.warn({ lag, topic: status.topic }, "consumer lag is high");
      const doc: StageHealth = {
        service: status.service,
        instance,
        topic: status.topic,
        groupId: status.groupId,
        reportedAt: new Date().toISOString(),
        lag,
        committed: status.committed,
        ...(status.lastCommitAt === undefined ? {} : { lastCommitAt: new Date(status.lastCommitAt).toISOString() }),
        joins: status.joins,
        ...(status.lastJoinAt === undefined ? {} : { lastJoinAt: new Date(status.lastJoinAt).toISOString() }),
        abandoned: status.abandoned,
        ...(status.lastAbandonedAt === undefined ? {} : { lastAbandonedAt: new Date(status.lastAbandonedAt).toISOString() }),
        ...(status.stuck === undefined ? {} : { stuck: { ...status.stuck, since: new Date(status.stuck.since).toISOString(), error: status.stuck.error.slice(0, 500) } }),
        ...(status.stalled === undefined ? {} : { stalled: { ...status.stalled, since: new Date(status.stalled.since).toISOString() } }),
      };
      if (!created) {
        await infra.es.indices.create(
          { index, settings: { number_of_shards: 1, number_of_replicas: 0, "index.auto_expand_replicas": "0-1", ...INTERNAL_INDEX_SETTINGS }, mappings: { dynamic: false, properties: { service: { type: "keyword" }, reportedAt: { type: "date" } } } },
          { ignore: [400] },
        );
        created = true;
      }
      await infra.es.index({ index, id: `${status.service}-${instance}`, document: doc });
    } catch (error) {
      log.debug({ err: error }, "could not store stage health");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void report(), intervalMs);
  timer.unref();
  void report();
  lifecycle.add("stage health", timer, async (t) => {
    clearInterval(t);
    await admin.disconnect().catch(() => undefined);
  });
}
