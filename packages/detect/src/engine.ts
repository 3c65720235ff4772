import { z } from "zod";
import { invalidInput } from "@liaowang/errors";
import { DEFAULT_BURST_CONFIG, applyCounts, burstKey, countObservations, emptyBurstState, evaluate, parseBurstKey, pruneBursts } from "./burst.js";
import type { Burst, BurstConfig, BurstState, Observation } from "./burst.js";
import { IncidentIndex, type Admission } from "./candidates.js";
import { DEFAULT_CLUSTER_CONFIG } from "./cluster-config.js";
import type { ClusterConfig } from "./cluster-config.js";
import { assign, expire, joinThreshold } from "./cluster.js";
import { DEFAULT_FEED_CONFIG, checkFlatlines, emptyFeedsState, observeFeed } from "./feeds.js";
import type { FeedConfig, FeedsState, FlatlineCheck } from "./feeds.js";
import { attachBursts, recordWatchMatches } from "./incident.js";
import type { IncidentChange } from "./incident.js";
import { compactIncident } from "./incident-state.js";
import type { IncidentBurst, IncidentState } from "./incident-state.js";
import { DEFAULT_REPORT_POLICY, boardDecision, reportReason } from "./report.js";
import { NATIONWIDE, docScope } from "./scope.js";
import type { Jurisdiction } from "./scope.js";
import type { ReportPolicy } from "./report.js";
import { topKeywords } from "./similarity.js";
import type { DocFeatures } from "./types.js";
import type { WatchMatcher } from "./watch.js";

/** Everything the detector's domain is tuned by. */
export interface EngineConfig {
  cluster: ClusterConfig;
  burst: BurstConfig;
  feeds: FeedConfig;
  report: ReportPolicy;
  /** The area whose duty board this detector feeds (属地管理); default 全国. */
  jurisdiction: Jurisdiction;
  /** Top keywords of each post counted for keyword bursts. */
  burstKeywords: number;
}

/** Default tuning of every part. */
export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  cluster: DEFAULT_CLUSTER_CONFIG,
  burst: DEFAULT_BURST_CONFIG,
  feeds: DEFAULT_FEED_CONFIG,
  report: DEFAULT_REPORT_POLICY,
  jurisdiction: NATIONWIDE,
  burstKeywords: 5,
};

/** The detector's state besides incidents (plain JSON): burst counters, source rhythms and the event-time watermark. */
export interface EngineSnapshot {
  v: 1;
  bursts: BurstState;
  feeds: FeedsState;
  /** Latest post time seen, never ahead of the wall clock: "now" in event time, for expiry during replays. */
  watermark: number | null;
}

const time = z.number().finite();

/** Schema of a {@link BurstState}, for validating stored counters on restore. */
export const burstStateSchema = z.object({
  v: z.literal(1),
  originBucket: z.number().int().nullable(),
  latestBucket: z.number().int().nullable(),
  late: z.number().int().nonnegative(),
  keys: z.record(z.string(), z.object({ bucket: z.number().int(), count: z.number().nonnegative(), prev: z.number().nonnegative().optional(), mean: z.number(), variance: z.number() })),
});

/** Schema of {@link EngineSnapshot}, for validating stored state on restore. */
export const engineSnapshotSchema = z.object({
  v: z.literal(1),
  bursts: burstStateSchema,
  feeds: z.object({
    v: z.literal(1),
    feeds: z.record(
      z.string(),
      z.object({
        firstSeenAt: time,
        lastSeenAt: time,
        count: z.number().int().nonnegative(),
        gaps: z.number().int().nonnegative(),
        meanGapMs: z.number().nonnegative(),
        flatSince: time.optional(),
      }),
    ),
  }),
  watermark: time.nullable(),
});

/** What to do with an incident after a step. */
export type UpdateAction =
  /** Reported: store it and publish it. */
  | "publish"
  /** A candidate (not reported yet): store it so a restart continues it, publish nothing. */
  | "store"
  /** A candidate that expired or was merged away before being reported: delete it from storage. */
  | "discard";

/** One incident a step changed. */
export interface IncidentUpdate {
  /** The new state, `revision` already increased. */
  incident: IncidentState;
  changes: IncidentChange[];
  action: UpdateAction;
  /** Why it was reported in this step, when it was. */
  reportedBecause?: string | undefined;
}

