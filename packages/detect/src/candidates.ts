import { docKeywords } from "./incident.js";
import type { IncidentState } from "./incident-state.js";
import { IdTable, featureGeneration, growFeatureTable, hammingHalves, packedList, simhashHalves } from "./similarity.js";
import type { Packed } from "./similarity.js";
import type { DocFeatures, Keyword } from "./types.js";

const halves = new Uint32Array(2);

/**
 * The distinct SimHashes of an incident (first post, recent posts, representatives) as (high, low) pairs: what its
 * near-duplicate distance to a post is measured against, and what its SimHash bands come from.
 */
function hashesOf(incident: IncidentState, into: number[] = []): number[] {
  const addHash = (simhash: string) => {
    simhashHalves(simhash, halves);
    const hi = halves[0] as number;
    const lo = halves[1] as number;
    for (let i = 0; i < into.length; i += 2) if (into[i] === hi && into[i + 1] === lo) return;
    into.push(hi, lo);
  };
  addHash(incident.firstPost.simhash);
  for (const s of incident.recentSimhashes) addHash(s);
  for (const p of incident.posts) addHash(p.simhash);
  // Held per entry: an exact copy, without the room to grow pushing left.
  return into.slice();
}

/**
 * The four 16-bit bands of each SimHash as numbers (band index × 2¹⁶ + the band's bits), distinct: hashes within
 * distance 3 share at least one band exactly (pigeonhole). Reposts a few bits further apart still share their
 * keywords, which the keyword index finds.
 */
function bandsOf(hashes: readonly number[], into: number[] = []): number[] {
  for (let i = 0; i < hashes.length; i += 2) {
    const hi = hashes[i] as number;
    const lo = hashes[i + 1] as number;
    for (const b of [hi >>> 16, 0x10000 + (hi & 0xffff), 0x20000 + (lo >>> 16), 0x30000 + (lo & 0xffff)]) if (!into.includes(b)) into.push(b);
  }
  return into;
}

/**
 * The largest weight relative to its list's norm over an incident's keyword lists (max over lists L and features f
 * of L_f / |L|): with it a post's shared weight bounds its cosine with any of them.
 */
function peakOf(incident: IncidentState): number {
  let peak = peakOfList(incident.keywords, 0);
  for (const list of incident.recentKeywordSets) peak = peakOfList(list, peak);
  return peak;
}

function peakOfList(list: readonly Keyword[], peak: number): number {
  const { weights, norm } = packedList(list);
  if (!(norm > 0)) return peak;
  for (let i = 0; i < weights.length; i++) peak = Math.max(peak, (weights[i] as number) / norm);
  return peak;
}

/** The packings of an incident's keyword lists ({@link listsOf}, in order) into `into` (scratch, emptied first). */
function packingsOf(incident: IncidentState | undefined, into: Packed[]): Packed[] {
  into.length = 0;
  if (incident === undefined) return into;
  into.push(packedList(incident.keywords));
  for (const list of incident.recentKeywordSets) into.push(packedList(list));
  return into;
}
const beforeScratch: Packed[] = [];
const afterScratch: Packed[] = [];

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The keyword lists an incident is indexed under: its aggregate and the keyword sets of its latest posts. */
function listsOf(incident: IncidentState): readonly (readonly Keyword[])[] {
  return [incident.keywords, ...incident.recentKeywordSets];
}

/**
 * An incident held, with its SimHashes and scratch space for ranking. The keyword features it is indexed under are
 * those of its keyword lists (packed once per list while the list lives, see `packedList`): not stored again here.
 */
interface Entry {
  incident: IncidentState;
  /** {@link hashesOf} the incident. */
  hashes: number[];
  /** The entry's number: what postings hold, and where its ranking scratch is. */
  slot: number;
}

/**
 * What a lookup may leave out ({@link IncidentIndex.visit}): a candidate whose keyword bound is below `needed` and
 * whose nearest SimHash is further than `near` from the post's, unless its slot was flagged with `stamp`
 * ({@link IncidentIndex.flag}).
 */
export interface Admission {
  needed: number;
  near: number;
  stamp: number;
}

/** A candidate of a lookup: its keyword-similarity bound, and its nearest SimHash's distance from the post's. */
export interface Candidate {
  incident: IncidentState;
  bound: number;
  distance: number;
}

