import { DEFAULT_CLUSTER_CONFIG } from "./cluster-config.js";
import type { ClusterConfig } from "./cluster-config.js";
import { absorbDoc, docKeywords, isCurrent, isFollowup, openIncident, mergeInto, regrade, validateDoc } from "./incident.js";
import { statementOf } from "./statements.js";
import type { IncidentChange } from "./incident.js";
import type { IncidentState } from "./incident-state.js";
import { cosine, cosineFrom, hammingHalves, mostSpecificRegions, regionRelation, sharedKeywords, simhashHalves } from "./similarity.js";
import type { RegionRelation } from "./similarity.js";
import type { DocFeatures, Region } from "./types.js";

/** How a document matched an incident (for logs and the incident detail page). */
export interface MatchInfo {
  score: number;
  hamming: number;
  keywordSimilarity: number;
  regionFactor: number;
  nearDuplicate: boolean;
}

/** Result of {@link assign}. */
export interface Assignment {
  incident: IncidentState;
  changes: IncidentChange[];
  match?: MatchInfo | undefined;
  /** Incidents the document showed to be the same story: merged into `incident`; store them with status "merged". */
  merged?: { into: string; absorbed: IncidentState[] } | undefined;
}

// Incident states and posts are immutable: their SimHashes are parsed once per object, as (high, low) pairs (a plain
// array: held for every open incident, and a typed array costs ~200 bytes of overhead on its own).
const incidentHashes = new WeakMap<IncidentState, number[]>();
const docHashes = new WeakMap<object, Uint32Array>();
const halves = new Uint32Array(2);

function hashesOf(incident: IncidentState): number[] {
  let packed = incidentHashes.get(incident);
  if (!packed) {
    // Sized exactly (a pushed-to array keeps room to grow, held as long as the state).
    const n = 1 + incident.recentSimhashes.length + incident.posts.length;
    const out = new Array<number>(2 * n);
    let at = 0;
    const put = (s: string) => {
      simhashHalves(s, halves);
      out[at++] = halves[0] as number;
      out[at++] = halves[1] as number;
    };
    put(incident.firstPost.simhash);
    for (const s of incident.recentSimhashes) put(s);
    for (const p of incident.posts) put(p.simhash);
    packed = out;
    incidentHashes.set(incident, packed);
  }
  return packed;
}

function docHash(doc: Pick<DocFeatures, "simhash">): Uint32Array {
  let h = docHashes.get(doc);
  if (!h) {
    h = simhashHalves(doc.simhash);
    docHashes.set(doc, h);
  }
  return h;
}

/** Distance from the post's SimHash to the nearest of the incident's (first post, recent posts, representatives). */
function nearestDistance(incident: IncidentState, doc: Pick<DocFeatures, "simhash">): number {
  const d = docHash(doc);
  const h = d[0] as number;
  const l = d[1] as number;
  const packed = hashesOf(incident);
  let best = 64;
  for (let i = 0; i < packed.length; i += 2) best = Math.min(best, hammingHalves(packed[i] as number, packed[i + 1] as number, h, l));
  return best;
}

const RELATION_RANK = { same: 3, same_city: 2, same_province: 1, different: 0 } as const;

/**
 * How compatible two sets of places are, by their most specific places: enrichment also lists the city and
 * province of a county, and 湖南省 must not make every county of Hunan "the same place".
 */
function regionsFactor(a: readonly Region[], b: readonly Region[], config: ClusterConfig): number {
  const specificA = mostSpecificRegions(a);
  const specificB = mostSpecificRegions(b);
  if (specificA.length === 0 || specificB.length === 0) return 1;
  let best: RegionRelation = "different";
  for (const x of specificA) {
    for (const y of specificB) {
      const rel = regionRelation(x, y);
      if (RELATION_RANK[rel] > RELATION_RANK[best]) best = rel;
      if (best === "same") return 1;
    }
  }
  switch (best) {
    case "same_city":
      return config.sameCityFactor;
    case "same_province":
      return config.sameProvinceFactor;
    case "different":
      return config.differentRegionFactor;
    default: {
      const _exhaustive: never = best;
      return _exhaustive;
    }
  }
}

/**
 * Similarity of a document to an incident (0 … 1). A near-duplicate SimHash (a repost) scores 1. Otherwise keyword
 * similarity — the better of the cosine to the incident's aggregate keywords and to its latest documents' keywords,
 * over words and their character bigrams — lowered when the places named differ (another province's mine accident
 * shares most words but is another story).
 */
export function similarity(incident: IncidentState, doc: DocFeatures, config: ClusterConfig = DEFAULT_CLUSTER_CONFIG, threshold = config.joinThreshold): MatchInfo {
  return matchOf(incident, doc, config, threshold, true);
}