/** The outcome of a step, applied with {@link DetectorEngine.commit} once it is durable. */
export interface Plan {
  readonly generation: number;
  now: number;
  updates: IncidentUpdate[];
  snapshot: EngineSnapshot;
  /** The new burst counters of the shards this step pruned (ticks). */
  shards: Record<string, BurstState>;
  /**
   * What this step counted (see {@link DetectorEngine.process}): the touched keys only, folded into the shard's
   * counters (the engine's own without a shard) on commit, so a step costs its posts, not every key held.
   */
  counts?: { shard: string | undefined; counts: BurstState } | undefined;
  /** Bursts found in this step. */
  bursts: Burst[];
  /** Documents ignored as redeliveries. */
  duplicates: number;
  /**
   * The held incidents that redelivered documents belong to (each once, in order): after a crash between storing a
   * batch and publishing it, the redelivery is how the service learns to send what it stored.
   */
  redelivered?: string[];
  /** Posts about the past, statistics, plans or follow-ups that matched no incident (they open none). */
  ignored?: number;
  /** Flatline check (ticks only). */
  flatlines?: FlatlineCheck | undefined;
}

/** Stamps of overlays: each flags the committed incidents it changed under its own (see `IncidentIndex.flag`). */
let overlays = 0;

/** Working copy of the open incidents during one step (the committed set stays untouched until commit). */
class Overlay {
  readonly changed = new Map<string, IncidentState>();
  readonly changes = new Map<string, Set<IncidentChange>>();
  private readonly index = new IncidentIndex();
  // Scratch of `candidates`: what the step's index returned, by id (null: not joinable), in its order.
  private readonly stepIds = new Map<string, IncidentState | null>();
  private readonly stepKept: IncidentState[] = [];
  // What the base's lookup may leave out: committed incidents not changed in this step that the post could not join.
  private readonly admit: Admission = { needed: 0, near: 0, stamp: (overlays = (overlays + 1) >>> 0) };

  constructor(private readonly base: IncidentIndex) {}

  latest(id: string): IncidentState | undefined {
    return this.changed.get(id) ?? this.base.get(id);
  }

  put(incident: IncidentState, changes: readonly IncidentChange[]): void {
    if (!this.changed.has(incident.id)) this.base.flag(incident.id, this.admit.stamp);
    this.changed.set(incident.id, incident);
    this.index.upsert(incident);
    let set = this.changes.get(incident.id);
    if (!set) {
      set = new Set();
      this.changes.set(incident.id, set);
    }
    for (const c of changes) if (c !== "duplicate") set.add(c);
  }

  /**
   * The incidents the post could join (see {@link IncidentIndex.bounded}): those whose keyword bound or SimHash
   * leaves them a chance. A base incident changed in this step is kept unless the step's own index bounds it.
   */
  candidates(doc: DocFeatures, config: ClusterConfig): IncidentState[] {
    // What couldJoin decides, with the distances the indexes measured: the margin absorbs rounding between the bound
    // and the cosine computed in a different order.
    const needed = joinThreshold(doc, config) - 1e-9;
    const near = config.nearDuplicateDistance;
    // The step's own index first (few entries): its verdict on an incident it returns wins over the base's, in the
    // place the base returned it (as a map keyed by id, set by the base then by the step, would keep it).
    const stepIds = this.stepIds;
    const stepKept = this.stepKept;
    stepIds.clear();
    stepKept.length = 0;
    if (this.index.size > 0) this.index.visit(doc, config.docKeywordLimit, 32, (incident, bound, slot) => {
      const keep = incident.status === "open" && (bound >= needed || this.index.distance(slot) <= near);
      stepIds.set(incident.id, keep ? incident : null);
      stepKept.push(incident);
    });
    const kept: IncidentState[] = [];
    // The base hands over what this callback would keep: incidents changed in this step (flagged), and the others it
    // does not bound out (the same test as below).
    this.admit.needed = needed;
    this.admit.near = near;
    this.base.visit(doc, config.docKeywordLimit, 32, (incident, bound, slot) => {
      const id = incident.id;
      const step = stepIds.get(id);
      if (step !== undefined) {
        if (step !== null) kept.push(step);
        stepIds.delete(id);
        return;
      }
      const changed = this.changed.get(id);
      if (changed) {
        if (changed.status === "open") kept.push(changed);
      } else if (incident.status === "open" && (bound >= needed || this.base.distance(slot) <= near)) kept.push(incident);
    }, this.admit);
    for (const incident of stepKept) if (stepIds.get(incident.id)) kept.push(incident);
    return kept;
  }