// What `moveTerms` saw of each feature: in the new lists, in both, or dropped (in the old lists only).
const seenTerms = new IdTable();
const NEW = 1;
const KEPT = 2;
const DROPPED = 3;

function docsOf(incident: IncidentState): string[] {
  return [incident.openedBy, ...incident.recentDocIds];
}

/**
 * The open incidents held in memory with inverted indexes (keyword features, SimHash bands, recent document ids),
 * so each document is compared with the few incidents that share something with it instead of all of them. Derived
 * data only: rebuilt from the stored incidents on start.
 * @example
 * const index = new IncidentIndex(await store.loadOpen());
 * const result = assign(index.candidates(doc), doc, now);
 */
export class IncidentIndex {
  private readonly byId = new Map<string, Entry>();
  // Postings are arrays of entry slots (small integers, stored contiguously; order does not matter, ranking breaks
  // ties by id), keyed by feature id of the generation `termGeneration`.
  private byTerm = new Map<number, Posting>();
  private termGeneration = featureGeneration();
  private readonly byBand = new Map<number, Posting>();
  private readonly byDoc = new Map<string, Entry>();
  private readonly slots: (Entry | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  // Ranking scratch by slot, walked as postings are: the shared weight (and squared weight) summed in the lookup
  // numbered `mark`, and whether the entry is sure (holder or SimHash band) in the lookup numbered `sureMark`.
  private score = new Float64Array(64);
  /** By slot, {@link peakOf} the entry's incident. */
  private peak = new Float64Array(64);
  private sharedSq = new Float64Array(64);
  /** By slot, the rank of the lookup: shared weight, each feature's by how few incidents share it (see `visit`). */
  private rank = new Float64Array(64);
  private mark = new Uint32Array(64);
  /** By slot, {@link idKey} of the entry's incident id: ties in ranking compare these before the strings. */
  private idKeys = new Float64Array(64);
  private sureMark = new Uint32Array(64);
  /** By slot, the stamp {@link flag} gave the entry last. */
  private flags = new Uint32Array(64);
  private lookups = 0;
  // Scratch of a lookup: the sure and the scored slots, the ranked ones, and the post's SimHash halves.
  private sureBuf: Int32Array = new Int32Array(16);
  private scoredBuf: Int32Array = new Int32Array(256);
  private topBuf: Int32Array = new Int32Array(32);
  private lookupHi = 0;
  private lookupLo = 0;

  constructor(incidents: Iterable<IncidentState> = []) {
    for (const i of incidents) this.upsert(i);
  }

  /** Number of open incidents held. */
  get size(): number {
    return this.byId.size;
  }

  /** The incident with this id, if held. */
  get(id: string): IncidentState | undefined {
    return this.byId.get(id)?.incident;
  }

  /**
   * Marks the held incident `id` (if held) with `stamp`: a lookup given an {@link Admission} with that stamp hands
   * it over whatever its bound. Stamps last until the index changes (a caller takes a new stamp per use).
   */
  flag(id: string, stamp: number): void {
    const e = this.byId.get(id);
    if (e !== undefined) this.flags[e.slot] = stamp;
  }

  /** The id of the held incident that holds the document (opened by it, or among its recent documents). */
  holderOf(docId: string): string | undefined {
    return this.byDoc.get(docId)?.incident.id;
  }

  /** How much the index holds: incidents, and entries in its keyword, SimHash-band and document-id postings. */
  stats(): { incidents: number; termEntries: number; bandEntries: number; docIds: number } {
    let termEntries = 0;
    for (const posting of this.byTerm.values()) termEntries += lengthOf(posting);
    let bandEntries = 0;
    for (const posting of this.byBand.values()) bandEntries += lengthOf(posting);
    return { incidents: this.byId.size, termEntries, bandEntries, docIds: this.byDoc.size };
  }

  /** Every open incident held. */
  all(): IncidentState[] {
    return [...this.byId.values()].map((e) => e.incident);
  }

  /**
   * Adds or replaces an incident; one that is no longer open is removed. A new version of a held incident only
   * moves the keys that changed (a growing story keeps most of its words and hashes from post to post).
   */
  upsert(incident: IncidentState): void {
    if (incident.status !== "open") {
      this.remove(incident.id);
      return;
    }
    // Packing the new version's lists may start the feature table afresh: then every posting is rebuilt below.
    for (const list of listsOf(incident)) packedList(list);
    const fresh = this.termGeneration !== featureGeneration();
    let e = this.byId.get(incident.id);
    if (!e) {
      const hashes = hashesOf(incident);
      e = { incident, hashes, slot: this.takeSlot() };
      this.slots[e.slot] = e;
      this.idKeys[e.slot] = idKey(incident.id);
      this.peak[e.slot] = peakOf(incident);
      this.byId.set(incident.id, e);
      if (!fresh) this.moveTerms(e, undefined, incident);
      for (const b of bandsOf(hashes)) add(this.byBand, b, e.slot);
      for (const d of docsOf(incident)) this.byDoc.set(d, e);
    } else {
      const before = e.incident;
      if (before.keywords !== incident.keywords || before.recentKeywordSets !== incident.recentKeywordSets) {
        if (!fresh) this.moveTerms(e, before, incident);
        this.peak[e.slot] = peakOf(incident);
      }
      if (before.firstPost.simhash !== incident.firstPost.simhash || before.recentSimhashes !== incident.recentSimhashes || before.posts !== incident.posts) {
        const hashes = hashesOf(incident);
        if (!sameNumbers(hashes, e.hashes)) {
          const oldBands = bandsOf(e.hashes);
          const newBands = bandsOf(hashes);
          for (const b of oldBands) if (!newBands.includes(b)) drop(this.byBand, b, e.slot);
          for (const b of newBands) if (!oldBands.includes(b)) add(this.byBand, b, e.slot);
        }
        e.hashes = hashes;
      }
      this.moveDocs(e, before, incident);
      e.incident = incident;
    }
    if (fresh) this.rebuildTerms();
  }

  private takeSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    const slot = this.slots.length;
    this.slots.push(undefined);
    if (slot >= this.score.length) {
      const grow = <T extends Float64Array | Uint32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.score = grow(this.score, (n) => new Float64Array(n));
      this.peak = grow(this.peak, (n) => new Float64Array(n));
      this.sharedSq = grow(this.sharedSq, (n) => new Float64Array(n));
      this.rank = grow(this.rank, (n) => new Float64Array(n));
      this.mark = grow(this.mark, (n) => new Uint32Array(n));
      this.sureMark = grow(this.sureMark, (n) => new Uint32Array(n));
      this.idKeys = grow(this.idKeys, (n) => new Float64Array(n));
      this.flags = grow(this.flags, (n) => new Uint32Array(n));
    }
    return slot;
  }

