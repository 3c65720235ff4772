import { applyInternalSettings, INTERNAL_INDEX_SETTINGS, type Client } from "@liaowang/es";
import { burstStateSchema, engineSnapshotSchema, parseIncidentState, type BurstState, type EngineSnapshot, type IncidentState, type IncidentUpdate } from "@liaowang/detect";
import { describeError, LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { Incident } from "@liaowang/schemas";
import { toIncidentMessage } from "./message.js";

/** The detector's indices under a prefix. */
export function detectorIndices(prefix: string): { incidents: string; candidates: string; state: string; bursts: string } {
  return { incidents: `${prefix}incidents`, candidates: `${prefix}detector-candidates`, state: `${prefix}detector-state`, bursts: `${prefix}detector-bursts` };
}

const STATE_FIELD = { type: "object", enabled: false } as const;

/**
 * Reported incidents: the incident message at the top level (what the API and CLI read and filter on) plus the full
 * detector state, stored but not indexed, that a restart continues from.
 */
const INCIDENTS_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: "keyword" },
    revision: { type: "long" },
    status: { type: "keyword" },
    level: { type: "keyword" },
    title: { type: "text" },
    gradeReason: { type: "text" },
    category: { type: "keyword" },
    topics: { properties: { id: { type: "keyword" }, score: { type: "float" } } },
    regions: { properties: { code: { type: "keyword" }, name: { type: "keyword" }, province: { type: "keyword" }, level: { type: "keyword" } } },
    keywords: { properties: { word: { type: "keyword" }, weight: { type: "float" } } },
    sources: { properties: { count: { type: "integer" }, names: { type: "keyword" } } },
    firstSource: { properties: { source: { type: "keyword" }, publishedAt: { type: "date" } } },
    watchMatches: { properties: { ruleId: { type: "keyword" } } },
    scope: { type: "keyword" },
    dutyBoard: { type: "boolean" },
    volume: { type: "integer" },
    velocity: { type: "float" },
    mergedInto: { type: "keyword" },
    openedAt: { type: "date" },
    onsetAt: { type: "date" },
    updatedAt: { type: "date" },
    lastActivityAt: { type: "date" },
    closedAt: { type: "date" },
    storedAt: { type: "date" },
    /** The replica (`DETECTOR_INSTANCE_ID`) that stored this version: a replica's sync skips its own writes. */
    storedBy: { type: "keyword" },
    state: STATE_FIELD,
  },
} as const;

const STATE_MAPPINGS = {
  dynamic: false,
  properties: {
    instance: { type: "keyword" },
    savedAt: { type: "date" },
    sources: { properties: { source: { type: "keyword" }, lastSeenAt: { type: "date" }, flat: { type: "boolean" } } },
    snapshot: STATE_FIELD,
  },
} as const;

/** Burst counters per partition of the enriched topic (id `p<partition>`), which move with the partition. */
const BURSTS_MAPPINGS = {
  dynamic: false,
  properties: {
    partition: { type: "integer" },
    owner: { type: "keyword" },
    released: { type: "boolean" },
    savedAt: { type: "date" },
    bursts: STATE_FIELD,
  },
} as const;

/** A partition's stored burst counters and who saved them last. */
export interface StoredBurstShard {
  bursts: BurstState | undefined;
  /** The replica (`DETECTOR_INSTANCE_ID`) that saved them. */
  owner: string;
  /** Saved by an owner letting the partition go (rebalance, shutdown): nothing will overwrite them. */
  released: boolean;
  savedAt: string;
}

/** A stored document's version for compare-and-set. */
interface Version {
  index: string;
  seqNo: number;
  primaryTerm: number;
}

type Operation = { kind: "write"; id: string; index: string; document: Record<string, unknown>; version?: Version | undefined };

/** How a source is doing, for the dashboard (stored with the detector's state). */
export interface SourceHealth {
  source: string;
  lastSeenAt: string;
  count: number;
  expectedIntervalMs: number | null;
  flat: boolean;
}

const retriableStatus = (status: number): boolean => status === 429 || status >= 500;

/**
 * Reported incidents in Elasticsearch with fixed ids (the incident id) and compare-and-set on
 * `_seq_no`/`_primary_term`: a write that lost a race (another replica, or a zombie of this one) fails with a
 * retriable `conflict`, after which the caller reloads and re-plans instead of overwriting newer state. Candidates are
 * not stored here (see `CandidateLog`).
 */
