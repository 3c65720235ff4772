import { emptyBurstState, expectedInterval, type BurstState, type DetectorEngine, type DocFeatures, type EngineSnapshot, type IncidentState, type Plan } from "@liaowang/detect";
import { LiaowangError } from "@liaowang/errors";
import type { BatchHandler, Delivered } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import type { Incident } from "@liaowang/schemas";
import { PartitionsTakenOver, type CandidateLog, type PartitionChange } from "./candidates.js";
import { toIncidentMessage } from "./message.js";
import type { IncidentStore, SourceHealth } from "./store.js";

/** What the detector glue needs around the domain engine. */
export interface DetectorDeps {
  engine: DetectorEngine;
  store: IncidentStore;
  /** Candidates (not reported yet) of the partitions held, made durable per partition. */
  candidates: CandidateLog;
  /** Publishes incident snapshots on the incidents topic (resolves once the brokers acknowledged them). */
  publish: (messages: Incident[]) => Promise<void>;
  /** Names this replica's stored burst / source state. */
  instance: string;
  log: Logger;
  clock?: () => Date;
  /** How long a partition's changed burst counters may go unsaved while batches arrive (ms); default 30 s. */
  burstFlushMs?: number;
  /** How long a new owner waits for the previous owner of a partition to hand its counters over (ms); default 5 s. */
  handoverWaitMs?: number;
}

/** A partition's burst counters held by this replica. */
interface HeldShard {
  savedAt: number;
  dirty: boolean;
}

/** Conflicting writes (another replica, or a request Elasticsearch applied twice) planned again before giving up. */
const CONFLICT_ATTEMPTS = 5;

/** The most recent incidents a redelivered incident absorbed whose stored `merged` message is sent again with it. */
const MERGED_RESENT = 20;

/**
 * Kafka and Elasticsearch glue around the {@link DetectorEngine}: each batch of enriched documents becomes a plan that
 * is stored (reported incidents with compare-and-set, the candidates of the batch's partition as one delta of its
 * log), committed to memory, and only then published — so a failure before the commit leaves memory as it was and the
 * batch is simply processed again (offsets are committed only after it was published), and nothing is ever published
 * that was not stored. A plan that could not be made durable may be planned differently when processed again (split
 * by the consumer's retries, or after another replica's change): publishing it first sent incidents that never came
 * to exist, and the alerter raised alerts for them. Batches and ticks run one at a time.
 */
export class Detector {
  private readonly clock: () => Date;
  private queue: Promise<unknown> = Promise.resolve();
  private lastSync: number;
  /** Partitions of the enriched topic whose burst counters this replica holds (and alone may save). */
  private readonly held = new Map<number, HeldShard>();
  /** Stored incident messages whose publication failed: sent before anything else (the highest revision per id). */
  private readonly outbox = new Map<string, Incident>();
  /** The revision of each open incident this process last published: what a redelivery need not send again. */
  private readonly sent = new Map<string, number>();

  constructor(private readonly deps: DetectorDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.lastSync = this.clock().getTime();
  }

  /** The consumer's batch handler for the enriched topic (records read with `readEnriched`). */
  readonly handle: BatchHandler<DocFeatures> = (records) =>
    this.exclusive(async () => {
      // Burst counters are kept per partition (the posts of a place land on one), so they move with it.
      const byPartition = new Map<number, Delivered<DocFeatures>[]>();
      for (const r of records) {
        const part = byPartition.get(r.partition);
        if (part) part.push(r);
        else byPartition.set(r.partition, [r]);
      }
      for (const [partition, part] of byPartition) {
        await this.step(part, partition);
        await this.flush(partition, false);
      }
    });

  private async step(records: Delivered<DocFeatures>[], partition: number): Promise<void> {
    const features = records.map((r) => r.value);
    // A lost compare-and-set race (another replica wrote first) reloads those incidents: plan again at once,
    // a few times, before handing the batch back to the consumer's backoff.
    for (let attempt = 1; ; attempt++) {
      // Loaded first (and again after another replica took the partition over).
      await this.hold([partition]);
      const now = this.clock();
      const plan = this.deps.engine.process(features, now.getTime(), { shard: String(partition) });
      try {
        await this.apply(plan, now, partition);
        const held = this.held.get(partition);
        if (held) held.dirty = true;
        return;
      } catch (error) {
        if (!(error instanceof LiaowangError && error.code === "conflict") || attempt >= CONFLICT_ATTEMPTS) throw error;
        this.deps.log.info({ attempt, err: error }, "incidents changed elsewhere; planned again");
      }
    }
  }

