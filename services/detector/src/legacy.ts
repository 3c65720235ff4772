import { randomBytes } from "node:crypto";
import { Partitioners, type Kafka, type PartitionMetadata } from "kafkajs";
import { parseIncidentState, type IncidentState } from "@liaowang/detect";
import { statusOf, type Client } from "@liaowang/es";
import { describeError, LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { storyKey } from "@liaowang/schemas";
import { compactCandidate } from "./candidate-codec.js";
import { listedDeltas, toRuns, type DeltaSource, type HeadSource } from "./candidates.js";
import { esCall } from "./store.js";

/**
 * Upgrade path for candidates stored by versions before 2026-12-03, one document per candidate in
 * `<prefix>incident-candidates` (`{ id, status, lastActivityAt, storedAt, state }`). On start, before the consumer
 * runs, the detector carries them once into the per-partition log of `<prefix>detector-candidates` (see
 * candidates.ts): each open candidate goes to the partition its story's posts are keyed to now (`storyKey`), as deltas
 * appended to that partition's head with compare-and-set, so whoever loads the partition next replays them.
 *
 * A marker document in the new index (`legacy-incident-candidates`) makes it happen once with any number of replicas:
 * the replica that creates it carries the candidates over (heartbeating in it, partition by partition); the others wait
 * for it to be done before they consume, and take over if its heartbeat stops (a crash). A partition marked done is not
 * carried again; within the partition a crash interrupted, candidates its log already holds are skipped. A candidate
 * that cannot be read is logged with its id and the reason and skipped; the others go on.
 */
export const LEGACY_MARKER_ID = "legacy-incident-candidates";

/** Candidates per delta (and per read of the old index). */
const CHUNK = 500;

interface MarkerSource {
  kind: "migration";
  status: "running" | "done";
  owner: string;
  startedAt: string;
  heartbeatAt: string;
  finishedAt?: string;
  from: string;
  /** Partition → candidates carried into its log (present once the partition is done). */
  partitions: Record<string, number>;
  carried?: number;
  closed?: number;
  skipped?: { id: string; reason: string }[];
}

export interface LegacyCandidatesOptions {
  es: Client;
  kafka: Kafka;
  /** The enriched topic (its partition count decides where a candidate goes). */
  topic: string;
  indexPrefix: string;
  /** The per-partition log's index (`CandidateLog.index`). */
  index: string;
  instance: string;
  log: Logger;
  /** A running migration whose heartbeat is older than this is taken over (ms); default 120 s. */
  staleAfterMs?: number;
  /** How often a replica waiting for another's migration looks again (ms); default 1 s. */
  pollMs?: number;
}

export type LegacyOutcome =
  | { status: "none" }
  | { status: "done-before" }
  | { status: "carried"; carried: number; skipped: { id: string; reason: string }[]; closed: number; partitions: Record<string, number> }
  | { status: "done-elsewhere" }
  | { status: "failed"; error: unknown };

const partitioner = Partitioners.DefaultPartitioner();

/** The partition a story's posts are keyed to: `storyKey` of its most named place, else its top keyword, else its first post. */
export function partitionOfCandidate(state: Pick<IncidentState, "openedBy" | "regions" | "keywords">, partitions: number): number {
  const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata);
  const key = storyKey({ id: state.openedBy, regions: state.regions.map(({ code, name, level, province }) => ({ code, name, level, province })), keywords: state.keywords });
  return partitioner({ topic: "", partitionMetadata: metadata, message: { key, value: null } });
}

/**
 * Carries the candidates of the old `<prefix>incident-candidates` index into the per-partition log once (see the module
 * comment). Resolves when they are there (carried by this replica or by another); never throws for one candidate.
 */
export async function carryOverLegacyCandidates(options: LegacyCandidatesOptions): Promise<LegacyOutcome> {
  try {
    return await carryOnce(options);
  } catch (error) {
    return { status: "failed", error };
  }
}