/**
 * {@link similarity}; without `exact`, a near-duplicate's keyword similarity is left out (NaN): it scores 1 whatever
 * its words, and only the match {@link assign} returns needs it.
 */
function matchOf(incident: IncidentState, doc: DocFeatures, config: ClusterConfig, threshold: number, exact: boolean): MatchInfo {
  const d = nearestDistance(incident, doc);
  if (!exact && d <= config.nearDuplicateDistance) return { score: 1, hamming: d, keywordSimilarity: Number.NaN, regionFactor: 1, nearDuplicate: true };
  const vector = docKeywords(doc, config);
  let keywordSimilarity = cosineFrom(vector, incident.keywords);
  for (const set of incident.recentKeywordSets) {
    keywordSimilarity = Math.max(keywordSimilarity, cosineFrom(vector, set));
  }
  if (d <= config.nearDuplicateDistance) {
    // Reposts carry the same text and hence the same places; no region check needed.
    return { score: 1, hamming: d, keywordSimilarity, regionFactor: 1, nearDuplicate: true };
  }
  // Beyond near-duplicates SimHash says nothing reliable: compared with the dozens of hashes of hundreds of incidents,
  // some unrelated post always lands within 12–16 bits by chance.
  if (keywordSimilarity < threshold) {
    return { score: keywordSimilarity, hamming: d, keywordSimilarity, regionFactor: 1, nearDuplicate: false };
  }
  const rf = Math.min(
    regionsFactor(doc.regions, incident.regions, config),
    abroadFactor(doc, incident, config),
    // Different named facilities are different stories, however alike the words.
    facilitiesDiffer(docFacilities(doc), incidentFacilities(incident)) ? 0 : 1,
  );
  // One word in common is no story in common, however heavy the word in a short post: "男子因女友提出分手将其掐死"
  // scored 0.40 against a joke about 女友、前女友 on 女友 alone, and the murder became that story's category.
  const alone = rf > 0 && sharedKeywords(vector, [incident.keywords, ...incident.recentKeywordSets]) < Math.min(2, positiveCount(vector));
  // Nothing says where either happened: the words must say more that it is one story.
  const placeless = keywordSimilarity < config.placelessJoinThreshold && doc.regions.length === 0 && incident.regions.length === 0 && (doc.abroad?.length ?? 0) === 0 && (incident.scope?.abroad.length ?? 0) === 0;
  return { score: alone || placeless ? 0 : keywordSimilarity * rf, hamming: d, keywordSimilarity, regionFactor: rf, nearDuplicate: false };
}

function positiveCount(keywords: readonly { weight: number }[]): number {
  let n = 0;
  for (const k of keywords) if (k.weight > 0) n++;
  return n;
}

/** Countries a post names as where something happened (not whose people are involved). */
function docCountries(doc: DocFeatures): string[] {
  return (doc.abroad ?? []).filter((p) => p.role !== "origin").map((p) => p.name);
}

/**
 * Places abroad against places at home: a chemical plant blast in 孟买 is not the one in 长沙县 however alike the
 * words. A post naming only places abroad and an incident naming only places in China (or the reverse), or
 * different countries, are different places.
 */
function abroadFactor(doc: DocFeatures, incident: IncidentState, config: ClusterConfig): number {
  const countries = docCountries(doc);
  const incidentAbroad = incident.scope?.abroad ?? [];
  const docHome = mostSpecificRegions(doc.regions).length > 0;
  const incidentHome = mostSpecificRegions(incident.regions).length > 0;
  if (countries.length > 0 && !docHome) {
    if (incidentAbroad.length === 0) return incidentHome ? config.differentRegionFactor : 1;
    return countries.some((c) => incidentAbroad.some((a) => a.startsWith(c))) ? 1 : config.differentRegionFactor;
  }
  if (countries.length === 0 && docHome && incidentAbroad.length > 0 && !incidentHome) return config.differentRegionFactor;
  return 1;
}

/**
 * Named facilities of the kinds accidents happen at (鑫达化工厂, 华远煤矿, 金远大桥): the two characters of the name
 * before the kind. A determiner, number, place suffix or vague word there (某煤矿, 县一煤矿, 该化工厂, 当地煤矿, 附近商场,
 * 小型煤矿) is no name, nor is a place the post or incident names where its other places are (江华煤矿 with
 * 江华瑶族自治县 named; but 石鼓区安达水库 names a reservoir: 安达市 lies in another province than 石鼓区).
 */