  /** Ids of the incidents holding the document (a redelivery), in the committed set or this step's changes. */
  holders(docId: string): Set<string> {
    const out = new Set<string>();
    const base = this.base.holderOf(docId);
    if (base !== undefined) out.add(base);
    const step = this.index.holderOf(docId);
    if (step !== undefined) out.add(step);
    return out;
  }

  /** Open incidents this step changed. */
  changedOpen(): IncidentState[] {
    return [...this.changed.values()].filter((i) => i.status === "open");
  }

  /** Every open incident, current versions. */
  open(): IncidentState[] {
    const out = new Map<string, IncidentState>();
    for (const i of this.base.all()) out.set(i.id, i);
    for (const [id, i] of this.changed) out.set(id, i);
    return [...out.values()].filter((i) => i.status === "open");
  }
}

/** A copy of counters the engine may fold counts into in place (the caller's object is left alone). */
function ownCopy(state: BurstState): BurstState {
  return { ...state, keys: { ...state.keys } };
}

function toIncidentBurst(b: Burst, now: number): IncidentBurst | undefined {
  const parsed = parseBurstKey(b.key);
  if (!parsed) return undefined;
  return {
    id: b.id,
    kind: parsed.kind,
    value: parsed.value,
    bucketStart: b.bucketStart,
    bucketEnd: b.bucketEnd,
    count: b.count,
    baselineMean: b.baselineMean,
    ratio: b.ratio,
    pValue: b.pValue,
    detectedAt: now,
  };
}

/**
 * The detector's domain in one place, with no I/O: clusters posts into incidents, records watch rule matches,
 * counts bursts and source rhythms, expires quiet incidents and decides what is published. Each step returns a
 * {@link Plan} and changes nothing until {@link commit} — so the caller can make the plan durable (publish, store)
 * first, and simply retry the step if that fails.
 * @example
 * const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules(rules), { incidents: await store.loadOpen() });
 * const plan = engine.process(docs, Date.now());
 * await publishAndStore(plan.updates);
 * engine.commit(plan);
 */
export class DetectorEngine {
  private readonly index: IncidentIndex;
  /** Counters of posts processed without a shard. */
  private bursts: BurstState;
  /** Counters per shard (the detector's shard is a Kafka partition): the unit that moves between replicas. */
  private readonly shards = new Map<string, BurstState>();
  private feeds: FeedsState;
  private watermark: number | null;
  private generation = 0;
  /** Ids of incidents known to be closed (expired or merged), which a post must not open again. */
  private readonly closed = new Set<string>();

  constructor(
    readonly config: EngineConfig,
    private readonly watch: WatchMatcher,
    restored: { incidents?: readonly IncidentState[]; snapshot?: EngineSnapshot | undefined } = {},
  ) {
    this.index = new IncidentIndex((restored.incidents ?? []).filter((i) => i.status === "open"));
    this.bursts = restored.snapshot ? ownCopy(restored.snapshot.bursts) : emptyBurstState();
    this.feeds = restored.snapshot?.feeds ?? emptyFeedsState();
    this.watermark = restored.snapshot?.watermark ?? null;
  }

  /** Open incidents (reported and candidates). */
  open(): IncidentState[] {
    return this.index.all();
  }

  /** An open incident by id. */
  get(id: string): IncidentState | undefined {
    return this.index.get(id);
  }

  /** The non-incident state, for storage. */
  snapshot(): EngineSnapshot {
    return { v: 1, bursts: this.bursts, feeds: this.feeds, watermark: this.watermark };
  }

  /** Shards whose burst counters this engine holds. */
  burstShards(): string[] {
    return [...this.shards.keys()];
  }

  /** A shard's burst counters, for storage (undefined when not held). */
  burstShard(shard: string): BurstState | undefined {
    return this.shards.get(shard);
  }

  /**
   * Takes over shards' burst counters (loaded from storage after the shards moved here; an empty state when the shard
   * never had any). Invalidates plans made before.
   */
  adoptBurstShards(states: Readonly<Record<string, BurstState>>): void {
    for (const [shard, state] of Object.entries(states)) this.shards.set(shard, ownCopy(state));
    this.generation++;
  }