  /** Ranks before: more shared weight (by how few share each feature), then the smaller id. */
  private before(a: number, b: number): boolean {
    const sa = this.rank[a] as number;
    const sb = this.rank[b] as number;
    if (sa !== sb) return sa > sb;
    // Many entries tie (those sharing just one feature with the post): their ids' leading digits decide most ties.
    const ka = this.idKeys[a] as number;
    const kb = this.idKeys[b] as number;
    if (ka !== kb && ka === ka && kb === kb) return ka < kb;
    return (this.slots[a] as Entry).incident.id < (this.slots[b] as Entry).incident.id;
  }

  /** The best `limit` of the first `n` slots in rank order, into `topBuf` (a bounded insertion, not a sort of them all). */
  private topByScore(slots: Int32Array, n: number, limit: number): number {
    if (limit <= 0) return 0;
    let top = this.topBuf;
    if (top.length < limit) top = this.topBuf = new Int32Array(limit);
    let size = 0;
    for (let k = 0; k < n; k++) {
      const e = slots[k] as number;
      if (size >= limit && !this.before(e, top[size - 1] as number)) continue;
      let i = Math.min(size, limit - 1);
      if (size < limit) size++;
      while (i > 0 && this.before(e, top[i - 1] as number)) {
        top[i] = top[i - 1] as number;
        i--;
      }
      top[i] = e;
    }
    return size;
  }