export class IncidentStore {
  readonly indices: ReturnType<typeof detectorIndices>;
  private readonly versions = new Map<string, Version>();

  constructor(
    private readonly es: Client,
    prefix: string,
    private readonly log: Logger,
    /** This replica's `DETECTOR_INSTANCE_ID`: marks what it stores, so its sync skips its own writes. */
    private readonly instance?: string,
  ) {
    this.indices = detectorIndices(prefix);
  }

  /** Installs index templates and creates the indices if missing (safe at every start). */
  async init(): Promise<void> {
    const families: [string, object][] = [
      [this.indices.incidents, INCIDENTS_MAPPINGS],
      [this.indices.state, STATE_MAPPINGS],
      [this.indices.bursts, BURSTS_MAPPINGS],
    ];
    for (const [index, mappings] of families) await installIndex(this.es, index, mappings);
    // Indices created by an earlier version lack fields added since (additive, so always accepted).
    await this.call(`update mapping of ${this.indices.incidents}`, () =>
      this.es.indices.putMapping({ index: this.indices.incidents, properties: { storedBy: { type: "keyword" } } }),
    );
  }

  /** Open reported incidents, the most recently active first, at most `limit`. */
  async loadOpen(limit: number): Promise<IncidentState[]> {
    // A restart can follow the last write within Elasticsearch's refresh interval: make every write searchable first.
    await this.call(`refresh ${this.indices.incidents}`, () => this.es.indices.refresh({ index: this.indices.incidents }));
    return this.scan(this.indices.incidents, { term: { status: "open" } }, limit);
  }

  /**
   * Reported incidents stored at or after `since` (epoch ms) by other replicas: how replicas see each other's work
   * (this replica's own writes are in its memory already, and reading them back cost as much as writing them).
   */
  async loadChangedSince(since: number, limit: number): Promise<IncidentState[]> {
    const range = { range: { storedAt: { gte: new Date(since).toISOString() } } };
    return this.scan(this.indices.incidents, this.instance === undefined ? range : { bool: { filter: [range], must_not: [{ term: { storedBy: this.instance } }] } }, limit);
  }

  /** Fetches the stored versions of incidents, e.g. after a conflict; absent ones are left out. */
  async loadByIds(ids: readonly string[]): Promise<IncidentState[]> {
    if (ids.length === 0) return [];
    const out = new Map<string, IncidentState>();
    for (const id of ids) this.versions.delete(id);
    const index = this.indices.incidents;
    const res = await this.call(`get incidents from ${index}`, () => this.es.mget<{ state: unknown }>({ index, ids: [...ids], _source: ["state"] }));
    for (const doc of res.docs) {
      if (!("found" in doc) || !doc.found || !doc._source) continue;
      out.set(doc._id, this.remember(index, doc._id, doc._seq_no, doc._primary_term, doc._source.state));
    }
    return [...out.values()];
  }