  /** Lets go of shards (moved to another replica). Invalidates plans made before. */
  dropBurstShards(shards: Iterable<string>): void {
    for (const shard of shards) this.shards.delete(shard);
    this.generation++;
  }

  /**
   * Takes in incidents written elsewhere (another replica, or storage after a conflict) when they are newer than
   * what is held, or whatever their revision with `force` (the stored version wins a conflict). Closed ones are
   * dropped and remembered, so a replayed post that opened one is not taken for a new story. Invalidates plans
   * made before.
   */
  replace(incidents: readonly IncidentState[], options: { force?: boolean } = {}): number {
    let n = 0;
    for (const i of incidents) {
      const held = this.index.get(i.id);
      if (i.status !== "open") {
        this.rememberClosed(i.id);
        if (held) {
          this.index.remove(i.id);
          n++;
        }
        continue;
      }
      if (held && held.revision >= i.revision && !options.force) continue;
      this.index.upsert(i);
      n++;
    }
    this.generation++;
    return n;
  }

  /**
   * Lets go of open incidents without closing them (their partition moved to another replica, which continues them).
   * Invalidates plans made before.
   */
  drop(ids: Iterable<string>): number {
    let n = 0;
    for (const id of ids) {
      if (!this.index.get(id)) continue;
      this.index.remove(id);
      n++;
    }
    this.generation++;
    return n;
  }

  private rememberClosed(id: string): void {
    this.closed.delete(id);
    this.closed.add(id);
    // Bounded: the oldest closed ids go first (a Set iterates in insertion order).
    if (this.closed.size > 100_000) for (const old of this.closed) {
      this.closed.delete(old);
      break;
    }
  }

  /**
   * One batch of posts (arrival order) processed at `now` (processing time). With `shard`, the posts are counted in
   * that shard's burst counters (a shard not held starts empty: {@link adoptBurstShards} first), so a replica's
   * baselines can move with its partitions; without, in the engine's own.
   */
  process(docs: readonly DocFeatures[], now: number, options: { shard?: string } = {}): Plan {
    const { cluster } = this.config;
    const overlay = new Overlay(this.index);
    const observations: Observation[] = [];
    const perSource = new Map<string, number>();
    let duplicates = 0;
    const redelivered = new Set<string>();
    let ignored = 0;
    let latestPost = Number.NEGATIVE_INFINITY;

    for (const input of docs) {
      const doc = { ...input, scope: docScope(input, this.config.jurisdiction) };
      const result = assign(overlay.candidates(doc, cluster), doc, now, cluster, { holders: overlay.holders(doc.id) });
      if (result.changes[0] === "duplicate" || (result.changes[0] === "opened" && this.closed.has(result.incident.id))) {
        duplicates++;
        if (result.changes[0] === "duplicate") redelivered.add(result.incident.id);
        continue;
      }
      const ts0 = Math.min(doc.publishedAt, now);
      if (result.changes[0] === "ignored") {
        // Still a post of its source and of its topics (trends), just no incident.
        ignored++;
        latestPost = Math.max(latestPost, ts0);
        perSource.set(doc.source, (perSource.get(doc.source) ?? 0) + 1);
        continue;
      }
      overlay.put(result.incident, result.changes);
      for (const absorbed of result.merged?.absorbed ?? []) overlay.put(absorbed, ["merged"]);
      const matches = this.watch.match(doc);
      if (matches.length > 0) {
        const watched = recordWatchMatches(result.incident, matches, doc.publishedAt, now, cluster);
        overlay.put(watched.incident, watched.changed ? ["watch"] : []);
      }
      const ts = Math.min(doc.publishedAt, now);
      latestPost = Math.max(latestPost, ts);
      for (const key of this.burstKeysOf(doc)) observations.push({ key, ts });
      perSource.set(doc.source, (perSource.get(doc.source) ?? 0) + 1);
    }

    const shard = options.shard;
    const counted = shard === undefined ? this.bursts : (this.shards.get(shard) ?? emptyBurstState());
    const counts = countObservations(counted, observations, this.config.burst);
    let feeds = this.feeds;
    for (const [source, n] of perSource) feeds = observeFeed(feeds, source, now, n, this.config.feeds);
    const watermark = Number.isFinite(latestPost) ? Math.max(this.watermark ?? latestPost, latestPost) : this.watermark;

    // Evaluated at the batch's event time, so a replayed stream bursts when its posts did. Attached here to the
    // incidents the batch touched (the ones carrying the burst); the tick attaches to all others.
    const found = Number.isFinite(latestPost)
      ? evaluate(counts, latestPost, this.config.burst, Object.keys(counts.keys))
      : [];
    this.attach(overlay, overlay.changedOpen(), found, now);
    this.evict(overlay, now);
    const snapshot: EngineSnapshot = { v: 1, bursts: this.bursts, feeds, watermark };
    const plan = this.plan(overlay, now, snapshot, {}, found, duplicates);
    plan.counts = { shard, counts };
    plan.ignored = ignored;
    if (redelivered.size > 0) plan.redelivered = [...redelivered];
    return plan;
  }