  /**
   * Moves an entry's keyword postings from the features of `before`'s lists to those of `after`'s (either may be
   * absent: added or removed), touching only the features that differ. All lists are packed in this generation.
   */
  private moveTerms(e: Entry, before: IncidentState | undefined, after: IncidentState | undefined): void {
    const beforeLists = packingsOf(before, beforeScratch);
    const afterLists = packingsOf(after, afterScratch);
    let n = 0;
    for (const p of beforeLists) n += p.ids.length;
    for (const p of afterLists) n += p.ids.length;
    seenTerms.reset(n);
    for (const p of afterLists) for (const id of p.ids) seenTerms.set(id, NEW);
    for (const p of beforeLists) {
      for (const id of p.ids) {
        const s = seenTerms.get(id);
        if (s === NEW) seenTerms.set(id, KEPT);
        else if (s !== KEPT && s !== DROPPED) {
          seenTerms.set(id, DROPPED);
          drop(this.byTerm, id, e.slot);
        }
      }
    }
    for (const p of afterLists) {
      for (const id of p.ids) {
        if (seenTerms.get(id) !== NEW) continue;
        seenTerms.set(id, KEPT);
        add(this.byTerm, id, e.slot);
      }
    }
  }

  /**
   * The feature table started afresh, so the postings' ids are stale: every held incident is indexed again under
   * the new ids, in a table made large enough to hold them all together.
   */
  private rebuildTerms(): void {
    for (;;) {
      const generation = featureGeneration();
      this.byTerm = new Map();
      for (const e of this.byId.values()) for (const list of listsOf(e.incident)) packedList(list);
      if (featureGeneration() !== generation) {
        // They did not fit in the table together.
        growFeatureTable(true);
        continue;
      }
      this.termGeneration = generation;
      for (const e of this.byId.values()) this.moveTerms(e, undefined, e.incident);
      growFeatureTable();
      return;
    }
  }

  /**
   * Re-registers the recent document ids of a changed incident. Usually the window just slid (a post added, the
   * oldest dropped): then only those move, instead of every id of a story with hundreds of posts.
   */
  private moveDocs(e: Entry, before: IncidentState, after: IncidentState): void {
    const a = before.recentDocIds;
    const b = after.recentDocIds;
    if (a === b && before.openedBy === after.openedBy) return;
    const p = b.length > 0 ? a.indexOf(b[0] as string) : -1;
    let slid = before.openedBy === after.openedBy && p >= 0 && a.length - p <= b.length;
    for (let i = p; slid && i < a.length; i++) slid = a[i] === b[i - p];
    if (!slid) {
      for (const d of docsOf(before)) if (this.byDoc.get(d) === e) this.byDoc.delete(d);
      for (const d of docsOf(after)) this.byDoc.set(d, e);
      return;
    }
    for (let i = 0; i < p; i++) if (this.byDoc.get(a[i] as string) === e) this.byDoc.delete(a[i] as string);
    for (let i = a.length - p; i < b.length; i++) this.byDoc.set(b[i] as string, e);
    this.byDoc.set(after.openedBy, e);
  }

  /** Drops an incident from the index. */
  remove(id: string): void {
    const e = this.byId.get(id);
    if (!e) return;
    this.byId.delete(id);
    if (this.termGeneration === featureGeneration()) this.moveTerms(e, e.incident, undefined);
    else this.rebuildTerms();
    for (const b of bandsOf(e.hashes)) drop(this.byBand, b, e.slot);
    for (const d of docsOf(e.incident)) if (this.byDoc.get(d) === e) this.byDoc.delete(d);
    this.slots[e.slot] = undefined;
    this.freeSlots.push(e.slot);
  }

  /**
   * Incidents that could take the document, best first: those already holding it or sharing a SimHash band, then
   * up to `limit` ranked by the weight of the keyword features they share with it, each divided by the square root of
   * how many incidents share that feature (a story's names before a template's words). Features most open incidents
   * share ("发生", "事故") are skipped: they say nothing about which story a post belongs to, and walking them would
   * make every post cost as much as there are incidents.
   */
  candidates(doc: Pick<DocFeatures, "id" | "keywords" | "simhash">, keywordLimit = 20, limit = 32): IncidentState[] {
    return this.bounded(doc, keywordLimit, limit).map((c) => c.incident);
  }