const FACILITY = /([\u4e00-\u9fff]{2})(化工厂|烟花厂|煤矿|商场|大桥|隧道|客运站|水库)/gu;
const NOT_A_NAME = /[一二三两几某该这此那其本个家座处所的了在是和与及各多省市区县镇乡村街路号地近边内外型]/u;

/**
 * The named facilities of a post or an incident (e.g. {鑫达化工厂, 华远煤矿}), with the text they were read from: a
 * facility's name used there for something else tells another story too (see {@link facilitiesDiffer}).
 */
interface Facilities {
  readonly named: ReadonlySet<string>;
  readonly text: string;
}

/** Whether a name is a place of the list: one of its places starts with it, in the province of all its most specific places. */
function isPlaceName(name: string, places: readonly Region[]): boolean {
  let specific: Region[] | undefined;
  for (const p of places) {
    if (!p.name.startsWith(name)) continue;
    // Enrichment reads places out of names too (安达水库 → 安达市, 黑龙江省): a place elsewhere than the post's others
    // is such a reading, and the name the facility's own.
    specific ??= mostSpecificRegions(places);
    if (specific.every((s) => s.province === p.province)) return true;
  }
  return false;
}

function facilitiesIn(texts: readonly (string | undefined)[], places: readonly Region[]): Facilities {
  const named = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const m of text.matchAll(FACILITY)) {
      const name = m[1] as string;
      if (NOT_A_NAME.test(name) || isPlaceName(name, places)) continue;
      named.add(m[0]);
    }
  }
  return { named, text: texts.filter((t) => t).join("\n") };
}

const docFacilityCache = new WeakMap<object, Facilities>();
function docFacilities(doc: DocFeatures): Facilities {
  let f = docFacilityCache.get(doc);
  if (!f) {
    f = facilitiesIn([doc.title, doc.text], doc.regions);
    docFacilityCache.set(doc, f);
  }
  return f;
}

// By the representative posts list (a new one whenever they change), the 首发 and the places they are read with.
const incidentFacilityCache = new WeakMap<object, { firstPost: object; regions: object; facilities: Facilities }>();
function incidentFacilities(incident: IncidentState): Facilities {
  const held = incidentFacilityCache.get(incident.posts);
  if (held && held.firstPost === incident.firstPost && held.regions === incident.regions) return held.facilities;
  const p = incident.firstPost;
  const facilities = facilitiesIn([p.title, p.snippet, ...incident.posts.flatMap((x) => [x.title, x.snippet])], incident.regions);
  incidentFacilityCache.set(incident.posts, { firstPost: p, regions: incident.regions, facilities });
  return facilities;
}

/**
 * Whether `other` uses the name of one of `own`'s facilities and never speaks of its kind (刘明达 beside 明达隧道): the
 * name means something else there. Speaking of the kind too (印度孟买一化工厂 beside 孟买化工厂) may be the same place.
 */
function nameUsedElsewhere(own: Facilities, other: Facilities): boolean {
  for (const f of own.named) if (other.text.includes(f.slice(0, 2)) && !other.text.includes(f.slice(2))) return true;
  return false;
}

/**
 * Whether two sides' named facilities tell different stories: both name facilities and none is the same (华远煤矿 and
 * 华源煤矿, or 鑫达化工厂 and 华远煤矿 in one district, are two accidents however alike their 通报 read); or one names a
 * facility whose name the other uses for something else, never speaking of its kind (明达隧道 and a post on 刘明达: the
 * name was all they shared). A side naming no facility, or its name beside its kind (某隧道, 孟买一化工厂), may be either
 * story.
 */
function facilitiesDiffer(a: Facilities, b: Facilities): boolean {
  if (a.named.size === 0 && b.named.size === 0) return false;
  if (a.named.size === 0) return nameUsedElsewhere(b, a);
  if (b.named.size === 0) return nameUsedElsewhere(a, b);
  for (const f of a.named) if (b.named.has(f)) return false;
  return true;
}

/** Whether two incidents look like one story: similar keywords and the same places (used before merging). */
function sameStoryAs(a: IncidentState, b: IncidentState, config: ClusterConfig): boolean {
  if (regionsFactor(a.regions, b.regions, config) < 1) return false;
  if (facilitiesDiffer(incidentFacilities(a), incidentFacilities(b))) return false;
  return cosine(a.keywords, b.keywords) >= config.joinThreshold;
}

/**
 * Keyword likeness of two incidents: the better of their aggregates' cosine and the best cosine between the keyword
 * sets of their latest posts (a late 通报 and an early eyewitness post share few top words with each other's aggregate).
 */