  /**
   * Periodic work at `now` (wall clock): bursts of the current bucket, expiry of quiet incidents (at the event-time
   * watermark), dropping stale candidates, pruning burst keys, and the flatline check.
   */
  tick(now: number): Plan {
    const { cluster } = this.config;
    const overlay = new Overlay(this.index);
    const found = this.evaluateAll(now);
    this.attach(overlay, overlay.open(), found, now);
    const watermark = this.watermark;
    if (watermark !== null) {
      const open = overlay.open();
      for (const i of expire(open.filter((x) => x.reportedAt !== undefined), watermark, now, cluster)) overlay.put(i, ["expired"]);
      for (const i of open) {
        if (i.reportedAt === undefined && watermark - i.lastActivityAt > cluster.candidateTtlMs) {
          overlay.put({ ...i, status: "expired", updatedAt: now, closedAt: now }, ["expired"]);
        }
      }
    }
    const flatlines = checkFlatlines(this.feeds, now, this.config.feeds);
    const snapshot: EngineSnapshot = { v: 1, bursts: pruneBursts(this.bursts, now, this.config.burst), feeds: flatlines.state, watermark };
    const shards: Record<string, BurstState> = {};
    for (const [shard, state] of this.shards) shards[shard] = pruneBursts(state, now, this.config.burst);
    const plan = this.plan(overlay, now, snapshot, shards, found, 0);
    plan.flatlines = flatlines;
    return plan;
  }

  /** Applies a plan once its effects are durable. Throws if the engine changed since the plan was made. */
  commit(plan: Plan): void {
    if (plan.generation !== this.generation) {
      throw invalidInput(`detector plan of generation ${plan.generation} is stale (engine is at ${this.generation}); make a new plan`);
    }
    for (const u of plan.updates) {
      if (u.action === "discard" || u.incident.status !== "open") {
        this.index.remove(u.incident.id);
        this.rememberClosed(u.incident.id);
      } else this.index.upsert(u.incident);
    }
    this.bursts = plan.snapshot.bursts;
    for (const [shard, state] of Object.entries(plan.shards)) this.shards.set(shard, state);
    if (plan.counts) {
      const { shard, counts } = plan.counts;
      let target = shard === undefined ? this.bursts : this.shards.get(shard);
      if (!target) {
        target = emptyBurstState();
        this.shards.set(shard as string, target);
      }
      applyCounts(target, counts);
    }
    this.feeds = plan.snapshot.feeds;
    this.watermark = plan.snapshot.watermark;
    this.generation++;
  }

  /** Bursts of every counter set at `now`; a key bursting in several shards counts once, at its strongest. */
  private evaluateAll(now: number): Burst[] {
    const byId = new Map<string, Burst>();
    for (const state of [this.bursts, ...this.shards.values()]) {
      for (const b of evaluate(state, now, this.config.burst)) {
        const held = byId.get(b.id);
        if (!held || b.ratio > held.ratio) byId.set(b.id, b);
      }
    }
    return [...byId.values()].sort((a, b) => b.ratio - a.ratio || (a.key < b.key ? -1 : 1));
  }

  private burstKeysOf(doc: DocFeatures): Set<string> {
    const keys = new Set<string>();
    for (const t of doc.topics) keys.add(burstKey("topic", t.id));
    for (const k of topKeywords(doc.keywords, this.config.burstKeywords)) keys.add(burstKey("keyword", k.word));
    for (const r of doc.regions) {
      keys.add(burstKey("region", r.code));
      if (/^\d{6}$/.test(r.code)) {
        keys.add(burstKey("region", `${r.code.slice(0, 4)}00`));
        keys.add(burstKey("region", `${r.code.slice(0, 2)}0000`));
      }
    }
    return keys;
  }