  /**
   * The stored incident messages (what was, or should have been, published with each stored version) of `ids`;
   * absent ones are left out. A stored document that is not a valid message any more is logged and left out.
   */
  async loadMessages(ids: readonly string[]): Promise<Incident[]> {
    if (ids.length === 0) return [];
    const index = this.indices.incidents;
    const res = await this.call(`get incident messages from ${index}`, () =>
      this.es.mget<unknown>({ index, ids: [...ids], _source_excludes: ["state", "storedAt", "storedBy"] }),
    );
    const out: Incident[] = [];
    for (const doc of res.docs) {
      if (!("found" in doc) || !doc.found || !doc._source) continue;
      const parsed = Incident.safeParse(doc._source);
      if (parsed.success) out.push(parsed.data);
      else this.log.warn({ incidentId: doc._id, issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`) }, "stored incident message is not valid; not sent again");
    }
    return out;
  }

  /**
   * Makes the reported incidents among the updates durable (with their message, made here when not given) in the
   * incidents index; candidates (never reported) are left out. Returns the ids whose stored version changed since it
   * was read (nothing else of theirs is retried here); throws `unavailable` when Elasticsearch fails.
   */
  async write(updates: readonly { update: IncidentUpdate; message?: Incident | undefined }[], now: Date): Promise<{ conflicts: string[] }> {
    const storedAt = now.toISOString();
    const ops: Operation[] = [];
    for (const { update, message } of updates) {
      const { incident } = update;
      // Where it lives depends on whether it was ever reported, not on whether this step publishes it.
      if (incident.reportedAt === undefined || update.action === "discard") continue;
      const held = this.versions.get(incident.id);
      const target = this.indices.incidents;
      const document = { ...(message ?? toIncidentMessage(incident, update.changes)), storedAt, ...(this.instance === undefined ? {} : { storedBy: this.instance }), state: incident };
      ops.push({ kind: "write", id: incident.id, index: target, document, version: held?.index === target ? held : undefined });
    }
    if (ops.length === 0) return { conflicts: [] };

    const res = await this.call(`write ${ops.length} incident operation(s)`, () =>
      this.es.bulk({
        operations: ops.flatMap((op) => {
          const meta = op.version
            ? { index: { _index: op.index, _id: op.id, if_seq_no: op.version.seqNo, if_primary_term: op.version.primaryTerm } }
            : { create: { _index: op.index, _id: op.id } };
          return [meta, op.document];
        }),
      }),
    );

    const conflicts: string[] = [];
    const retriable: string[] = [];
    const permanent: string[] = [];
    res.items.forEach((item, i) => {
      const op = ops[i] as Operation;
      const result = item.index ?? item.create;
      if (!result) return;
      const status = result.status;
      if (status >= 200 && status < 300) {
        if (result._seq_no !== undefined && result._primary_term !== undefined) {
          this.versions.set(op.id, { index: op.index, seqNo: result._seq_no, primaryTerm: result._primary_term });
        }
      } else if (status === 409) conflicts.push(op.id);
      else if (retriableStatus(status)) retriable.push(`${op.id} (${status})`);
      else permanent.push(`${op.id} (${status}: ${result.error?.reason ?? "refused"})`);
    });
    if (retriable.length > 0) throw new LiaowangError("unavailable", `Elasticsearch could not store incidents now: ${retriable.join(", ")}`);
    if (permanent.length > 0) throw new LiaowangError("internal", `Elasticsearch refused incidents: ${permanent.join("; ")}`);
    return { conflicts: [...new Set(conflicts)] };
  }

  /** Forgets the version of incidents no longer open (they are never written again). */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.versions.delete(id);
  }

  /** This replica's burst counters and source rhythms, if stored. */
  async loadSnapshot(instance: string): Promise<EngineSnapshot | undefined> {
    const doc = await this.call(`get ${this.indices.state}/${instance}`, () =>
      this.es.get<{ snapshot: unknown }>({ index: this.indices.state, id: instance }, { ignore: [404] }),
    );
    if (!doc.found || !doc._source) return undefined;
    const parsed = engineSnapshotSchema.safeParse(doc._source.snapshot);
    if (parsed.success) return parsed.data;
    // Counters are statistics: starting them afresh is better than refusing to start.
    this.log.warn({ instance, issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`) }, "stored detector state is invalid; starting with empty counters");
    return undefined;
  }

  /** Stores this replica's burst counters and source rhythms, with a readable source-health list. */
  async saveSnapshot(instance: string, snapshot: EngineSnapshot, sources: SourceHealth[], now: Date): Promise<void> {
    await this.call(`save ${this.indices.state}/${instance}`, () =>
      this.es.index({ index: this.indices.state, id: instance, document: { instance, savedAt: now.toISOString(), sources, snapshot } }),
    );
  }