function incidentKeywordSimilarity(a: IncidentState, b: IncidentState): number {
  let best = cosine(a.keywords, b.keywords);
  for (const x of [a.keywords, ...a.recentKeywordSets]) {
    for (const y of [b.keywords, ...b.recentKeywordSets]) {
      best = Math.max(best, cosine(x, y));
    }
  }
  return best;
}

/**
 * Whether a post that joins both incidents shows them to be one story found split by arrival order: it matched
 * both without a place penalty, and the incidents themselves name the same places, share their category and are
 * somewhat alike. A vague province-level post resembling two accidents in different counties does not qualify.
 */
function bridged(a: Scored, b: Scored, config: ClusterConfig): boolean {
  if (a.match.regionFactor < 1 || b.match.regionFactor < 1) return false;
  const x = a.incident;
  const y = b.incident;
  if (x.category !== undefined && y.category !== undefined && x.category !== y.category) return false;
  if (regionsFactor(x.regions, y.regions, config) < 1) return false;
  if (facilitiesDiffer(incidentFacilities(x), incidentFacilities(y))) return false;
  return incidentKeywordSimilarity(x, y) >= config.bridgeThreshold;
}

interface Scored {
  incident: IncidentState;
  match: MatchInfo;
}

function inWindow(incident: IncidentState, t: number, config: ClusterConfig): boolean {
  return incident.status === "open" && t >= incident.onsetAt - config.windowMs && t <= incident.lastActivityAt + config.windowMs;
}