  private attach(overlay: Overlay, incidents: readonly IncidentState[], found: readonly Burst[], now: number): void {
    const bursts = found.map((b) => toIncidentBurst(b, now)).filter((b): b is IncidentBurst => b !== undefined);
    if (bursts.length === 0) return;
    for (const incident of incidents) {
      const r = attachBursts(incident, bursts, now, this.config.cluster);
      if (r.changed) overlay.put(r.incident, ["burst"]);
      else if (r.incident !== incident && overlay.changed.has(incident.id)) overlay.put(r.incident, []);
    }
  }

  /**
   * Drops the least recently active candidates when more than `maxOpen` incidents would be open: down to 1% below
   * `maxOpen`, so that under a steady stream of new stories the walk and sort of every open incident happen once per
   * that many new candidates rather than in every batch. Recency is when a post last reached the candidate
   * (processing time), then its event time: a 首发 that arrives now claiming to be a minute old is the newest
   * candidate, not the oldest — ordered by event time it went first under a heavy stream, and the 通报 that came a
   * second later opened a story of its own without it.
   */
  private evict(overlay: Overlay, now: number): void {
    const { maxOpen } = this.config.cluster;
    const excess = this.index.size + overlay.changed.size - maxOpen;
    // Cheap bound first: counting open incidents exactly means walking them all.
    if (excess <= 0) return;
    const open = overlay.open();
    if (open.length <= maxOpen) return;
    const over = open.length - (maxOpen - Math.floor(maxOpen / 100));
    const candidates = open
      .filter((i) => i.reportedAt === undefined && reportReason(i, this.config.report) === undefined)
      .sort((a, b) => a.updatedAt - b.updatedAt || a.lastActivityAt - b.lastActivityAt);
    for (const i of candidates.slice(0, over)) overlay.put({ ...i, status: "expired", updatedAt: now, closedAt: now }, ["expired"]);
  }

  private plan(overlay: Overlay, now: number, snapshot: EngineSnapshot, shards: Record<string, BurstState>, found: Burst[], duplicates: number): Plan {
    const updates: IncidentUpdate[] = [];
    for (const [id, incident] of overlay.changed) {
      const changes = [...(overlay.changes.get(id) ?? [])];
      // The next version's reporting and board fields, then one compact object of it (no copies in between: the
      // policies read neither the revision nor these fields).
      let reportedAt = incident.reportedAt;
      let board = incident.board;
      let reportedBecause: string | undefined;
      if (reportedAt === undefined && incident.status === "open") {
        reportedBecause = reportReason(incident, this.config.report);
        // A single clearly negative post about the area itself belongs on its duty board (see boardDecision).
        if (reportedBecause === undefined && boardDecision(incident, this.config.report, this.config.jurisdiction).onBoard) reportedBecause = "board";
        if (reportedBecause !== undefined) {
          reportedAt = now;
          // Consumers see the incident for the first time now, whatever happened to it as a candidate.
          if (!changes.includes("opened")) changes.unshift("opened");
        }
      }
      if (reportedAt !== undefined) {
        const decision = boardDecision(incident, this.config.report, this.config.jurisdiction);
        const before = board;
        if (before === undefined || before.onBoard !== decision.onBoard || before.scope !== decision.scope) {
          if (before !== undefined && !changes.includes("scope")) changes.push("scope");
        }
        board = decision;
        if (reportedBecause !== undefined) reportedBecause = decision.reason;
      }
      const action: UpdateAction = reportedAt !== undefined ? "publish" : incident.status === "open" ? "store" : "discard";
      // What commit holds until the incident changes again: one compact object per changed incident and step.
      const next = compactIncident(incident, { revision: incident.revision + 1, reportedAt, board });
      if (action === "publish" && changes.length === 0) {
        // In-place refreshes (a burst's growing count) are stored with the next real change, not published alone.
        updates.push({ incident: next, changes, action: "store" });
        continue;
      }
      updates.push({ incident: next, changes, action, reportedBecause });
    }
    return { generation: this.generation, now, updates, snapshot, shards, bursts: found, duplicates };
  }
}