async function carryOnce(options: LegacyCandidatesOptions): Promise<LegacyOutcome> {
  const { es, log, index, instance } = options;
  const from = `${options.indexPrefix}incident-candidates`;
  const staleAfterMs = options.staleAfterMs ?? 120_000;
  const exists = await esCall(`check ${from}`, () => es.indices.exists({ index: from }));
  if (!exists) return { status: "none" };

  let waitingLogged = false;
  for (;;) {
    const doc = await esCall(`get ${index}/${LEGACY_MARKER_ID}`, () => es.get<MarkerSource>({ index, id: LEGACY_MARKER_ID }, { ignore: [404] }));
    const marker = doc.found ? doc._source : undefined;
    if (marker?.status === "done") return waitingLogged ? { status: "done-elsewhere" } : { status: "done-before" };
    const now = Date.now();
    // This replica's own earlier run (it failed or was killed) is taken over at once.
    const stale = marker !== undefined && (marker.owner === instance || now - Date.parse(marker.heartbeatAt) > staleAfterMs);
    if (marker === undefined || stale) {
      const claim: MarkerSource = {
        kind: "migration",
        status: "running",
        owner: instance,
        startedAt: new Date(now).toISOString(),
        heartbeatAt: new Date(now).toISOString(),
        from,
        partitions: marker?.partitions ?? {},
      };
      const version = await claimMarker(es, index, claim, stale && doc._seq_no !== undefined && doc._primary_term !== undefined ? { seqNo: doc._seq_no, primaryTerm: doc._primary_term } : undefined);
      if (version) {
        if (stale) log.warn({ previous: marker?.owner, heartbeatAt: marker?.heartbeatAt, done: marker?.partitions }, "carrying the old candidates over was interrupted; going on with the partitions not done");
        try {
          return await carry(options, from, claim, version);
        } catch (error) {
          // Taken over by another replica (this one looked stalled): wait for it like any other replica.
          if (error instanceof LiaowangError && error.code === "conflict") continue;
          throw error;
        }
      }
      continue; // another replica claimed it first
    }
    if (!waitingLogged) {
      log.info({ by: marker.owner, from }, "another replica is carrying the old candidates over; waiting for it before consuming");
      waitingLogged = true;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1_000));
  }
}

type Version = { seqNo: number; primaryTerm: number };

/** Creates (or takes over, with compare-and-set) the marker; undefined when another replica was first. */
async function claimMarker(es: Client, index: string, claim: MarkerSource, version: Version | undefined): Promise<Version | undefined> {
  try {
    const res = await es.index({ index, id: LEGACY_MARKER_ID, document: claim, ...(version ? { if_seq_no: version.seqNo, if_primary_term: version.primaryTerm } : { op_type: "create" as const }) });
    return { seqNo: res._seq_no as number, primaryTerm: res._primary_term as number };
  } catch (error) {
    if (statusOf(error) === 409) return undefined;
    throw new LiaowangError("unavailable", `Elasticsearch: could not claim the carrying over of old candidates: ${describeError(error)}`, { cause: error });
  }
}

