import { docVector } from "./cluster.js";
import { DEFAULT_CLUSTER_CONFIG } from "./cluster-config.js";
import type { IncidentState } from "./incident-state.js";
import { listFeatures, simhashHalves } from "./similarity.js";
import type { DocFeatures } from "./types.js";

/**
 * The four 16-bit bands of a SimHash as numbers (band index × 2¹⁶ + the band's bits): hashes within distance 3 share
 * at least one band exactly (pigeonhole). Reposts a few bits further apart still share their keywords, which the
 * keyword index finds.
 */
const bandHalves = new Uint32Array(2);
function bandsOf(simhash: string, into: Set<number>): void {
  simhashHalves(simhash, bandHalves);
  const hi = bandHalves[0] as number;
  const lo = bandHalves[1] as number;
  into.add(hi >>> 16);
  into.add(0x10000 + (hi & 0xffff));
  into.add(0x20000 + (lo >>> 16));
  into.add(0x30000 + (lo & 0xffff));
}

function keysOf(incident: IncidentState): { terms: Set<string>; bands: Set<number> } {
  const terms = new Set<string>(listFeatures(incident.keywords));
  for (const set of incident.recentKeywordSets) for (const f of listFeatures(set)) terms.add(f);
  const bandSet = new Set<number>();
  bandsOf(incident.firstPost.simhash, bandSet);
  for (const s of incident.recentSimhashes) bandsOf(s, bandSet);
  for (const p of incident.posts) bandsOf(p.simhash, bandSet);
  return { terms, bands: bandSet };
}

/**
 * An incident held, with scratch space for ranking. The keys it is indexed under are derived again from the incident
 * when it changes or leaves (its keyword lists' features are cached while they live): not stored for every incident.
 */
interface Entry {
  incident: IncidentState;
  /** Ranking scratch: the shared weight (and squared weight) summed in the lookup numbered `mark`. */
  score: number;
  sharedSq: number;
  mark: number;
  sureMark: number;
}

/** Ranks before: more shared weight, then the smaller id. */
function before(a: Entry, b: Entry): boolean {
  return a.score > b.score || (a.score === b.score && a.incident.id < b.incident.id);
}