  /**
   * The consumer's `onAssign`: partitions (and the stories keyed to them) may have moved between replicas. Takes in
   * the open incidents other replicas stored, lets go of counters of partitions no longer here (without saving: their
   * new owner's are newer), and loads the counters of partitions that came here.
   */
  assign(partitions: number[]): Promise<void> {
    return this.exclusive(async () => {
      await this.takeIn();
      const gone = [...this.held.keys()].filter((p) => !partitions.includes(p));
      if (gone.length > 0) this.letGo(gone);
      try {
        await this.hold(partitions);
      } catch (error) {
        this.deps.log.warn({ err: error, partitions }, "could not load burst counters of assigned partitions; loading them with their first batch");
      }
    });
  }

  /**
   * The consumer's `onRevoke`: the partitions are about to go to another replica. Saves their counters marked as
   * released, so the next owner takes them at once, and lets go of them: nothing of this replica overwrites them later.
   */
  release(partitions: number[]): Promise<void> {
    return this.exclusive(async () => {
      const mine = [...this.held.keys()];
      // Their candidates are durable with every batch; the counters are saved now, marked released.
      for (const partition of mine) await this.flush(partition, true);
      this.letGo(mine);
      this.deps.log.info({ partitions, handedOver: mine }, "partitions revoked; burst counters handed over");
    });
  }

  /** Lets go of partitions' counters and candidates (without saving: their new owner's are newer). */
  private letGo(partitions: readonly number[]): void {
    const { engine, candidates } = this.deps;
    engine.dropBurstShards(partitions.map(String));
    const ids: string[] = [];
    for (const p of partitions) {
      this.held.delete(p);
      ids.push(...candidates.release(p));
    }
    engine.drop(ids);
  }

  /**
   * Loads the counters and candidates of partitions not held yet (waiting briefly for a previous owner to hand them
   * over: it saves the counters marked released after its last batch, whose candidates were durable with it).
   */
  private async hold(partitions: number[]): Promise<void> {
    const missing = partitions.filter((p) => !this.held.has(p) || !this.deps.candidates.holds(p));
    if (missing.length === 0) return;
    const { store, engine, instance, log } = this.deps;
    const waitMs = this.deps.handoverWaitMs ?? 5_000;
    const loaded: Record<string, BurstState> = {};
    for (const partition of missing) {
      let stored = await store.loadBurstShard(partition);
      // Saved by another replica that has not let the partition go yet: it is handing over right now (a rebalance)
      // or it died (then its last periodic save is what there is).
      const deadline = Date.now() + waitMs;
      while (stored && !stored.released && stored.owner !== instance && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        stored = await store.loadBurstShard(partition);
      }
      if (stored && !stored.released && stored.owner !== instance) {
        log.warn({ partition, previousOwner: stored.owner, savedAt: stored.savedAt }, "previous owner did not hand over the partition's burst counters; continuing from its last save");
      }
      loaded[String(partition)] = stored?.bursts ?? emptyBurstState();
      log.info({ partition, from: stored ? stored.owner : null, savedAt: stored?.savedAt ?? null, keys: Object.keys(stored?.bursts?.keys ?? {}).length }, "burst counters of partition loaded");
      if (!this.deps.candidates.holds(partition)) engine.replace(await this.deps.candidates.load(partition));
    }
    engine.adoptBurstShards(loaded);
    const now = this.clock().getTime();
    for (const partition of missing) this.held.set(partition, { savedAt: now, dirty: false });
  }

  /** Saves a held partition's counters when changed (at once when `released`, else at most every `burstFlushMs`). */
  private async flush(partition: number, released: boolean): Promise<void> {
    const held = this.held.get(partition);
    const bursts = this.deps.engine.burstShard(String(partition));
    if (!held || !bursts) return;
    const now = this.clock();
    if (!released && (!held.dirty || now.getTime() - held.savedAt < (this.deps.burstFlushMs ?? 30_000))) return;
    try {
      await this.deps.store.saveBurstShard(partition, bursts, { owner: this.deps.instance, released, now });
      held.savedAt = now.getTime();
      held.dirty = false;
    } catch (error) {
      // Counters are statistics: a failed save is retried with the next batch or tick, never fails the batch.
      this.deps.log.warn({ err: error, partition }, "could not save burst counters; retrying later");
    }
  }

  /**
   * The periodic work: take in what other replicas stored, then bursts, expiry and the flatline check; finally store
   * this replica's counters. Failures are logged and retried at the next tick.
   */
  tick(): Promise<void> {
    return this.exclusive(async () => {
      const now = this.clock();
      try {
        await this.sync(now);
        await this.drain();
        const plan = this.deps.engine.tick(now.getTime());
        await this.apply(plan, now);
        for (const f of plan.flatlines?.flat ?? []) {
          if (f.isNew) this.deps.log.warn({ source: f.source, lastSeenAt: new Date(f.lastSeenAt).toISOString(), expectedIntervalMs: Math.round(f.expectedIntervalMs), silentForMs: f.silentForMs }, "source has gone silent");
        }
        for (const source of plan.flatlines?.recovered ?? []) this.deps.log.info({ source }, "source delivers again");
        for (const partition of this.held.keys()) await this.flush(partition, false);
        await this.saveState(now);
      } catch (error) {
        this.deps.log.warn({ err: error }, "detector tick failed; retrying at the next tick");
      }
    });
  }

