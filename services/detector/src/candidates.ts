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
 * - a **head** document per partition (`h<partition>`): the owner, and the deltas to replay, oldest first, as runs of
 *   consecutive ids (see {@link DeltaRun}). It is written in the same bulk request right after its delta (one shard:
 *   applied in order), with compare-and-set, so a replica that lost the partition (a zombie) cannot overwrite the new
 *   owner's head.
 * Replaying the head's deltas in order gives the partition's candidates as of the last durable batch. Deltas leave the
 * head oldest first once nothing in them is current (the delta of a candidate's last whole state keeps it, and with it
 * every later delta its patches are in). The oldest delta is also **retired** — its current candidates written again
 * whole with the next batch, so it can leave (and a long-lived candidate never pins many old deltas, and patches whose
 * whole state left the head are superseded by a later whole state) — when the head would list more than
 * {@link MAX_DELTAS}, and (one per batch) while the listed deltas hold more than twice as many states as the partition
 * has candidates, plus {@link SPARE_ENTRIES}: replay reads at most about twice what is current. One batch costs one bulk
 * request (two documents) instead of a compare-and-set document per candidate.
 *
 * Why retiring is bounded that way: every retirement rewrites the current candidates of a delta, so retiring one delta
 * per batch once the head is full rewrites all of a partition's candidates every `MAX_DELTAS` batches — a cost per
 * batch, not per post. With 256 deltas, ~30 batches a second (200 posts/s over three partitions, 100 ms fetches) and
 * ~2,700 candidates per partition, that was ~1.5 whole candidates written again per post, more than the posts' own.
 */
export const MAX_DELTAS = 2048;

/** Listed states beyond twice a partition's candidates that retiring for space leaves alone (a few MB of replay). */
export const SPARE_ENTRIES = 2048;

/**
 * Consecutive deltas of a partition's log as a head lists them: ids `${prefix}${seq}` for `seq` from `from` to `to`.
 * Every delta of one owner's epoch follows the one before (seq + 1), so a head lists thousands of deltas in a few runs.
 */
export interface DeltaRun {
  prefix: string;
  from: number;
  to: number;
}

/** A delta id's prefix and seq (`d<partition>-<epoch>-<seq>`); an id not of that form is its own prefix, seq -1. */
function parseDeltaId(id: string): { prefix: string; seq: number } {
  const cut = id.lastIndexOf("-") + 1;
  const tail = id.slice(cut);
  const seq = Number(tail);
  return cut > 0 && Number.isSafeInteger(seq) && seq >= 0 && String(seq) === tail ? { prefix: id.slice(0, cut), seq } : { prefix: id, seq: -1 };
}

/** Whether delta `d` directly follows `run` (same prefix, next seq), so the run can take it. */
function extendsRun(run: DeltaRun | undefined, d: { prefix: string; seq: number }): run is DeltaRun {
  return d.seq >= 0 && run !== undefined && run.to >= 0 && run.to + 1 === d.seq && run.prefix === d.prefix;
}

/** Deltas (prefix and seq, see `parseDeltaId`) as runs of consecutive ids, in order. */
function runsOf(deltas: Iterable<{ prefix: string; seq: number }>): DeltaRun[] {
  const runs: DeltaRun[] = [];
  let last: DeltaRun | undefined;
  for (const { prefix, seq } of deltas) {
    if (extendsRun(last, { prefix, seq })) last.to = seq;
    // An id not of the form `<prefix><seq>` (never written so) is a run of its own that names it whole.
    else runs.push((last = { prefix, from: seq, to: seq }));
  }
  return runs;
}

/** `runs` without their first `drop` deltas, then `added`: a head's list after a write, in the runs' count of steps. */
export function nextRuns(runs: readonly DeltaRun[], drop: number, added: { prefix: string; seq: number }): DeltaRun[] {
  const out: DeltaRun[] = [];
  let skip = drop;
  for (const run of runs) {
    const length = run.from < 0 ? 1 : run.to - run.from + 1;
    if (skip >= length) {
      skip -= length;
      continue;
    }
    out.push(skip > 0 ? { prefix: run.prefix, from: run.from + skip, to: run.to } : run);
    skip = 0;
  }
  const last = out[out.length - 1];
  if (extendsRun(last, added)) out[out.length - 1] = { ...last, to: added.seq };
  else out.push({ prefix: added.prefix, from: added.seq, to: added.seq });
  return out;
}