/** The best `limit` entries in rank order (a bounded insertion, not a sort of them all). */
function topByScore(entries: readonly Entry[], limit: number): Entry[] {
  const top: Entry[] = [];
  if (limit <= 0) return top;
  for (const e of entries) {
    if (top.length >= limit && !before(e, top[top.length - 1] as Entry)) continue;
    let i = Math.min(top.length, limit - 1);
    if (top.length < limit) top.push(e);
    while (i > 0 && before(e, top[i - 1] as Entry)) {
      top[i] = top[i - 1] as Entry;
      i--;
    }
    top[i] = e;
  }
  return top;
}

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
  // Postings are arrays (a fraction of a set's memory; order does not matter, ranking breaks ties by id).
  private readonly byTerm = new Map<string, Entry[]>();
  private readonly byBand = new Map<number, Entry[]>();
  private readonly byDoc = new Map<string, Entry>();
  private lookups = 0;

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

  /** The id of the held incident that holds the document (opened by it, or among its recent documents). */
  holderOf(docId: string): string | undefined {
    return this.byDoc.get(docId)?.incident.id;
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
    const { terms, bands: bandSet } = keysOf(incident);
    let e = this.byId.get(incident.id);
    if (!e) {
      e = { incident, score: 0, sharedSq: 0, mark: 0, sureMark: 0 };
      this.byId.set(incident.id, e);
      for (const t of terms) add(this.byTerm, t, e);
      for (const b of bandSet) add(this.byBand, b, e);
      for (const d of docsOf(incident)) this.byDoc.set(d, e);
      return;
    }
    const old = keysOf(e.incident);
    for (const t of old.terms) if (!terms.has(t)) drop(this.byTerm, t, e);
    for (const t of terms) if (!old.terms.has(t)) add(this.byTerm, t, e);
    for (const b of old.bands) if (!bandSet.has(b)) drop(this.byBand, b, e);
    for (const b of bandSet) if (!old.bands.has(b)) add(this.byBand, b, e);
    this.moveDocs(e, e.incident, incident);
    e.incident = incident;
  }

  /**
   * Re-registers the recent document ids of a changed incident. Usually the window just slid (a post added, the
   * oldest dropped): then only those move, instead of every id of a story with hundreds of posts.
   */
  private moveDocs(e: Entry, before: IncidentState, after: IncidentState): void {
    const a = before.recentDocIds;
    const b = after.recentDocIds;
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
    const { terms, bands } = keysOf(e.incident);
    for (const t of terms) drop(this.byTerm, t, e);
    for (const b of bands) drop(this.byBand, b, e);
    for (const d of docsOf(e.incident)) if (this.byDoc.get(d) === e) this.byDoc.delete(d);
  }

  /**
   * Incidents that could take the document, best first: those already holding it or sharing a SimHash band, then
   * up to `limit` ranked by the weight of the keyword features they share with it. Features most open incidents
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
   * caller skip scoring incidents the post can join neither on keywords nor as a near-duplicate.
   */
  bounded(doc: Pick<DocFeatures, "id" | "keywords" | "simhash">, keywordLimit = 20, limit = 32): { incident: IncidentState; bound: number }[] {
    // Entries are stamped with this lookup's number: as sure (`sureMark`) or as scored, their sums kept on them.
    const mark = ++this.lookups;
    const sure: Entry[] = [];
    const holder = this.byDoc.get(doc.id);
    if (holder !== undefined) {
      holder.sureMark = mark;
      sure.push(holder);
    }
    const docBands = new Set<number>();
    bandsOf(doc.simhash, docBands);
    for (const b of docBands) {
      for (const e of this.byBand.get(b) ?? []) {
        if (e.sureMark === mark) continue;
        e.sureMark = mark;
        sure.push(e);
      }
    }

    const maxPosting = Math.max(32, this.byId.size / 5);
    const scored: Entry[] = [];
    const vector = docVector(doc, { ...DEFAULT_CLUSTER_CONFIG, docKeywordLimit: keywordLimit });
    let skippedSq = 0;
    for (const [f, w] of vector.weights) {
      const posting = this.byTerm.get(f);
      if (!posting) continue;
      if (posting.length > maxPosting) {
        skippedSq += w * w;
        continue;
      }
      for (const e of posting) {
        if (e.mark !== mark) {
          e.mark = mark;
          e.score = 0;
          e.sharedSq = 0;
          // Those found by SimHash band are returned anyway; their shared weight still bounds them.
          if (e.sureMark !== mark) scored.push(e);
        }
        e.score += w;
        e.sharedSq += w * w;
      }
    }
    const ranked = topByScore(scored, limit);
    const out: { incident: IncidentState; bound: number }[] = [];
    const boundOf = (e: Entry) => (vector.norm > 0 ? Math.min(1, Math.sqrt((e.mark === mark ? e.sharedSq : 0) + skippedSq) / vector.norm) : 0);
    // A band shared by chance (16-bit bands: with thousands of incidents, a dozen per post) is bounded like any other
    // candidate: the caller then scores it only when it is a near-duplicate or its words could reach the threshold.
    for (const e of sure) out.push({ incident: e.incident, bound: e === holder ? 1 : boundOf(e) });
    for (const e of ranked) out.push({ incident: e.incident, bound: boundOf(e) });
    return out;
  }
}

function add<K>(map: Map<K, Entry[]>, key: K, entry: Entry): void {
  const posting = map.get(key);
  if (posting) posting.push(entry);
  else map.set(key, [entry]);
}

function drop<K>(map: Map<K, Entry[]>, key: K, entry: Entry): void {
  const posting = map.get(key);
  if (!posting) return;
  const i = posting.indexOf(entry);
  if (i < 0) return;
  // Swap with the last: order within a posting carries no meaning.
  posting[i] = posting[posting.length - 1] as Entry;
  posting.pop();
  if (posting.length === 0) map.delete(key);
}