  /**
   * After a rebalance (partitions moved between replicas): take in the open incidents and candidates another replica
   * stored, so stories whose partition this replica now owns continue instead of opening again. Held incidents are
   * only replaced by newer revisions.
   */
  private async takeIn(): Promise<void> {
    try {
      const open = await this.deps.store.loadOpen(this.deps.engine.config.cluster.maxOpen);
      const taken = this.deps.engine.replace(open);
      this.deps.log.info({ incidents: taken }, "partitions reassigned; took in open incidents stored by other replicas");
    } catch (error) {
      this.deps.log.warn({ err: error }, "could not reload open incidents after a rebalance; the next tick's sync catches up");
    }
  }

  /** Stores this replica's source rhythms and unsharded counters (also called at shutdown). */
  async saveState(now = this.clock()): Promise<void> {
    const snapshot = this.deps.engine.snapshot();
    await this.deps.store.saveSnapshot(this.deps.instance, snapshot, sourceHealth(snapshot, this.deps.engine, now.getTime()), now);
  }

  /**
   * Makes a plan durable, commits it to memory and publishes it. `partition`: the enriched partition of the batch,
   * whose candidates the plan's new and changed candidates become; a tick's stay in theirs.
   *
   * A batch's incidents are published after they are stored: a crash in between leaves the batch's offsets
   * uncommitted, and the redelivered posts (recognised in the incidents holding them) send those incidents' stored
   * messages again. A tick's are published first, as before: a tick has no offsets to redeliver it, and planned again
   * at the next tick it only changes incidents that exist (expiry, bursts), never opens one.
   */
  private async apply(plan: Plan, now: Date, partition?: number): Promise<void> {
    const { engine, store, candidates } = this.deps;
    // Only reported incidents get a message and an incidents document; candidates (most updates: nearly every
    // distinct post opens one) go into their partition's log.
    const items = plan.updates.flatMap((update) => (update.incident.reportedAt === undefined ? [] : [{ update, message: toIncidentMessage(update.incident, update.changes) }]));
    const published = items.flatMap((i) => (i.update.action === "publish" ? [i.message] : []));
    const batch = partition !== undefined;
    if (!batch && published.length > 0) await this.send(published);
    if (items.length > 0) {
      const { conflicts } = await store.write(items, now);
      if (conflicts.length > 0) {
        engine.replace(await store.loadByIds(conflicts), { force: true });
        throw new LiaowangError("conflict", `incidents ${conflicts.join(", ")} were changed elsewhere; reloaded them, processing again`, { retriable: true });
      }
    }
    const next = new Map(plan.updates.map((u) => [u.incident.id, u]));
    // What the engine holds committed is what the log stored last (a change is stored before it is committed), so a
    // candidate that changed is written as a patch against the engine's committed state.
    try {
      await candidates.write(candidateChanges(plan, candidates, partition), (id) => {
        const u = next.get(id);
        if (!u) return engine.get(id);
        return isCandidate(u.incident, u.action) ? u.incident : undefined;
      }, now, (id) => engine.get(id));
    } catch (error) {
      // Another replica took partitions over: let go of what this one holds of them; the retry loads them again.
      if (error instanceof PartitionsTakenOver) this.letGo(error.partitions);
      throw error;
    }
    engine.commit(plan);
    const closed = plan.updates.filter((u) => u.action === "discard" || u.incident.status !== "open").map((u) => u.incident.id);
    store.forget(closed);
    if (batch) {
      for (const message of published) this.enqueue(message);
      for (const message of await this.unsent(plan.redelivered ?? [])) this.enqueue(message);
      await this.drain();
    }
    for (const id of closed) this.sent.delete(id);
    this.logPublished(items, plan);
  }

  /**
   * The stored messages a redelivered batch must send again: of the held incidents its posts belong to that this
   * process has not published at their current revision (it restarted, or a publish failed), and of the incidents
   * they absorbed (their last word, `merged`, may be what a crash kept from consumers).
   */
  private async unsent(redelivered: readonly string[]): Promise<Incident[]> {
    const ids = new Set<string>();
    for (const id of redelivered) {
      const held = this.deps.engine.get(id);
      if (!held || held.reportedAt === undefined || this.outbox.has(id) || this.sent.get(id) === held.revision) continue;
      ids.add(id);
      for (const absorbed of held.mergedFrom.slice(-MERGED_RESENT)) if (!this.outbox.has(absorbed)) ids.add(absorbed);
    }
    if (ids.size === 0) return [];
    const messages = await this.deps.store.loadMessages([...ids]);
    // An absorbed incident still open (merged by another replica's newer state) is sent by its own posts.
    const resent = messages.filter((m) => redelivered.includes(m.id) || m.status === "merged");
    if (resent.length > 0) this.deps.log.info({ incidents: resent.map((m) => `${m.id}@${m.revision}`) }, "redelivered posts: sending their incidents' stored messages again");
    return resent;
  }