async function carry(options: LegacyCandidatesOptions, from: string, marker: MarkerSource, claimed: Version): Promise<LegacyOutcome> {
  const { es, log, index, instance } = options;
  let version = claimed;
  /** Stores the marker (compare-and-set: a replica that took over makes this one stop). */
  const save = async (): Promise<void> => {
    marker.heartbeatAt = new Date().toISOString();
    try {
      const res = await es.index({ index, id: LEGACY_MARKER_ID, document: marker, if_seq_no: version.seqNo, if_primary_term: version.primaryTerm });
      version = { seqNo: res._seq_no as number, primaryTerm: res._primary_term as number };
    } catch (error) {
      if (statusOf(error) === 409) throw new LiaowangError("conflict", "another replica took over carrying the old candidates over");
      throw new LiaowangError("unavailable", `Elasticsearch: could not store the progress of carrying old candidates over: ${describeError(error)}`, { cause: error });
    }
  };

  const partitions = await partitionCount(options.kafka, options.topic);
  // First pass: where each open candidate goes (only the fields storyKey needs are read).
  const byPartition = new Map<number, string[]>();
  const skipped: { id: string; reason: string }[] = [];
  let closed = 0;
  const skip = (id: string, reason: string) => {
    skipped.push({ id, reason });
    // each one named (the first hundred; the summary counts them all)
    if (skipped.length <= 100) log.warn({ candidate: id, index: from, reason }, `old candidate ${id} cannot be carried over: ${reason}; skipped`);
  };
  await scan(es, from, ["status", "state.id", "state.openedBy", "state.regions", "state.keywords", "state.reportedAt"], (id, source) => {
    const s = source as { status?: unknown; state?: { openedBy?: unknown; regions?: unknown; keywords?: unknown; reportedAt?: unknown } } | undefined;
    if (s?.status === undefined) return skip(id, "the document has no status");
    if (s.status !== "open") {
      closed++;
      return;
    }
    if (!s.state || typeof s.state !== "object") return skip(id, "the document has no state");
    if (s.state.reportedAt !== undefined) return skip(id, "it was reported already (reported incidents are in the incidents index)");
    const regions = Array.isArray(s.state.regions) ? (s.state.regions as IncidentState["regions"]) : [];
    const keywords = Array.isArray(s.state.keywords) ? (s.state.keywords as IncidentState["keywords"]) : [];
    let partition: number;
    try {
      partition = partitionOfCandidate({ openedBy: String(s.state.openedBy ?? id), regions, keywords }, partitions);
    } catch (error) {
      return skip(id, `its place and keywords cannot be read: ${describeError(error)}`);
    }
    const ids = byPartition.get(partition);
    if (ids) ids.push(id);
    else byPartition.set(partition, [id]);
  });

  for (const [partition, ids] of [...byPartition].sort((a, b) => a[0] - b[0])) {
    if (marker.partitions[String(partition)] !== undefined) continue; // carried before a crash
    const target = await PartitionTarget.open(es, index, partition, instance);
    let carried = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const res = await esCall(`read old candidates of ${from}`, () => es.mget<{ state?: unknown }>({ index: from, ids: chunk, _source: ["state"] }));
      const states: IncidentState[] = [];
      for (const [k, d] of res.docs.entries()) {
        const id = chunk[k] as string;
        if (!("found" in d) || !d.found || !d._source) {
          skip(id, "it was deleted from the old index meanwhile");
          continue;
        }
        try {
          const state = parseIncidentState(d._source.state);
          if (!target.has(state.id)) states.push(state);
        } catch (error) {
          skip(id, describeError(error));
        }
      }
      carried += await target.append(states);
      await save();
    }
    marker.partitions[String(partition)] = carried;
    await save();
  }
  const carried = Object.values(marker.partitions).reduce((n, c) => n + c, 0);
  Object.assign(marker, { status: "done", finishedAt: new Date().toISOString(), carried, closed, skipped: skipped.slice(0, 100) });
  await save();
  log.info({ from, to: index, carried, skipped: skipped.length, closed, partitions: marker.partitions }, "old candidates carried over to the per-partition log");
  return { status: "carried", carried, skipped, closed, partitions: { ...marker.partitions } };
}

/** One partition's candidate log, appended to from outside (the head is written with compare-and-set). */
class PartitionTarget {
  private constructor(
    private readonly es: Client,
    private readonly index: string,
    private readonly partition: number,
    private readonly instance: string,
    private readonly epoch: string,
    private head: { version: Version | undefined; seq: number; deltas: string[] },
    /** Ids the log holds or held (they are newer there, or left it on purpose). */
    private readonly known: Set<string>,
  ) {}

  static async open(es: Client, index: string, partition: number, instance: string): Promise<PartitionTarget> {
    const { head, known } = await PartitionTarget.read(es, index, partition);
    return new PartitionTarget(es, index, partition, instance, `m${randomBytes(4).toString("hex")}`, head, known);
  }

  private static async read(es: Client, index: string, partition: number): Promise<{ head: PartitionTarget["head"]; known: Set<string> }> {
    const doc = await esCall(`get ${index}/h${partition}`, () => es.get<HeadSource>({ index, id: `h${partition}` }, { ignore: [404] }));
    const source = doc.found ? doc._source : undefined;
    const deltas = listedDeltas(source);
    const known = new Set<string>();
    for (let i = 0; i < deltas.length; i += 16) {
      const ids = deltas.slice(i, i + 16);
      const res = await esCall(`get deltas of partition ${partition}`, () => es.mget<Pick<DeltaSource, "candidates" | "gone">>({ index, ids, _source: ["candidates.id", "gone"] }));
      for (const d of res.docs) {
        if (!("found" in d) || !d.found || !d._source) continue;
        for (const c of d._source.candidates ?? []) if (c && typeof c === "object" && "id" in c) known.add(String((c as { id: unknown }).id));
        for (const g of d._source.gone ?? []) known.add(g);
      }
    }
    const version = doc.found && doc._seq_no !== undefined && doc._primary_term !== undefined ? { seqNo: doc._seq_no, primaryTerm: doc._primary_term } : undefined;
    return { head: { version, seq: source?.seq ?? 0, deltas }, known };
  }

