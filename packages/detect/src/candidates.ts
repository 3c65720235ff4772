import { docVector } from "./cluster.js";
import { DEFAULT_CLUSTER_CONFIG } from "./cluster-config.js";
import type { IncidentState } from "./incident-state.js";
import { keywordVector } from "./similarity.js";
import type { DocFeatures, Keyword } from "./types.js";

// Keyword lists are immutable and shared between successive versions of an incident: derive their features once.
const featureCache = new WeakMap<readonly Keyword[], string[]>();
function features(keywords: readonly Keyword[]): string[] {
  let f = featureCache.get(keywords);
  if (!f) {
    f = [...keywordVector(keywords).weights.keys()];
    featureCache.set(keywords, f);
  }
  return f;
}

/**
 * The four 16-bit bands of a SimHash: hashes within distance 3 share at least one band exactly (pigeonhole). Reposts
 * a few bits further apart still share their keywords, which the keyword index finds.
 */
function bands(simhash: string): string[] {
  const hex = simhash.toLowerCase().padStart(16, "0");
  return [0, 1, 2, 3].map((i) => `${i}:${hex.slice(i * 4, i * 4 + 4)}`);
}

function keysOf(incident: IncidentState): { terms: Set<string>; bands: Set<string> } {
  const terms = new Set<string>(features(incident.keywords));
  for (const set of incident.recentKeywordSets) for (const f of features(set)) terms.add(f);
  const bandSet = new Set<string>();
  for (const s of [incident.firstPost.simhash, ...incident.recentSimhashes, ...incident.posts.map((p) => p.simhash)]) {
    for (const b of bands(s)) bandSet.add(b);
  }
  return { terms, bands: bandSet };
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
  private readonly byId = new Map<string, { incident: IncidentState; terms: Set<string>; bands: Set<string>; docs: string[] }>();
  private readonly byTerm = new Map<string, Set<string>>();
  private readonly byBand = new Map<string, Set<string>>();
  private readonly byDoc = new Map<string, string>();

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

  /** Every open incident held. */
  all(): IncidentState[] {
    return [...this.byId.values()].map((e) => e.incident);
  }

  /** Adds or replaces an incident; one that is no longer open is removed. */
  upsert(incident: IncidentState): void {
    this.remove(incident.id);
    if (incident.status !== "open") return;
    const { terms, bands: bandSet } = keysOf(incident);
    const docs = [incident.openedBy, ...incident.recentDocIds];
    this.byId.set(incident.id, { incident, terms, bands: bandSet, docs });
    for (const t of terms) add(this.byTerm, t, incident.id);
    for (const b of bandSet) add(this.byBand, b, incident.id);
    for (const d of docs) this.byDoc.set(d, incident.id);
  }

  /** Drops an incident from the index. */
  remove(id: string): void {
    const e = this.byId.get(id);
    if (!e) return;
    this.byId.delete(id);
    for (const t of e.terms) drop(this.byTerm, t, id);
    for (const b of e.bands) drop(this.byBand, b, id);
    for (const d of e.docs) if (this.byDoc.get(d) === id) this.byDoc.delete(d);
  }

  /**
   * Incidents that could take the document, best first: those already holding it or sharing a SimHash band, then
   * up to `limit` ranked by the weight of the keyword features they share with it. Features most open incidents
   * share ("发生", "事故") are skipped: they say nothing about which story a post belongs to, and walking them would
   * make every post cost as much as there are incidents.
   */
  candidates(doc: Pick<DocFeatures, "id" | "keywords" | "simhash">, keywordLimit = 20, limit = 32): IncidentState[] {
    const sure = new Set<string>();
    const holder = this.byDoc.get(doc.id);
    if (holder !== undefined) sure.add(holder);
    for (const b of bands(doc.simhash)) for (const id of this.byBand.get(b) ?? []) sure.add(id);

    const maxPosting = Math.max(32, this.byId.size / 5);
    const scores = new Map<string, number>();
    for (const [f, w] of docVector(doc, { ...DEFAULT_CLUSTER_CONFIG, docKeywordLimit: keywordLimit }).weights) {
      const posting = this.byTerm.get(f);
      if (!posting || posting.size > maxPosting) continue;
      for (const id of posting) if (!sure.has(id)) scores.set(id, (scores.get(id) ?? 0) + w);
    }
    const ranked = [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
    const out: IncidentState[] = [];
    for (const id of [...sure, ...ranked.map(([id]) => id)]) {
      const e = this.byId.get(id);
      if (e) out.push(e.incident);
    }
    return out;
  }
}

function add(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(id);
}

function drop(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}