function byAge(a: IncidentState, b: IncidentState): number {
  return a.openedAt - b.openedAt || a.onsetAt - b.onsetAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Which of the incidents found to be one story survives a merge: the one consumers have known longest (reported
 * first), else the oldest. Consumers key their state by incident id (one alert per incident, with the officers'
 * acknowledgements and milestones), so a reported incident must never be absorbed into a candidate nobody has seen:
 * the story would reappear under a new id with a new alert. The survivor's earlier 首发 and title come from the merge.
 */
function bySurvival(a: IncidentState, b: IncidentState): number {
  const ra = a.reportedAt ?? Number.POSITIVE_INFINITY;
  const rb = b.reportedAt ?? Number.POSITIVE_INFINITY;
  return ra === rb ? byAge(a, b) : ra < rb ? -1 : 1;
}

/**
 * Whether a statement scoring below the ordinary join threshold may still join: the incident and the statement name
 * places, and the same ones. An incident naming no place is no evidence: a district's 通报 on a collapsed tunnel
 * shared its few template words (事故, 受伤) with a placeless background post on another accident, and bridged the two.
 */
function placesAgree(doc: DocFeatures, s: Scored, config: ClusterConfig): boolean {
  if (s.match.regionFactor < 1) return false;
  const ownPlaces = mostSpecificRegions(doc.regions).length > 0;
  return ownPlaces && mostSpecificRegions(s.incident.regions).length > 0 && regionsFactor(doc.regions, s.incident.regions, config) === 1;
}

/** The similarity a post needs to join an incident. */
export function joinThreshold(doc: DocFeatures, config: ClusterConfig): number {
  // An official statement shares fewer words with the story it answers (a 辟谣 restates the rumour briefly), so it
  // joins at a lower similarity, still only where the places agree.
  return statementOf(doc) ? config.joinThreshold * config.statementJoinFactor : config.joinThreshold;
}

/**
 * Whether {@link assign} could put the post into the incident, given an upper bound of their keyword similarity
 * (see `IncidentIndex.bounded`): a near-duplicate joins whatever its words, anything else needs the join threshold.
 * False means the incident can be left out of the candidates without changing the outcome.
 */
export function couldJoin(incident: IncidentState, doc: DocFeatures, keywordBound: number, config: ClusterConfig = DEFAULT_CLUSTER_CONFIG): boolean {
  // The margin absorbs rounding between the bound and the cosine computed in a different order.
  if (keywordBound >= joinThreshold(doc, config) - 1e-9) return true;
  return nearestDistance(incident, doc) <= config.nearDuplicateDistance;
}

/**
 * Online clustering step: puts one document into the best-matching open incident within the time window, or opens
 * a new incident whose id derives from the document id. `incidents` are the candidates (all open incidents, or
 * those an {@link IncidentIndex} returns — which includes any incident already holding the document). Pure: the
 * caller stores the result (and any `merged.absorbed` incidents). A document id already seen is a redelivery and
 * changes nothing (`changes: ["duplicate"]`).
 * @example
 * const r = assign(index.candidates(doc), doc, Date.now());
 * if (r.changes.includes("regraded")) publish(r.incident);
 */
export function assign(
  incidents: readonly IncidentState[],
  doc: DocFeatures,
  now: number,
  config: ClusterConfig = DEFAULT_CLUSTER_CONFIG,
  /**
   * `holders`: the ids of the only incidents that can hold the document (an index knows them): the others' recent
   * document ids (up to `maxDocIds` each) need not be searched.
   */
  options: { holders?: ReadonlySet<string> } = {},
): Assignment {
  validateDoc(doc);
  const open = incidents.filter((i) => i.status === "open");
  const { holders } = options;
  const dup = open.find((i) => (holders === undefined || holders.has(i.id)) && (i.openedBy === doc.id || i.recentDocIds.includes(doc.id)));
  if (dup) return { incident: dup, changes: ["duplicate"] };

  const threshold = joinThreshold(doc, config);
  const scored: Scored[] = open
    .filter((i) => inWindow(i, doc.publishedAt, config))
    .map((incident) => ({ incident, match: matchOf(incident, doc, config, threshold, false) }))
    .filter((s) => s.match.score >= threshold && (threshold >= config.joinThreshold || placesAgree(doc, s, config)))
    .sort((a, b) => b.match.score - a.match.score || byAge(a.incident, b.incident));

  const best = scored[0];
  if (best?.match.nearDuplicate) best.match = similarity(best.incident, doc, config, threshold);
  // A post about the past, statistics or plans is no incident's; a follow-up (trial, compensation, memorial) may
  // join the incident it follows but never opens one.
  if (!isCurrent(doc) && (!best || !isFollowup(doc))) return { incident: openIncident(doc, now, config), changes: ["ignored"] };
  if (!best) {
    const opened = absorbDoc(openIncident(doc, now, config), doc, now, config);
    const graded = regrade(opened.incident, now, doc.publishedAt, config);
    return { incident: graded.incident, changes: ["opened"] };
  }

  const changes: IncidentChange[] = [];
  let target = best.incident;
  let merged: Assignment["merged"];
  // A vague post ("湖南一煤矿透水") can score high with two different accidents; merge only incidents that are
  // themselves alike, in the same place — strongly matched ones, or ones the post bridges (see `bridged`).
  const strong = best.match.score >= config.mergeThreshold;
  const sameStory = scored
    .filter(
      (s) =>
        s === best ||
        (strong && s.match.score >= config.mergeThreshold && sameStoryAs(best.incident, s.incident, config)) ||
        bridged(best, s, config),
    )
    .map((s) => s.incident);
  if (sameStory.length >= 2) {
    const [survivor, ...absorbed] = [...sameStory].sort(bySurvival) as [IncidentState, ...IncidentState[]];
    target = mergeInto(survivor, absorbed, now, config);
    merged = {
      into: survivor.id,
      absorbed: absorbed.map((a) => ({ ...a, status: "merged", mergedInto: survivor.id, updatedAt: now, closedAt: now })),
    };
    changes.push("merged");
    // An absorbed incident's earlier 首发 becomes the survivor's: its consumers' deadlines move with it.
    if (target.onsetAt < survivor.onsetAt) changes.push("onset_moved");
  }

  const absorbedDoc = absorbDoc(target, doc, now, config);
  for (const c of absorbedDoc.changes) if (!changes.includes(c)) changes.push(c);
  const graded = regrade(absorbedDoc.incident, now, doc.publishedAt, config);
  if (graded.changed) changes.push("regraded");
  return { incident: graded.incident, changes, match: best.match, merged };
}

/** Replaces the assigned (and absorbed) incidents in a list, for callers that keep the open set as an array. */
export function applyAssignment(incidents: readonly IncidentState[], result: Assignment): IncidentState[] {
  const replaced = new Map<string, IncidentState>([[result.incident.id, result.incident]]);
  for (const a of result.merged?.absorbed ?? []) replaced.set(a.id, a);
  const out = incidents.map((i) => replaced.get(i.id) ?? i).filter((i) => i.status === "open");
  if (!incidents.some((i) => i.id === result.incident.id)) out.push(result.incident);
  return out;
}

/**
 * Incidents with no post for longer than the window at `watermark`, marked expired. The detector passes its
 * event-time watermark (the latest post time seen, never ahead of the wall clock), so a replay of an old stream
 * does not expire its incidents mid-way.
 */
export function expire(
  incidents: readonly IncidentState[],
  watermark: number,
  now: number,
  config: Pick<ClusterConfig, "windowMs"> = DEFAULT_CLUSTER_CONFIG,
): IncidentState[] {
  return incidents
    .filter((i) => i.status === "open" && watermark - i.lastActivityAt > config.windowMs)
    .map((i) => ({ ...i, status: "expired", updatedAt: now, closedAt: now }));
}