  /** Queues a stored message for publication, keeping the highest revision per incident. */
  private enqueue(message: Incident): void {
    const queued = this.outbox.get(message.id);
    if (!queued || queued.revision <= message.revision) this.outbox.set(message.id, message);
  }

  /** Publishes what the outbox holds; on failure it keeps it (the batch is retried, the next tick tries first). */
  private async drain(): Promise<void> {
    if (this.outbox.size === 0) return;
    const messages = [...this.outbox.values()];
    await this.deps.publish(messages);
    for (const message of messages) {
      if (this.outbox.get(message.id) === message) this.outbox.delete(message.id);
      this.markSent(message);
    }
  }

  /** Publishes a tick's messages (after anything still queued) and remembers them as sent. */
  private async send(messages: Incident[]): Promise<void> {
    await this.drain();
    await this.deps.publish(messages);
    for (const message of messages) this.markSent(message);
  }

  private markSent(message: Incident): void {
    if (message.status === "open") this.sent.set(message.id, Math.max(message.revision, this.sent.get(message.id) ?? 0));
    else this.sent.delete(message.id);
  }

  private logPublished(items: readonly { update: Plan["updates"][number] }[], plan: Plan): void {
    const { log } = this.deps;
    for (const { update } of items) {
      if (update.action !== "publish") continue;
      const i = update.incident;
      // A story growing by reposts is most of the publications under load (one a post at times): logged at debug.
      const level = update.changes.every(isRoutine) ? "debug" : "info";
      log[level]({ incidentId: i.id, revision: i.revision, status: i.status, level: i.level, volume: i.volume, sources: i.sources.count, changes: update.changes, reportedBecause: update.reportedBecause }, "incident published");
    }
    if (plan.duplicates > 0) log.debug({ duplicates: plan.duplicates }, "redelivered documents ignored");
  }

  private async sync(now: Date): Promise<void> {
    // A minute of overlap covers Elasticsearch's refresh interval and clock skew between replicas.
    const since = this.lastSync - 60_000;
    const changed = await this.deps.store.loadChangedSince(since, this.deps.engine.config.cluster.maxOpen);
    const taken = this.deps.engine.replace(changed);
    if (taken > 0) this.deps.log.info({ incidents: taken }, "took in incidents stored by another replica");
    this.lastSync = now.getTime();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Changes that only say a story grew (more posts, more sources): the incident's figures, grade and places are as before. */
const isRoutine = (change: string): boolean => change === "grew" || change === "sources";

const isCandidate = (incident: IncidentState, action: string): boolean => action === "store" && incident.reportedAt === undefined && incident.status === "open";

/**
 * Where a plan's candidate changes go: a batch's new and changed candidates become candidates of its partition
 * (leaving the one they were in, when a post of this partition reached a story of another); a tick's stay in theirs.
 * Reported, merged and expired candidates leave their partition.
 */
function candidateChanges(plan: Plan, log: CandidateLog, partition: number | undefined): PartitionChange[] {
  const out = new Map<number, PartitionChange>();
  const of = (p: number): PartitionChange => {
    let c = out.get(p);
    if (!c) {
      c = { partition: p, states: [], gone: [] };
      out.set(p, c);
    }
    return c;
  };
  for (const u of plan.updates) {
    const id = u.incident.id;
    const current = log.partitionOf(id);
    if (isCandidate(u.incident, u.action)) {
      const target = partition ?? current;
      if (target === undefined || !log.holds(target)) continue;
      of(target).states.push(u.incident);
      if (current !== undefined && current !== target) of(current).gone.push(id);
    } else if (current !== undefined) {
      of(current).gone.push(id);
    }
  }
  return [...out.values()];
}

function sourceHealth(snapshot: EngineSnapshot, engine: DetectorEngine, now: number): SourceHealth[] {
  return Object.entries(snapshot.feeds.feeds).map(([source, feed]) => {
    const interval = expectedInterval(source, feed, engine.config.feeds);
    return {
      source,
      lastSeenAt: new Date(feed.lastSeenAt).toISOString(),
      count: feed.count,
      expectedIntervalMs: interval === undefined ? null : Math.round(interval),
      flat: feed.flatSince !== undefined || (interval !== undefined && now - feed.lastSeenAt > engine.config.feeds.factor * interval),
    };
  });
}