  /**
   * {@link candidates} with an upper bound of each one's keyword similarity to the document: the cosine of the
   * document's keyword vector (`docKeywordLimit` = `keywordLimit`) with the incident's aggregate or any of its recent
   * keyword sets is at most √(Σ d_f² over the features they share) / |d| (Cauchy–Schwarz), counting every skipped
   * common feature as shared (also for incidents found by SimHash band; 1 for the one holding the document). Lets the
   * caller skip scoring incidents the post can join neither on keywords nor as a near-duplicate, which the distance
   * from the post's SimHash to the incident's nearest tells.
   */
  bounded(doc: Pick<DocFeatures, "id" | "keywords" | "simhash">, keywordLimit = 20, limit = 32): Candidate[] {
    const out: Candidate[] = [];
    this.visit(doc, keywordLimit, limit, (incident, bound, slot) => out.push({ incident, bound, distance: this.distance(slot) }));
    return out;
  }

  /**
   * {@link bounded}'s candidates in the same order, handed to `take` one by one (incident, bound, slot) instead of
   * as objects: {@link distance} of the slot measures its SimHash distance from the post when the caller needs it.
   * Allocates nothing per candidate (a lookup walks hundreds of postings for a few candidates that matter). With
   * `admit`, candidates that could join neither on their words nor as near-duplicates are not handed over (see
   * {@link Admission}); the order of the others is the same.
   */
  visit(
    doc: Pick<DocFeatures, "id" | "keywords" | "simhash">,
    keywordLimit: number,
    limit: number,
    take: (incident: IncidentState, bound: number, slot: number) => void,
    admit?: Admission,
  ): void {
    const list = docKeywords(doc, { docKeywordLimit: keywordLimit });
    let vector = packedList(list);
    while (this.termGeneration !== featureGeneration()) {
      this.rebuildTerms();
      vector = packedList(list);
    }
    // Entries are stamped with this lookup's number: as sure (`sureMark`) or as scored, their sums kept by slot.
    const mark = ++this.lookups;
    const marks = this.mark;
    const sureMarks = this.sureMark;
    const score = this.score;
    const rank = this.rank;
    const sharedSq = this.sharedSq;
    let sure = this.sureBuf;
    let nSure = 0;
    const holder = this.byDoc.get(doc.id)?.slot;
    if (holder !== undefined) {
      sureMarks[holder] = mark;
      sure[nSure++] = holder;
    }
    simhashHalves(doc.simhash, halves);
    const hi = halves[0] as number;
    const lo = halves[1] as number;
    this.lookupHi = hi;
    this.lookupLo = lo;
    for (let band = 0; band < 4; band++) {
      const b = band === 0 ? hi >>> 16 : band === 1 ? 0x10000 + (hi & 0xffff) : band === 2 ? 0x20000 + (lo >>> 16) : 0x30000 + (lo & 0xffff);
      const posting = this.byBand.get(b);
      if (posting === undefined) continue;
      const n = lengthOf(posting);
      for (let j = 0; j < n; j++) {
        const e = typeof posting === "number" ? posting : (posting[j] as number);
        if (sureMarks[e] === mark) continue;
        sureMarks[e] = mark;
        if (nSure === sure.length) sure = this.sureBuf = grown(sure);
        sure[nSure++] = e;
      }
    }

    const maxPosting = Math.max(32, this.byId.size / 5);
    let scored = this.scoredBuf;
    let nScored = 0;
    let skippedSq = 0;
    let skippedSum = 0;
    const { ids, weights, norm } = vector;
    for (let i = 0; i < ids.length; i++) {
      const posting = this.byTerm.get(ids[i] as number);
      if (posting === undefined) continue;
      const n = lengthOf(posting);
      const w = weights[i] as number;
      // A feature few incidents share tells more of which one the post belongs to than one many share: 30 earlier
      // 通报 of one template ("截至目前…遇难…受伤") outranked the 首发 naming the same tunnel and district.
      const r = w / Math.sqrt(n);
      if (n > maxPosting) {
        skippedSq += w * w;
        skippedSum += w;
        continue;
      }
      for (let j = 0; j < n; j++) {
        const e = typeof posting === "number" ? posting : (posting[j] as number);
        if (marks[e] !== mark) {
          marks[e] = mark;
          score[e] = 0;
          rank[e] = 0;
          sharedSq[e] = 0;
          // Those found by SimHash band are returned anyway; their shared weight still bounds them.
          if (sureMarks[e] !== mark) {
            if (nScored === scored.length) scored = this.scoredBuf = grown(scored);
            scored[nScored++] = e;
          }
        }
        score[e] = (score[e] as number) + w;
        rank[e] = (rank[e] as number) + r;
        sharedSq[e] = (sharedSq[e] as number) + w * w;
      }
    }
    const nRanked = this.topByScore(scored, nScored, limit);
    const ranked = this.topBuf;
    const peak = this.peak;
    // Two bounds of the cosine with any one of the incident's lists L, over the features it may share with the
    // post: Cauchy–Schwarz, √(Σ d_f²)/|d|; and (Σ d_f)·max(L_f)/(|d|·|L|) ≤ (Σ d_f)·peak/|d|. The second is the
    // tighter one when a few features are shared with flat lists.
    const boundOf = (e: number): number => {
      if (!(norm > 0)) return 0;
      const shared = marks[e] === mark;
      const bySquares = Math.sqrt((shared ? (sharedSq[e] as number) : 0) + skippedSq) / norm;
      const byPeak = (((shared ? (score[e] as number) : 0) + skippedSum) * (peak[e] as number)) / norm;
      return Math.min(1, bySquares, byPeak);
    };
    // A band shared by chance (16-bit bands: with thousands of incidents, a dozen per post) is bounded like any other
    // candidate: the caller then scores it only when it is a near-duplicate or its words could reach the threshold.
    // Most ranked candidates share a word or two with the post and no more: left out here when `admit` says so,
    // instead of by the caller after a call each.
    const needed = admit === undefined ? Number.NEGATIVE_INFINITY : admit.needed;
    const near = admit === undefined ? 64 : admit.near;
    const stamp = admit === undefined ? -1 : admit.stamp;
    const flags = this.flags;
    for (let i = 0; i < nSure; i++) {
      const e = sure[i] as number;
      const bound = e === holder ? 1 : boundOf(e);
      if (bound >= needed || flags[e] === stamp || this.distance(e) <= near) take((this.slots[e] as Entry).incident, bound, e);
    }
    for (let i = 0; i < nRanked; i++) {
      const e = ranked[i] as number;
      const bound = boundOf(e);
      if (bound >= needed || flags[e] === stamp || this.distance(e) <= near) take((this.slots[e] as Entry).incident, bound, e);
    }
  }