  has(id: string): boolean {
    return this.known.has(id);
  }

  /**
   * Appends the states as one delta and lists it in the head (compare-and-set). When the partition's owner wrote the head
   * meanwhile, the log is read again and the states it now holds are left out; the owner's next write is refused and it
   * loads the partition again, with these.
   */
  async append(states: IncidentState[]): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const fresh = states.filter((s) => !this.known.has(s.id));
      if (fresh.length === 0) return 0;
      const seq = this.head.seq + 1;
      const id = `d${this.partition}-${this.epoch}-${seq}`;
      const savedAt = new Date().toISOString();
      const delta: DeltaSource = { kind: "delta", partition: this.partition, owner: this.instance, epoch: this.epoch, seq, savedAt, candidates: fresh.map(compactCandidate), gone: [] };
      const deltas = [...this.head.deltas, id];
      const head: HeadSource = { kind: "head", partition: this.partition, owner: this.instance, epoch: this.epoch, seq, savedAt, runs: toRuns(deltas) };
      const version = this.head.version;
      const res = await esCall(`write carried-over candidates of partition ${this.partition}`, () =>
        this.es.bulk({
          operations: [
            { index: { _index: this.index, _id: id } },
            delta,
            version ? { index: { _index: this.index, _id: `h${this.partition}`, if_seq_no: version.seqNo, if_primary_term: version.primaryTerm } } : { create: { _index: this.index, _id: `h${this.partition}` } },
            head,
          ],
        }),
      );
      const d = res.items[0]?.index;
      const h = res.items[1]?.index ?? res.items[1]?.create;
      if (d && d.status < 300 && h && h.status < 300 && h._seq_no !== undefined && h._primary_term !== undefined) {
        this.head = { version: { seqNo: h._seq_no, primaryTerm: h._primary_term }, seq, deltas };
        for (const s of fresh) this.known.add(s.id);
        return fresh.length;
      }
      if (h?.status === 409 && attempt < 5) {
        // The owner wrote meanwhile: our delta is not listed (its next owner deletes it); read the log again.
        const again = await PartitionTarget.read(this.es, this.index, this.partition);
        this.head = again.head;
        for (const k of again.known) this.known.add(k);
        continue;
      }
      const why = !d || d.status >= 300 ? `delta ${d?.status ?? "?"}: ${d?.error?.reason ?? "refused"}` : `head ${h?.status ?? "?"}: ${h?.error?.reason ?? "refused"}`;
      throw new LiaowangError("unavailable", `Elasticsearch could not store the carried-over candidates of partition ${this.partition} (${why})`);
    }
  }
}

/** Every document of an index (scroll), with the given source fields. */
async function scan(es: Client, index: string, fields: string[], each: (id: string, source: unknown) => void): Promise<void> {
  let res = await esCall(`read ${index}`, () => es.search({ index, scroll: "2m", size: CHUNK, sort: ["_doc"], _source: fields, query: { match_all: {} } }));
  let scrollId = res._scroll_id;
  try {
    while (res.hits.hits.length > 0) {
      for (const hit of res.hits.hits) if (hit._id) each(hit._id, hit._source);
      if (!scrollId) break;
      const id = scrollId;
      res = await esCall(`read ${index}`, () => es.scroll({ scroll_id: id, scroll: "2m" }));
      scrollId = res._scroll_id ?? scrollId;
    }
  } finally {
    if (scrollId) {
      const id = scrollId;
      await es.clearScroll({ scroll_id: id }).catch(() => undefined);
    }
  }
}

async function partitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const n = topics[0]?.partitions.length ?? 0;
    if (n === 0) throw new LiaowangError("unavailable", `Kafka: topic ${topic} has no partitions`);
    return n;
  } finally {
    await admin.disconnect();
  }
}