/** Delta ids as runs of consecutive ids (see {@link DeltaRun}), in order. */
export function toRuns(ids: Iterable<string>): DeltaRun[] {
  return runsOf([...ids].map(parseDeltaId));
}

/** The delta ids a head lists, oldest first: its runs, or (heads written before runs) its `deltas` one by one. */
export function listedDeltas(head: Pick<HeadSource, "deltas" | "runs"> | undefined): string[] {
  if (!head) return [];
  if (!Array.isArray(head.runs)) return Array.isArray(head.deltas) ? head.deltas : [];
  const ids: string[] = [];
  for (const run of head.runs) {
    if (run.from < 0) ids.push(run.prefix);
    else for (let seq = run.from; seq <= run.to; seq++) ids.push(`${run.prefix}${seq}`);
  }
  return ids;
}

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
    runs: { type: "object", enabled: false },
    candidates: { type: "object", enabled: false },
    patches: { type: "object", enabled: false },
    gone: { type: "object", enabled: false },
  },
} as const;

interface Delta {
  id: string;
  /** The id is `${prefix}${seq}` (see `parseDeltaId`). */
  prefix: string;
  seq: number;
  /** Candidates whose latest state is in this delta. */
  live: number;
  /** States it holds (whole and patches): what replaying it reads. */
  size: number;
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
  /** States the listed deltas hold (the sum of their `size`). */
  entries: number;
  /** `deltas` as the head lists them (kept with them, so a write does not walk every delta). */
  runs: DeltaRun[];
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
  /** The deltas to replay, oldest first (see {@link listedDeltas}); heads written before 2026-12-04 list them in `deltas`. */
  runs?: DeltaRun[];
  /** Heads written before 2026-12-04: every delta id (read, never written now). */
  deltas?: string[];
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

/** What a head lists once a delta is stored: the held deltas from `start` on, then the new one. */
interface Projection {
  start: number;
}

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
    /** Listed states beyond twice the current candidates left alone (see {@link SPARE_ENTRIES}). */
    private readonly spareEntries = SPARE_ENTRIES,
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
    const listed = listedDeltas(head);
    const pl: PartitionLog = {
      epoch: randomBytes(4).toString("hex"),
      seq: head?.seq ?? 0,
      deltas: [],
      bySeq: new Map(),
      latest: new Map(),
      head: doc.found && doc._seq_no !== undefined && doc._primary_term !== undefined ? { seqNo: doc._seq_no, primaryTerm: doc._primary_term } : undefined,
      unlisted: [],
      entries: 0,
      runs: [],
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
        const delta: Delta = { id, ...parseDeltaId(id), live: 0, size: 0 };
        pl.deltas.push(delta);
        pl.bySeq.set(delta.seq, delta);
        // A listed delta already deleted held nothing current (deltas are deleted only then).
        if (!("found" in d) || !d.found || !d._source) continue;
        delta.size = d._source.candidates.length + (d._source.patches?.length ?? 0);
        pl.entries += delta.size;
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
    pl.runs = runsOf(pl.deltas);
    pl.head = await this.writeHead(partition, pl.epoch, pl.seq, pl.runs, pl.head);
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
    const planned: { partition: number; pl: PartitionLog; delta: DeltaSource; id: string; prefix: string; retired: Delta[]; revisions: [string, number][]; runs?: DeltaRun[] }[] = [];
    for (const change of work) {
      const pl = this.partitions.get(change.partition) as PartitionLog;
      const states = new Map(change.states.map((s) => [s.id, s]));
      const gone = new Set(change.gone.filter((id) => !states.has(id)));
      // Retiring: the current candidates of the oldest deltas go into this one, so those can be dropped — beyond
      // maxDeltas, and one delta per write while the log holds more than twice what is current (see MAX_DELTAS).
      const retired: Delta[] = [];
      let entries = pl.entries + states.size;
      let forSpace = 1;
      for (let i = 0; i < pl.deltas.length; i++) {
        const overCount = pl.deltas.length + 1 - retired.length > this.maxDeltas;
        const overSpace = forSpace > 0 && entries > 2 * pl.latest.size + this.spareEntries;
        if (!overCount && !overSpace) break;
        if (!overCount) forSpace--;
        const old = pl.deltas[i] as Delta;
        retired.push(old);
        entries -= old.size;
        if (old.live === 0) continue;
        for (const [id, seq] of pl.latest) {
          if (seq !== old.seq || states.has(id) || gone.has(id)) continue;
          const state = current(id);
          if (state) {
            states.set(id, state);
            entries++;
          } else gone.add(id);
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
      const prefix = `d${change.partition}-${pl.epoch}-`;
      const id = `${prefix}${seq}`;
      planned.push({
        prefix,
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
    const projected = planned.map((p) => this.project(p.pl, p.delta, p.retired.length));
    const deletes = planned.flatMap((p) => p.pl.unlisted);
    const res = await this.call(`write ${planned.length} candidate delta(s)`, () =>
      this.es.bulk({
        operations: [
          ...planned.flatMap((p, i) => {
            p.runs = nextRuns(p.pl.runs, (projected[i] as Projection).start, { prefix: p.prefix, seq: p.delta.seq });
            const head: HeadSource = { kind: "head", partition: p.partition, owner: this.instance, epoch: p.pl.epoch, seq: p.delta.seq, savedAt, runs: p.runs };
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
      const next = projected[i] as Projection;
      // Stored: the bookkeeping follows (in place; a partition holds thousands of candidates).
      const { pl } = p;
      const added: Delta = { id: p.id, prefix: p.prefix, seq: p.delta.seq, live: 0, size: p.delta.candidates.length + (p.delta.patches?.length ?? 0) };
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
      const dropped = pl.deltas.slice(p.retired.length, next.start);
      pl.deltas = pl.deltas.slice(next.start);
      pl.deltas.push(added);
      pl.runs = p.runs ?? runsOf(pl.deltas);
      for (const d of [...p.retired, ...dropped]) {
        pl.bySeq.delete(d.seq);
        pl.entries -= d.size;
      }
      pl.entries += added.size;
      pl.unlisted = [...p.retired, ...dropped].map((d) => d.id);
      pl.seq = p.delta.seq;
    }
    if (lost.length > 0) throw new PartitionsTakenOver(lost);
    if (failed.length > 0) throw new LiaowangError("unavailable", `Elasticsearch could not store the candidates of partition(s) ${failed.join(", ")} now`);
  }

  /**
   * The deltas the head lists once `delta` is stored: without the `retired` oldest ones, and without the oldest ones
   * that then hold nothing current (their tombstones only concerned older deltas). Computed without touching the
   * bookkeeping.
   */
  private project(pl: PartitionLog, delta: DeltaSource, retired: number): Projection {
    const change = new Map<number, number>();
    const dec = (cid: string) => {
      const prev = pl.latest.get(cid);
      if (prev !== undefined) change.set(prev, (change.get(prev) ?? 0) - 1);
    };
    for (const st of delta.candidates) dec(st.id);
    for (const g of delta.gone) dec(g);
    let start = retired;
    while (start < pl.deltas.length) {
      const d = pl.deltas[start] as Delta;
      if (d.live + (change.get(d.seq) ?? 0) > 0) break;
      start++;
    }
    // The new delta itself is always listed (even when it holds only tombstones).
    return { start };
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
  private async writeHead(partition: number, epoch: string, seq: number, runs: DeltaRun[], version: PartitionLog["head"]): Promise<PartitionLog["head"]> {
    const document: HeadSource = { kind: "head", partition, owner: this.instance, epoch, seq, savedAt: new Date().toISOString(), runs };
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