  /** Distance from the SimHash of the post of the last {@link visit} to the nearest of the slot's incident's. */
  distance(slot: number): number {
    const hi = this.lookupHi;
    const lo = this.lookupLo;
    let distance = 64;
    const h = (this.slots[slot] as Entry).hashes;
    for (let j = 0; j < h.length; j += 2) distance = Math.min(distance, hammingHalves(h[j] as number, h[j + 1] as number, hi, lo));
    return distance;
  }
}

/**
 * The first 13 hex digits (52 bits, exact in a double) of an incident id made by `incidentIdFor` ("inc-" and 16
 * lowercase hex digits): where two such keys differ they order as the ids do. NaN for any other id.
 */
function idKey(id: string): number {
  return id.length === 20 && /^inc-[0-9a-f]{16}$/.test(id) ? Number.parseInt(id.slice(4, 17), 16) : Number.NaN;
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * A posting: the entry slots holding a key. One slot is held as the number itself: most keys (a rare word, a SimHash
 * band) belong to one incident, and an array of one costs ~56 bytes more, for every such key.
 */
type Posting = number | number[];

function lengthOf(posting: Posting): number {
  return typeof posting === "number" ? 1 : posting.length;
}

function add<K>(map: Map<K, Posting>, key: K, entry: number): void {
  const posting = map.get(key);
  if (posting === undefined) map.set(key, entry);
  else if (typeof posting === "number") map.set(key, [posting, entry]);
  // Most postings stay short (a rare word's few stories): copied exact while short, since an array pushed to keeps
  // room for 16 more entries, held for every posting.
  else if (posting.length < SHORT_POSTING) map.set(key, posting.concat(entry));
  else posting.push(entry);
}

const SHORT_POSTING = 8;

function drop<K>(map: Map<K, Posting>, key: K, entry: number): void {
  const posting = map.get(key);
  if (posting === undefined) return;
  if (typeof posting === "number") {
    if (posting === entry) map.delete(key);
    return;
  }
  const i = posting.indexOf(entry);
  if (i < 0) return;
  // Swap with the last: order within a posting carries no meaning.
  posting[i] = posting[posting.length - 1] as number;
  posting.pop();
  if (posting.length === 1) map.set(key, posting[0] as number);
  else if (posting.length === 0) map.delete(key);
}