  /** A partition's burst counters as last saved, if ever. */
  async loadBurstShard(partition: number): Promise<StoredBurstShard | undefined> {
    const id = `p${partition}`;
    const doc = await this.call(`get ${this.indices.bursts}/${id}`, () =>
      this.es.get<{ bursts?: unknown; owner?: unknown; released?: unknown; savedAt?: unknown }>({ index: this.indices.bursts, id }, { ignore: [404] }),
    );
    if (!doc.found || !doc._source) return undefined;
    const source = doc._source;
    const parsed = burstStateSchema.safeParse(source.bursts);
    if (!parsed.success) {
      // Counters are statistics: starting them afresh is better than refusing the partition.
      this.log.warn({ partition, issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`) }, "stored burst counters are invalid; starting the partition with empty counters");
    }
    return {
      bursts: parsed.success ? parsed.data : undefined,
      owner: String(source.owner ?? ""),
      released: source.released === true,
      savedAt: String(source.savedAt ?? ""),
    };
  }

  /** Stores a partition's burst counters, saved by `owner`; `released` when the owner lets the partition go. */
  async saveBurstShard(partition: number, bursts: BurstState, options: { owner: string; released: boolean; now: Date }): Promise<void> {
    const id = `p${partition}`;
    await this.call(`save ${this.indices.bursts}/${id}`, () =>
      this.es.index({ index: this.indices.bursts, id, document: { partition, owner: options.owner, released: options.released, savedAt: options.now.toISOString(), bursts } }),
    );
  }

  private async scan(index: string, query: object, limit: number): Promise<IncidentState[]> {
    const out: IncidentState[] = [];
    let after: (string | number)[] | undefined;
    while (out.length < limit) {
      const size = Math.min(1000, limit - out.length);
      const res = await this.call(`search ${index}`, () =>
        this.es.search<{ state: unknown }>({
          index,
          size,
          query: query as never,
          sort: [{ lastActivityAt: { order: "desc", unmapped_type: "date" } }, { id: { order: "asc", unmapped_type: "keyword" } }],
          seq_no_primary_term: true,
          _source: ["state"],
          ...(after ? { search_after: after } : {}),
        }),
      );
      const hits = res.hits.hits;
      for (const hit of hits) {
        if (!hit._id || !hit._source) continue;
        out.push(this.remember(index, hit._id, hit._seq_no, hit._primary_term, hit._source.state));
      }
      if (hits.length < size) break;
      after = hits[hits.length - 1]?.sort as (string | number)[] | undefined;
      if (!after) break;
    }
    return out;
  }

  private remember(index: string, id: string, seqNo: number | undefined, primaryTerm: number | undefined, state: unknown): IncidentState {
    const incident = parseIncidentState(state);
    if (incident.id !== id) throw new LiaowangError("internal", `stored incident ${id} in ${index} holds the state of ${incident.id}`);
    if (seqNo !== undefined && primaryTerm !== undefined) {
      const held = this.versions.get(id);
      // Keep the newest known version. Search sees the last refreshed version, which can be older than the one this
      // replica just wrote: taking it would make our own next write conflict (the "changed elsewhere" storm). The
      // same id can briefly sit in both indices while it moves; the incidents index wins.
      const newer =
        !held ||
        (held.index !== index && index === this.indices.incidents) ||
        (held.index === index && (primaryTerm > held.primaryTerm || (primaryTerm === held.primaryTerm && seqNo > held.seqNo)));
      if (newer) this.versions.set(id, { index, seqNo, primaryTerm });
    }
    return incident;
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return esCall(what, fn);
  }
}

/**
 * Installs the index template of one of the detector's indices (one shard, no replica on a single node) and creates
 * the index if missing: safe at every start and from several replicas at once.
 */
export async function installIndex(es: Client, index: string, mappings: object): Promise<void> {
  await esCall(`install template ${index}`, () =>
    es.indices.putIndexTemplate({
      name: index,
      index_patterns: [index],
      priority: 200,
      // Search-idle after 5 s (INTERNAL_INDEX_SETTINGS): the 30 s sync's search no longer keeps incidents refreshing every second.
      template: { settings: { number_of_shards: 1, number_of_replicas: 0, "index.auto_expand_replicas": "0-1", ...INTERNAL_INDEX_SETTINGS }, mappings: mappings as never },
    }),
  );
  if (!(await esCall(`check ${index}`, () => es.indices.exists({ index })))) {
    await esCall(`create ${index}`, () => es.indices.create({ index }, { ignore: [400] }));
  } else {
    await applyInternalSettings(es, index);
  }
}

/** Runs an Elasticsearch call; a failure becomes an `unavailable` error saying what could not be done. */
export async function esCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof LiaowangError) throw error;
    throw new LiaowangError("unavailable", `Elasticsearch: could not ${what}: ${describeError(error)}`, { cause: error });
  }
}
