import { randomBytes } from "node:crypto";
import { statusOf, type Client } from "@liaowang/es";
import { parseIncidentState, type IncidentState } from "@liaowang/detect";
import { describeError, LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { applyPatch, compactCandidate, expandCandidate, patchCandidate, type StoredCandidate, type StoredPatch } from "./candidate-codec.js";
import { esCall, installIndex } from "./store.js";

/**
 * Candidates (clusters not reported yet, nearly one per distinct post) live in memory and are made durable per
 * partition of the enriched topic as an append-only log in `<prefix>detector-candidates`:
 * - a **delta** document per handled batch (`d<partition>-<epoch>-<seq>`): the candidates the batch created or
 *   changed (whole states, see `compactCandidate`; a candidate already in the log as a patch against the state stored
 *   for it, see `patchCandidate`) and the ids that stopped being candidates of the partition (reported, merged,
 *   expired, moved);
 * - a **head** document per partition (`h<partition>`): the owner, and the deltas to replay, oldest first. It is
 *   written in the same bulk request right after its delta (one shard: applied in order), with compare-and-set, so a
 *   replica that lost the partition (a zombie) cannot overwrite the new owner's head.
 * Replaying the head's deltas in order gives the partition's candidates as of the last durable batch. Deltas leave the
 * head oldest first once nothing in them is current (the delta of a candidate's last whole state keeps it, and with it
 * every later delta its patches are in); beyond {@link MAX_DELTAS}, the current candidates of the oldest delta are
 * written again whole with the next batch (so a long-lived candidate never pins many old deltas, and patches whose
 * whole state left the head are superseded by a later whole state). One batch costs
 * one bulk request (two documents) instead of a compare-and-set document per candidate.
 */
export const MAX_DELTAS = 256;

const MAPPINGS = {
  dynamic: false,
  properties: {
    kind: { type: "keyword" },
    partition: { type: "integer" },
    owner: { type: "keyword" },
    epoch: { type: "keyword" },
    seq: { type: "long" },
    savedAt: { type: "date" },
    deltas: { type: "object", enabled: false },
    candidates: { type: "object", enabled: false },
    patches: { type: "object", enabled: false },
    gone: { type: "object", enabled: false },
  },
} as const;

interface Delta {
  id: string;
  seq: number;
  /** Candidates whose latest state is in this delta. */
  live: number;
}

interface PartitionLog {
  epoch: string;
  seq: number;
  /** Deltas the head lists, oldest first. */
  deltas: Delta[];
  bySeq: Map<number, Delta>;
  /** Candidate id → seq of the delta holding its latest state. */
  latest: Map<string, number>;
  /** The head's version for compare-and-set (undefined: no head stored yet). */
  head: { seqNo: number; primaryTerm: number } | undefined;
  /** Deltas no longer listed by the stored head, deleted with the next write. */
  unlisted: string[];
}

/** What one handled step changes in a partition's candidates. */
export interface PartitionChange {
  partition: number;
  /** Candidates (full state) that are now candidates of this partition. */
  states: IncidentState[];
  /** Ids that are no longer candidates of this partition. */
  gone: string[];
}

/** A partition's head document (also written by the carrying over of old candidates, legacy.ts). */
export interface HeadSource {
  kind: "head";
  partition: number;
  owner: string;
  epoch: string;
  seq: number;
  savedAt: string;
  deltas: string[];
}

/** A delta document of a partition's log. */
export interface DeltaSource {
  kind: "delta";
  partition: number;
  owner: string;
  epoch: string;
  seq: number;
  savedAt: string;
  /** Written as {@link compactCandidate} makes them; read back through {@link expandCandidate}. */
  candidates: StoredCandidate[];
  /**
   * Changes of candidates whose state is in an earlier delta of the head (see {@link patchCandidate}), applied in
   * order on replay; absent in deltas written before patches.
   */
  patches?: StoredPatch[];
  gone: string[];
}

/** Another replica wrote the candidates head of partitions this one holds: it took them over. */
export class PartitionsTakenOver extends LiaowangError {
  constructor(readonly partitions: number[]) {
    super("conflict", `candidates of partition(s) ${partitions.join(", ")} were taken over by another replica; loading them again`, { retriable: true });
  }
}

const seqOf = (id: string): number => Number(id.slice(id.lastIndexOf("-") + 1));

/** The candidates of the partitions this replica holds, and their durable log (see the module comment). */
export class CandidateLog {
  readonly index: string;
  private readonly partitions = new Map<number, PartitionLog>();
  /** Candidate id → partition it is a candidate of. */
  private readonly owners = new Map<string, number>();
  /**
   * Candidate id → revision of its state in the log. A patch is made only against a state of that revision: one the
   * caller holds of another revision (a step stored for one partition but failed for another, so not taken) is not
   * what the log holds, and the candidate is written whole.
   */
  private readonly revisions = new Map<string, number>();

  constructor(
    private readonly es: Client,
    prefix: string,
    private readonly instance: string,
    private readonly log: Logger,
    /** Most deltas a partition's head lists (see {@link MAX_DELTAS}). */
    private readonly maxDeltas = MAX_DELTAS,
  ) {
    this.index = `${prefix}detector-candidates`;
  }

  init(): Promise<void> {
    return installIndex(this.es, this.index, MAPPINGS);
  }


  /** Whether this replica holds the partition's candidates. */
  holds(partition: number): boolean {
    return this.partitions.has(partition);
  }

  /** The partition a held candidate belongs to. */
  partitionOf(id: string): number | undefined {
    return this.owners.get(id);
  }

  /** Candidates held per partition (for logs). */
  sizes(): Record<number, number> {
    return Object.fromEntries([...this.partitions].map(([p, l]) => [p, l.latest.size]));
  }

  /**
   * Takes the partition over: replays its stored log into the candidates it holds, claims the head under a new
   * epoch (so a previous owner still writing is refused) and deletes deltas the head does not list (left by a crash
   * between the two writes, or by a previous owner after it lost the partition).
   */
  async load(partition: number): Promise<IncidentState[]> {
    const headId = `h${partition}`;
    const doc = await this.call(`get ${this.index}/${headId}`, () => this.es.get<HeadSource>({ index: this.index, id: headId }, { ignore: [404] }));
    const head = doc.found && doc._source ? doc._source : undefined;
    const listed = head?.deltas ?? [];
    const pl: PartitionLog = {
      epoch: randomBytes(4).toString("hex"),
      seq: head?.seq ?? 0,
      deltas: [],
      bySeq: new Map(),
      latest: new Map(),
      head: doc.found && doc._seq_no !== undefined && doc._primary_term !== undefined ? { seqNo: doc._seq_no, primaryTerm: doc._primary_term } : undefined,
      unlisted: [],
    };
    const states = new Map<string, IncidentState>();
    let invalid = 0;
    /** Candidates with a stored change but no state to apply it to (yet). */
    const orphans = new Set<string>();
    // Deltas can be large (a batch of new candidates): fetched a few at a time.
    for (let i = 0; i < listed.length; i += 16) {
      const ids = listed.slice(i, i + 16);
      const res = await this.call(`get deltas of partition ${partition}`, () => this.es.mget<DeltaSource>({ index: this.index, ids }));
      for (const [k, d] of res.docs.entries()) {
        const id = ids[k] as string;
        const delta: Delta = { id, seq: seqOf(id), live: 0 };
        pl.deltas.push(delta);
        pl.bySeq.set(delta.seq, delta);
        // A listed delta already deleted held nothing current (deltas are deleted only then).
        if (!("found" in d) || !d.found || !d._source) continue;
        for (const raw of d._source.candidates) {
          let state: IncidentState;
          try {
            state = parseIncidentState(expandCandidate(raw));
          } catch (error) {
            invalid++;
            this.log.warn({ partition, delta: id, err: error }, "stored candidate is invalid; skipped");
            continue;
          }
          this.track(pl, state.id, delta);
          states.set(state.id, state);
          orphans.delete(state.id);
        }
        for (const patch of d._source.patches ?? []) {
          const previous = states.get(patch.id);
          // Its state was in a delta retired since: the retiring delta, later, holds the whole state again.
          if (!previous) {
            orphans.add(patch.id);
            continue;
          }
          try {
            if (previous.revision !== patch.from) throw new Error(`candidate ${patch.id}: stored change of revision ${patch.from} follows revision ${previous.revision}`);
            states.set(patch.id, parseIncidentState(applyPatch(previous, patch)));
          } catch (error) {
            invalid++;
            this.log.warn({ partition, delta: id, err: error }, "stored candidate change is invalid; candidate skipped");
            this.untrack(pl, patch.id);
            states.delete(patch.id);
          }
        }
        for (const gone of d._source.gone) {
          this.untrack(pl, gone);
          states.delete(gone);
          orphans.delete(gone);
        }
      }
    }
    if (orphans.size > 0) {
      invalid += orphans.size;
      this.log.warn({ partition, candidates: [...orphans].slice(0, 10), count: orphans.size }, "stored candidate changes without an earlier state; candidates skipped");
    }
    // The stored seq numbers of deltas may be out of order only across epochs; keep the head's order (write order).
    pl.head = await this.writeHead(partition, pl.epoch, pl.seq, pl.deltas.map((d) => d.id), pl.head);
    // Whatever the head does not list is garbage (left by a crash between the two writes, or written by a previous
    // owner after it lost the partition). Writes after the claim are this replica's own, listed.
    await this.call(`refresh ${this.index}`, () => this.es.indices.refresh({ index: this.index }));
    const listedNow = new Set(pl.deltas.map((d) => d.id));
    const found = await this.call(`list deltas of partition ${partition}`, () =>
      this.es.search({ index: this.index, size: 10_000, _source: false, query: { bool: { filter: [{ term: { partition } }, { term: { kind: "delta" } }] } } }),
    );
    const garbage = found.hits.hits.flatMap((h) => (h._id && !listedNow.has(h._id) ? [h._id] : []));
    if (garbage.length > 0) {
      await this.call(`delete ${garbage.length} unlisted delta(s) of partition ${partition}`, () =>
        this.es.bulk({ operations: garbage.map((id) => ({ delete: { _index: this.index, _id: id } })) }),
      );
    }
    this.partitions.set(partition, pl);
    for (const id of pl.latest.keys()) this.owners.set(id, partition);
    for (const state of states.values()) this.revisions.set(state.id, state.revision);
    this.log.info({ partition, candidates: states.size, deltas: pl.deltas.length, previousOwner: head?.owner ?? null, invalid }, "candidates of partition loaded");
    return [...states.values()];
  }

  /** Lets go of a partition (moved to another replica); returns the ids of its candidates, to drop from memory. */
  release(partition: number): string[] {
    const pl = this.partitions.get(partition);
    if (!pl) return [];
    this.partitions.delete(partition);
    const ids = [...pl.latest.keys()];
    for (const id of ids) {
      if (this.owners.get(id) !== partition) continue;
      this.owners.delete(id);
      this.revisions.delete(id);
    }
    return ids;
  }

  /**
   * Makes a step's candidate changes durable: one delta per changed partition, then the heads (compare-and-set).
   * `current` gives the latest state of a held candidate (for rewriting the oldest delta's); `stored`, when given, the
   * state last made durable of a candidate (what the caller committed after the last write that held it: the detector's
   * engine), so a candidate already in its partition's log is written as a patch against it. Throws
   * {@link PartitionsTakenOver} when another replica took a partition over (the caller lets it go and loads it again).
   */
  async write(
    changes: readonly PartitionChange[],
    current: (id: string) => IncidentState | undefined,
    now: Date,
    stored?: (id: string) => IncidentState | undefined,
  ): Promise<void> {
    const work = changes.filter((c) => (c.states.length > 0 || c.gone.length > 0) && this.partitions.has(c.partition));
    if (work.length === 0) return;
    const savedAt = now.toISOString();
    const planned: { partition: number; pl: PartitionLog; delta: DeltaSource; id: string; retired: Delta[]; revisions: [string, number][] }[] = [];
    for (const change of work) {
      const pl = this.partitions.get(change.partition) as PartitionLog;
      const states = new Map(change.states.map((s) => [s.id, s]));
      const gone = new Set(change.gone.filter((id) => !states.has(id)));
      // Beyond MAX_DELTAS: the current candidates of the oldest deltas go into this one, so those can be dropped.
      const retired: Delta[] = [];
      for (let i = 0; pl.deltas.length + 1 - retired.length > this.maxDeltas && i < pl.deltas.length; i++) {
        const old = pl.deltas[i] as Delta;
        retired.push(old);
        if (old.live === 0) continue;
        for (const [id, seq] of pl.latest) {
          if (seq !== old.seq || states.has(id) || gone.has(id)) continue;
          const state = current(id);
          if (state) states.set(id, state);
          else gone.add(id);
        }
      }
      // A patch only against a state this partition's log holds in a delta that stays listed.
      const retiredSeqs = new Set(retired.map((r) => r.seq));
      const candidates: StoredCandidate[] = [];
      const patches: StoredPatch[] = [];
      for (const state of states.values()) {
        const base = pl.latest.get(state.id);
        const previous = stored && base !== undefined && !retiredSeqs.has(base) ? stored(state.id) : undefined;
        const patch = previous && previous.revision === this.revisions.get(state.id) ? patchCandidate(previous, state) : undefined;
        if (patch) patches.push(patch);
        else candidates.push(compactCandidate(state));
      }
      const seq = pl.seq + 1;
      const id = `d${change.partition}-${pl.epoch}-${seq}`;
      planned.push({
        partition: change.partition,
        pl,
        id,
        retired,
        revisions: [...states.values()].map((st) => [st.id, st.revision]),
        delta: { kind: "delta", partition: change.partition, owner: this.instance, epoch: pl.epoch, seq, savedAt, candidates, ...(patches.length > 0 ? { patches } : {}), gone: [...gone] },
      });
    }
    // One request: each delta, then its head (compare-and-set), then the deltas the stored heads no longer list. The
    // index has one shard, whose bulk applies the items in order: a head is never stored before its delta.
    const projected = planned.map((p) => this.project(p.pl, p.delta, p.id, p.retired));
    const deletes = planned.flatMap((p) => p.pl.unlisted);
    const res = await this.call(`write ${planned.length} candidate delta(s)`, () =>
      this.es.bulk({
        operations: [
          ...planned.flatMap((p, i) => {
            const head: HeadSource = { kind: "head", partition: p.partition, owner: this.instance, epoch: p.pl.epoch, seq: p.delta.seq, savedAt, deltas: (projected[i] as { deltas: Delta[] }).deltas.map((d) => d.id) };
            const version = p.pl.head;
            return [
              { index: { _index: this.index, _id: p.id } },
              p.delta,
              version ? { index: { _index: this.index, _id: `h${p.partition}`, if_seq_no: version.seqNo, if_primary_term: version.primaryTerm } } : { create: { _index: this.index, _id: `h${p.partition}` } },
              head,
            ];
          }),
          ...deletes.map((id) => ({ delete: { _index: this.index, _id: id } })),
        ],
      }),
    );
    for (const p of planned) p.pl.unlisted = [];
    const lost: number[] = [];
    const failed: string[] = [];
    for (const [i, p] of planned.entries()) {
      const delta = res.items[2 * i]?.index;
      const headItem = res.items[2 * i + 1];
      const head = headItem?.index ?? headItem?.create;
      const ok = (r: typeof delta) => r !== undefined && r.status >= 200 && r.status < 300;
      if (ok(head) && head?._seq_no !== undefined && head._primary_term !== undefined) {
        // Whatever happened to the delta, the next head write must find this version.
        p.pl.head = { seqNo: head._seq_no, primaryTerm: head._primary_term };
      }
      if (head?.status === 409) {
        lost.push(p.partition);
        continue;
      }
      if (!ok(delta) || !ok(head)) {
        // Not advanced: the retry writes the same delta id again (a head already listing it then finds it).
        failed.push(`${p.partition} (${!ok(delta) ? `delta ${delta?.status ?? "?"}: ${delta?.error?.reason ?? "refused"}` : `head ${head?.status ?? "?"}: ${head?.error?.reason ?? "refused"}`})`);
        continue;
      }
      const next = projected[i] as { deltas: Delta[]; dropped: string[] };
      // Stored: the bookkeeping follows (in place; a partition holds thousands of candidates).
      const { pl } = p;
      const added: Delta = { id: p.id, seq: p.delta.seq, live: 0 };
      pl.bySeq.set(added.seq, added);
      for (const st of p.delta.candidates) {
        this.track(pl, st.id, added);
        this.owners.set(st.id, p.partition);
      }
      for (const [id, revision] of p.revisions) this.revisions.set(id, revision);
      for (const g of p.delta.gone) {
        this.untrack(pl, g);
        if (this.owners.get(g) !== p.partition) continue;
        this.owners.delete(g);
        this.revisions.delete(g);
      }
      pl.deltas = next.deltas.map((d) => (d.id === added.id ? added : (pl.bySeq.get(d.seq) as Delta)));
      for (const d of [...p.retired.map((r) => r.seq), ...next.dropped.map(seqOf)]) if (d !== added.seq) pl.bySeq.delete(d);
      pl.unlisted = [...p.retired.map((r) => r.id), ...next.dropped];
      pl.seq = p.delta.seq;
    }
    if (lost.length > 0) throw new PartitionsTakenOver(lost);
    if (failed.length > 0) throw new LiaowangError("unavailable", `Elasticsearch could not store the candidates of partition(s) ${failed.join(", ")} now`);
  }

  /**
   * The deltas the head lists once `delta` is stored: without the retired ones, and without the oldest ones that then
   * hold nothing current (their tombstones only concerned older deltas). Computed without touching the bookkeeping.
   */
  private project(pl: PartitionLog, delta: DeltaSource, id: string, retired: readonly Delta[]): { deltas: Delta[]; dropped: string[] } {
    const change = new Map<number, number>();
    const dec = (cid: string) => {
      const prev = pl.latest.get(cid);
      if (prev !== undefined) change.set(prev, (change.get(prev) ?? 0) - 1);
    };
    for (const st of delta.candidates) dec(st.id);
    for (const g of delta.gone) dec(g);
    const kept = pl.deltas.filter((d) => !retired.includes(d)).map((d) => ({ ...d, live: d.live + (change.get(d.seq) ?? 0) }));
    kept.push({ id, seq: delta.seq, live: delta.candidates.length });
    const dropped: string[] = [];
    while (kept.length > 1 && (kept[0] as Delta).live <= 0) dropped.push((kept.shift() as Delta).id);
    return { deltas: kept, dropped };
  }

  private track(pl: PartitionLog, id: string, delta: Delta): void {
    const prev = pl.latest.get(id);
    if (prev !== undefined) {
      const d = pl.bySeq.get(prev);
      if (d) d.live--;
    }
    pl.latest.set(id, delta.seq);
    delta.live++;
  }

  private untrack(pl: PartitionLog, id: string): void {
    const prev = pl.latest.get(id);
    if (prev === undefined) return;
    const d = pl.bySeq.get(prev);
    if (d) d.live--;
    pl.latest.delete(id);
  }

  /** Stores a partition's head with compare-and-set on `version` (create when there is none); returns the new version. */
  private async writeHead(partition: number, epoch: string, seq: number, deltas: string[], version: PartitionLog["head"]): Promise<PartitionLog["head"]> {
    const document: HeadSource = { kind: "head", partition, owner: this.instance, epoch, seq, savedAt: new Date().toISOString(), deltas };
    let res;
    try {
      res = await this.es.index({
        index: this.index,
        id: `h${partition}`,
        document,
        ...(version ? { if_seq_no: version.seqNo, if_primary_term: version.primaryTerm } : { op_type: "create" as const }),
      });
    } catch (error) {
      if (statusOf(error) === 409) {
        throw new LiaowangError("conflict", `candidates head of partition ${partition} was written by another replica while this one took it over`, { retriable: true });
      }
      throw new LiaowangError("unavailable", `Elasticsearch: could not store the candidates head of partition ${partition}: ${describeError(error)}`, { cause: error });
    }
    return res._seq_no === undefined || res._primary_term === undefined ? undefined : { seqNo: res._seq_no, primaryTerm: res._primary_term };
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return esCall(what, fn);
  }

}
