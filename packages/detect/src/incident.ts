import { z } from "zod";
import { invalidInput } from "@liaowang/errors";
import { DEFAULT_GRADING, figureLowerBound, grade, gradingConfigSchema } from "./grading.js";
import type { FigureSummary, GradingConfig, MaxFigures } from "./grading.js";
import { fnv1a64Hex } from "./hash.js";
import { hamming, keywordCosine, mostSpecificRegions, regionRelation, topKeywords } from "./similarity.js";
import { addSource, emptySources, unionSources } from "./sources.js";
import type { SourceSet } from "./sources.js";
import { FIGURE_KINDS, levelRank } from "./types.js";
import type { DocFeatures, Figure, FigureKind, Keyword, Level, Region, TopicScore } from "./types.js";

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Tuning of online incident clustering. All bounds keep an incident's JSON small enough to store per update. */
export interface ClusterConfig {
  /** A document may join an incident whose event-time activity is within this window of it (ms). */
  windowMs: number;
  /** Minimum similarity score (0 … 1) for a document to join an incident. */
  joinThreshold: number;
  /** When a document scores at least this with several incidents, they are one story and are merged. */
  mergeThreshold: number;
  /** SimHash distance at or below which a post is a near-duplicate / repost (joins regardless of keywords). */
  nearDuplicateDistance: number;
  /** SimHash distance at which textual similarity stops counting (~32 is random). */
  simhashMaxDistance: number;
  /** Score factor when the document's places and the incident's are different places of the same province. */
  sameProvinceFactor: number;
  /** Score factor when they are in different provinces. */
  differentRegionFactor: number;
  /** How many of a document's top keywords are compared and aggregated. */
  docKeywordLimit: number;
  /** Aggregated keywords kept per incident. */
  maxKeywords: number;
  /** Half-life (event time) of aggregated keyword and topic weights. */
  keywordHalfLifeMs: number;
  maxTopics: number;
  maxRegions: number;
  maxPosts: number;
  maxTimeline: number;
  /** Recent SimHashes kept for near-duplicate matching. */
  maxSimhashes: number;
  /** Recent document ids kept to ignore redelivered documents. */
  maxDocIds: number;
  maxSourceList: number;
  sourceSketchSize: number;
  maxFigureSources: number;
  /** Length of representative post snippets (characters). */
  snippetLength: number;
  grading: GradingConfig;
}

/** Default clustering configuration (48 h window since last activity). */
export const DEFAULT_CLUSTER_CONFIG: ClusterConfig = {
  windowMs: 48 * HOUR,
  joinThreshold: 0.5,
  mergeThreshold: 0.8,
  nearDuplicateDistance: 3,
  simhashMaxDistance: 18,
  sameProvinceFactor: 0.8,
  differentRegionFactor: 0.5,
  docKeywordLimit: 20,
  maxKeywords: 40,
  keywordHalfLifeMs: 12 * HOUR,
  maxTopics: 5,
  maxRegions: 20,
  maxPosts: 5,
  maxTimeline: 50,
  maxSimhashes: 32,
  maxDocIds: 500,
  maxSourceList: 20,
  sourceSketchSize: 256,
  maxFigureSources: 20,
  snippetLength: 140,
  grading: DEFAULT_GRADING,
};

const positiveInt = z.number().int().positive();
const unit = z.number().min(0).max(1);

/** Schema of a clustering config file: every key optional, defaults from {@link DEFAULT_CLUSTER_CONFIG}. */
export const clusterConfigSchema = z
  .object({
    windowMs: positiveInt,
    joinThreshold: unit,
    mergeThreshold: z.number().min(0).max(1.01),
    nearDuplicateDistance: z.number().int().min(0).max(64),
    simhashMaxDistance: z.number().int().min(1).max(64),
    sameProvinceFactor: unit,
    differentRegionFactor: unit,
    docKeywordLimit: positiveInt,
    maxKeywords: positiveInt,
    keywordHalfLifeMs: positiveInt,
    maxTopics: positiveInt,
    maxRegions: positiveInt,
    maxPosts: positiveInt,
    maxTimeline: z.number().int().min(2),
    maxSimhashes: positiveInt,
    maxDocIds: positiveInt,
    maxSourceList: positiveInt,
    sourceSketchSize: z.number().int().min(16),
    maxFigureSources: positiveInt,
    snippetLength: positiveInt,
    grading: gradingConfigSchema,
  })
  .partial()
  .transform((c): ClusterConfig => ({ ...DEFAULT_CLUSTER_CONFIG, ...c }))
  .refine((c) => c.simhashMaxDistance > c.nearDuplicateDistance, {
    message: "simhashMaxDistance must exceed nearDuplicateDistance",
  });

/** A post kept on an incident (首发 or representative). */
export interface PostRef {
  id: string;
  source: string;
  url?: string | undefined;
  title?: string | undefined;
  snippet: string;
  publishedAt: number;
  simhash: string;
  engagement: number;
}

/** A representative post with the score that keeps it among the top N. */
export interface RepresentativePost extends PostRef {
  /** SimHash distance to the nearest other kept post when it was picked, /32 (0 = repost … 1 = new angle). */
  novelty: number;
  score: number;
}

/** Kinds of timeline entry. */
export type TimelineKind =
  | "first_post"
  | "earlier_post"
  | "figure"
  | "regraded"
  | "new_region"
  | "sources"
  | "volume"
  | "merged";

/** A notable moment of an incident (event time). */
export interface TimelineEvent {
  at: number;
  kind: TimelineKind;
  text: string;
  docId?: string | undefined;
  source?: string | undefined;
}

/** A region with how many documents of the incident named it. */
export interface RegionCount extends Region {
  count: number;
}

/** An automatic grade change. */
export interface GradeChange {
  at: number;
  from: Level;
  to: Level;
  reason: string;
}

/**
 * An incident's full state as plain JSON (no Map/Set/BigInt), so the detector can store it in Elasticsearch
 * and continue after a restart. Event times (publishedAt-derived) and processing times (`now`) are epoch ms.
 */
export interface IncidentState {
  v: 1;
  id: string;
  status: "open" | "expired" | "merged";
  /** Id of the document that opened the incident (the id is derived from it). */
  openedBy: string;
  /** Processing time the incident was opened / last changed / closed. */
  openedAt: number;
  updatedAt: number;
  closedAt?: number | undefined;
  /** Event time of the earliest post (首发); deadlines count from here. */
  onsetAt: number;
  firstPost: PostRef;
  /** Event time of the latest post. */
  lastActivityAt: number;
  volume: number;
  /** Documents per hour over the hour before `updatedAt` (see {@link velocity} for another instant). */
  velocity: number;
  /** Document counts per event-time minute, last hour only. */
  minuteCounts: { minute: number; count: number }[];
  timeline: TimelineEvent[];
  posts: RepresentativePost[];
  recentSimhashes: string[];
  recentDocIds: string[];
  /** Aggregated keywords; weights decayed to event time `keywordsAt`. */
  keywords: Keyword[];
  keywordsAt: number;
  topics: TopicScore[];
  categories: { category: string; count: number }[];
  /** Majority category of the documents, used for grading. */
  category?: string | undefined;
  regions: RegionCount[];
  sources: SourceSet;
  figures: MaxFigures;
  sentiment: { mean: number; n: number };
  engagement: { reposts: number; comments: number; likes: number };
  level: Level;
  gradeReason: string;
  gradeHistory: GradeChange[];
  mergedFrom: string[];
  mergedInto?: string | undefined;
}

/** What an assignment changed. */
export type IncidentChange =
  | "opened"
  | "grew"
  | "onset_moved"
  | "figures"
  | "regions"
  | "sources"
  | "regraded"
  | "merged"
  | "duplicate";

/** How the document matched (for logs and the incident detail page). */
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

/** Deterministic incident id from the id of the document that opened it (replays reproduce the same id). */
export function incidentIdFor(docId: string): string {
  return `inc-${fnv1a64Hex(docId)}`;
}

function engagementOf(doc: DocFeatures): number {
  const m = doc.metrics;
  if (!m) return 0;
  return (m.reposts ?? 0) * 2 + (m.comments ?? 0) + (m.likes ?? 0) * 0.5;
}

function postRef(doc: DocFeatures, config: ClusterConfig): PostRef {
  const snippet = [...doc.text].slice(0, config.snippetLength).join("");
  return {
    id: doc.id,
    source: doc.source,
    url: doc.url,
    title: doc.title,
    snippet,
    publishedAt: doc.publishedAt,
    simhash: doc.simhash,
    engagement: engagementOf(doc),
  };
}

function decay(ageMs: number, halfLife: number): number {
  return ageMs <= 0 ? 1 : 0.5 ** (ageMs / halfLife);
}

function normalizedDocKeywords(doc: DocFeatures, config: ClusterConfig): Keyword[] {
  const top = topKeywords(
    doc.keywords.filter((k) => k.weight > 0),
    config.docKeywordLimit,
  );
  const sum = top.reduce((s, k) => s + k.weight, 0);
  return sum > 0 ? top.map((k) => ({ word: k.word, weight: k.weight / sum })) : [];
}

/** Adds weighted items to a decayed aggregate: the aggregate is kept decayed to the latest event time. */
function addDecayed<T extends { weight: number }>(
  current: readonly T[],
  currentAt: number,
  added: readonly T[],
  addedAt: number,
  key: (x: T) => string,
  limit: number,
  halfLife: number,
): { items: T[]; at: number } {
  const at = Math.max(currentAt, addedAt);
  const factorCurrent = decay(at - currentAt, halfLife);
  const factorAdded = decay(at - addedAt, halfLife);
  const merged = new Map<string, T>();
  for (const x of current) merged.set(key(x), { ...x, weight: x.weight * factorCurrent });
  for (const x of added) {
    const k = key(x);
    const prev = merged.get(k);
    merged.set(k, { ...x, weight: (prev?.weight ?? 0) + x.weight * factorAdded });
  }
  const items = [...merged.values()]
    .sort((a, b) => b.weight - a.weight || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .slice(0, limit);
  return { items, at };
}

function addTopics(
  current: readonly TopicScore[],
  currentAt: number,
  added: readonly TopicScore[],
  addedAt: number,
  config: ClusterConfig,
): TopicScore[] {
  const { items } = addDecayed(
    current.map((t) => ({ word: t.id, weight: t.score })),
    currentAt,
    added.filter((t) => t.score > 0).map((t) => ({ word: t.id, weight: t.score })),
    addedAt,
    (x) => x.word,
    config.maxTopics,
    config.keywordHalfLifeMs,
  );
  return items.map((x) => ({ id: x.word, score: x.weight }));
}

function sortTimeline(events: TimelineEvent[], max: number): TimelineEvent[] {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  // The first post stays; the rest keeps the most recent moments.
  return sorted.length <= max ? sorted : [sorted[0] as TimelineEvent, ...sorted.slice(sorted.length - (max - 1))];
}

function pruneMinutes(counts: { minute: number; count: number }[], refMs: number): { minute: number; count: number }[] {
  const floor = Math.floor(refMs / MINUTE) - 60;
  return counts.filter((c) => c.minute > floor).sort((a, b) => a.minute - b.minute);
}

/** Documents per hour over the hour before `now`, by event time. */
export function velocity(incident: IncidentState, now: number): number {
  const nowMinute = Math.floor(now / MINUTE);
  let n = 0;
  for (const c of incident.minuteCounts) if (c.minute > nowMinute - 60 && c.minute <= nowMinute) n += c.count;
  return n;
}

function majorityCategory(categories: readonly { category: string; count: number }[]): string | undefined {
  let best: { category: string; count: number } | undefined;
  for (const c of categories) {
    if (!best || c.count > best.count || (c.count === best.count && c.category < best.category)) best = c;
  }
  return best?.category;
}

function pickPost(
  posts: readonly RepresentativePost[],
  candidate: PostRef,
  config: ClusterConfig,
): RepresentativePost[] {
  let nearest = 64;
  let nearestIdx = -1;
  posts.forEach((p, i) => {
    const d = hamming(p.simhash, candidate.simhash);
    if (d < nearest) {
      nearest = d;
      nearestIdx = i;
    }
  });
  const novelty = posts.length === 0 ? 1 : Math.min(1, nearest / 32);
  const score = (1 + Math.log10(1 + candidate.engagement)) * (0.25 + novelty);
  const rep: RepresentativePost = { ...candidate, novelty, score };
  if (nearestIdx >= 0 && nearest <= config.nearDuplicateDistance) {
    // A repost of a kept post replaces it only when it travelled further; keeps the list free of duplicates.
    const existing = posts[nearestIdx] as RepresentativePost;
    if (candidate.engagement <= existing.engagement) return [...posts];
    const replaced = { ...rep, novelty: existing.novelty, score: (1 + Math.log10(1 + candidate.engagement)) * (0.25 + existing.novelty) };
    return posts.map((p, i) => (i === nearestIdx ? replaced : p)).sort(byScore);
  }
  return [...posts, rep].sort(byScore).slice(0, config.maxPosts);
}

function byScore(a: RepresentativePost, b: RepresentativePost): number {
  return b.score - a.score || a.publishedAt - b.publishedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function docFigureMaxima(figures: readonly Figure[]): Map<FigureKind, Figure & { lb: number }> {
  const best = new Map<FigureKind, Figure & { lb: number }>();
  for (const f of figures) {
    const lb = figureLowerBound(f);
    if (lb <= 0) continue;
    const prev = best.get(f.kind);
    if (!prev || lb > prev.lb || (lb === prev.lb && prev.approx && !f.approx)) best.set(f.kind, { ...f, lb });
  }
  return best;
}

const VOLUME_MILESTONES = [10, 100, 1000, 10_000, 100_000];
const SOURCE_MILESTONES = [3, 10, 30, 100, 300, 1000];

function crossed(milestones: readonly number[], before: number, after: number): number | undefined {
  let hit: number | undefined;
  for (const m of milestones) if (before < m && after >= m) hit = m;
  return hit;
}

function regrade(inc: IncidentState, now: number, at: number, config: ClusterConfig): { inc: IncidentState; changed: boolean } {
  const g = grade({ category: inc.category, figures: inc.figures }, config.grading);
  if (g.level === inc.level) return { inc: { ...inc, gradeReason: g.reason }, changed: false };
  const direction = levelRank(g.level) > levelRank(inc.level) ? "upgraded" : "downgraded";
  return {
    inc: {
      ...inc,
      level: g.level,
      gradeReason: g.reason,
      gradeHistory: [...inc.gradeHistory, { at: now, from: inc.level, to: g.level, reason: g.reason }],
      timeline: sortTimeline(
        [...inc.timeline, { at, kind: "regraded", text: `${direction} ${inc.level ?? "ungraded"} → ${g.level ?? "ungraded"}: ${g.reason}` }],
        config.maxTimeline,
      ),
    },
    changed: true,
  };
}

function validateDoc(doc: DocFeatures): void {
  if (!doc.id) throw invalidInput("document without id cannot be clustered");
  if (!Number.isFinite(doc.publishedAt)) throw invalidInput(`document ${doc.id}: publishedAt is not a finite epoch ms`);
  if (!/^[0-9a-fA-F]{1,16}$/.test(doc.simhash)) throw invalidInput(`document ${doc.id}: simhash "${doc.simhash}" is not 64-bit hex`);
}

function openIncident(doc: DocFeatures, now: number, config: ClusterConfig): IncidentState {
  const first = postRef(doc, config);
  const empty: IncidentState = {
    v: 1,
    id: incidentIdFor(doc.id),
    status: "open",
    openedBy: doc.id,
    openedAt: now,
    updatedAt: now,
    onsetAt: doc.publishedAt,
    firstPost: first,
    lastActivityAt: doc.publishedAt,
    volume: 0,
    velocity: 0,
    minuteCounts: [],
    timeline: [
      {
        at: doc.publishedAt,
        kind: "first_post",
        text: `首发 ${doc.source}: ${doc.title ?? first.snippet}`,
        docId: doc.id,
        source: doc.source,
      },
    ],
    posts: [],
    recentSimhashes: [],
    recentDocIds: [],
    keywords: [],
    keywordsAt: doc.publishedAt,
    topics: [],
    categories: [],
    regions: [],
    sources: emptySources(),
    figures: {},
    sentiment: { mean: 0, n: 0 },
    engagement: { reposts: 0, comments: 0, likes: 0 },
    level: null,
    gradeReason: "",
    gradeHistory: [],
    mergedFrom: [],
  };
  return empty;
}

/** Folds one document into an incident (no matching; the caller decided it belongs). */
function absorbDoc(
  incident: IncidentState,
  doc: DocFeatures,
  now: number,
  config: ClusterConfig,
): { incident: IncidentState; changes: IncidentChange[] } {
  const changes: IncidentChange[] = [];
  const timeline: TimelineEvent[] = [...incident.timeline];
  const t = doc.publishedAt;
  const ref = postRef(doc, config);

  let onsetAt = incident.onsetAt;
  let firstPost = incident.firstPost;
  if (incident.volume > 0 && t < incident.onsetAt) {
    // A post published earlier than the known 首发 arrived late: it is the real first report and the onset.
    onsetAt = t;
    firstPost = ref;
    changes.push("onset_moved");
    timeline.push({ at: t, kind: "earlier_post", text: `earlier post by ${doc.source} becomes 首发 (onset moved back ${Math.round((incident.onsetAt - t) / MINUTE)} min)`, docId: doc.id, source: doc.source });
  }

  const kw = addDecayed(incident.keywords, incident.keywordsAt, normalizedDocKeywords(doc, config), t, (k) => k.word, config.maxKeywords, config.keywordHalfLifeMs);
  const topics = addTopics(incident.topics, incident.keywordsAt, doc.topics, t, config);

  const categories = [...incident.categories];
  if (doc.category) {
    const i = categories.findIndex((c) => c.category === doc.category);
    if (i >= 0) categories[i] = { category: doc.category, count: (categories[i]?.count ?? 0) + 1 };
    else categories.push({ category: doc.category, count: 1 });
  }

  const regions = [...incident.regions];
  for (const r of doc.regions) {
    const i = regions.findIndex((x) => x.code === r.code);
    if (i >= 0) regions[i] = { ...(regions[i] as RegionCount), count: (regions[i]?.count ?? 0) + 1 };
    else {
      regions.push({ code: r.code, name: r.name, level: r.level, province: r.province, count: 1 });
      if (incident.volume > 0) {
        changes.push("regions");
        timeline.push({ at: t, kind: "new_region", text: `new place reported: ${r.name}`, docId: doc.id, source: doc.source });
      }
    }
  }
  regions.sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
  if (regions.length > config.maxRegions) regions.length = config.maxRegions;

  const src = addSource(incident.sources, doc.source, config.maxSourceList, config.sourceSketchSize);
  if (src.isNew && incident.volume > 0) changes.push("sources");
  const sourceMilestone = crossed(SOURCE_MILESTONES, incident.sources.count, src.set.count);
  if (sourceMilestone !== undefined) {
    timeline.push({ at: t, kind: "sources", text: `${sourceMilestone} distinct sources`, docId: doc.id, source: doc.source });
  }

  const figures: MaxFigures = { ...incident.figures };
  for (const [kind, f] of docFigureMaxima(doc.figures)) {
    const cur = figures[kind];
    if (!cur || f.lb > cur.value) {
      figures[kind] = { kind, value: f.lb, approx: f.approx, text: f.text, sources: [doc.source], sourceCount: 1, firstReportedAt: t };
      if (!changes.includes("figures")) changes.push("figures");
      timeline.push({ at: t, kind: "figure", text: `${doc.source}: ${f.text}`, docId: doc.id, source: doc.source });
    } else if (f.lb === cur.value) {
      const known = cur.sources.includes(doc.source);
      const next: FigureSummary = {
        ...cur,
        approx: cur.approx && f.approx,
        text: cur.approx && !f.approx ? f.text : cur.text,
        firstReportedAt: Math.min(cur.firstReportedAt, t),
        sources: known || cur.sources.length >= config.maxFigureSources ? cur.sources : [...cur.sources, doc.source],
        // Past the bounded list a repeat source may be counted again; the count is then an upper estimate.
        sourceCount: known ? cur.sourceCount : cur.sourceCount + 1,
      };
      figures[kind] = next;
      if (!known && !changes.includes("figures")) changes.push("figures");
    }
  }

  const volume = incident.volume + 1;
  const volumeMilestone = crossed(VOLUME_MILESTONES, incident.volume, volume);
  if (volumeMilestone !== undefined) timeline.push({ at: t, kind: "volume", text: `${volumeMilestone} posts` });

  const minute = Math.floor(t / MINUTE);
  const minuteCounts = [...incident.minuteCounts];
  const mi = minuteCounts.findIndex((c) => c.minute === minute);
  if (mi >= 0) minuteCounts[mi] = { minute, count: (minuteCounts[mi]?.count ?? 0) + 1 };
  else minuteCounts.push({ minute, count: 1 });
  const lastActivityAt = Math.max(incident.lastActivityAt, t);
  const pruned = pruneMinutes(minuteCounts, Math.max(now, lastActivityAt));

  const m = doc.metrics;
  const n = incident.sentiment.n + 1;
  let next: IncidentState = {
    ...incident,
    updatedAt: now,
    onsetAt,
    firstPost,
    lastActivityAt,
    volume,
    minuteCounts: pruned,
    timeline: sortTimeline(timeline, config.maxTimeline),
    posts: pickPost(incident.posts, ref, config),
    recentSimhashes: [...incident.recentSimhashes, doc.simhash].slice(-config.maxSimhashes),
    recentDocIds: [...incident.recentDocIds, doc.id].slice(-config.maxDocIds),
    keywords: kw.items,
    keywordsAt: kw.at,
    topics,
    categories,
    category: majorityCategory(categories),
    regions,
    sources: src.set,
    figures,
    sentiment: { mean: incident.sentiment.mean + (doc.sentiment - incident.sentiment.mean) / n, n },
    engagement: {
      reposts: incident.engagement.reposts + (m?.reposts ?? 0),
      comments: incident.engagement.comments + (m?.comments ?? 0),
      likes: incident.engagement.likes + (m?.likes ?? 0),
    },
  };
  next = { ...next, velocity: velocity(next, now) };
  if (incident.volume > 0) changes.unshift("grew");
  return { incident: next, changes };
}

function nearestDistance(incident: IncidentState, simhash: string): number {
  let best = hamming(incident.firstPost.simhash, simhash);
  for (const s of incident.recentSimhashes) best = Math.min(best, hamming(s, simhash));
  for (const p of incident.posts) best = Math.min(best, hamming(p.simhash, simhash));
  return best;
}

function regionFactor(doc: DocFeatures, incident: IncidentState, config: ClusterConfig): number {
  const docRegions = mostSpecificRegions(doc.regions);
  if (docRegions.length === 0 || incident.regions.length === 0) return 1;
  let best = config.differentRegionFactor;
  for (const a of docRegions) {
    for (const b of incident.regions) {
      const rel = regionRelation(a, b);
      if (rel === "same") return 1;
      if (rel === "same_province") best = Math.max(best, config.sameProvinceFactor);
    }
  }
  return best;
}

/**
 * Similarity of a document to an incident (0 … 1): a near-duplicate SimHash scores 1; otherwise the larger of
 * SimHash closeness and keyword cosine, lowered when the places named differ.
 */
export function similarity(incident: IncidentState, doc: DocFeatures, config: ClusterConfig = DEFAULT_CLUSTER_CONFIG): MatchInfo {
  const d = nearestDistance(incident, doc.simhash);
  const keywordSimilarity = keywordCosine(normalizedDocKeywords(doc, config), incident.keywords);
  if (d <= config.nearDuplicateDistance) {
    // Reposts carry the same text and hence the same places; no region check needed.
    return { score: 1, hamming: d, keywordSimilarity, regionFactor: 1, nearDuplicate: true };
  }
  const span = config.simhashMaxDistance - config.nearDuplicateDistance;
  const simScore = Math.max(0, Math.min(1, (config.simhashMaxDistance - d) / span));
  const rf = regionFactor(doc, incident, config);
  return { score: Math.max(simScore, keywordSimilarity) * rf, hamming: d, keywordSimilarity, regionFactor: rf, nearDuplicate: false };
}

function inWindow(incident: IncidentState, t: number, config: ClusterConfig): boolean {
  return incident.status === "open" && t >= incident.onsetAt - config.windowMs && t <= incident.lastActivityAt + config.windowMs;
}

/** Merges `others` into `survivor` (same story found to be split); the document that revealed it is absorbed separately. */
function mergeInto(survivor: IncidentState, others: readonly IncidentState[], now: number, config: ClusterConfig): IncidentState {
  let inc = survivor;
  for (const o of others) {
    const earlier = o.onsetAt < inc.onsetAt;
    const kw = addDecayed(inc.keywords, inc.keywordsAt, o.keywords, o.keywordsAt, (k) => k.word, config.maxKeywords, config.keywordHalfLifeMs);
    const topics = addTopics(inc.topics, inc.keywordsAt, o.topics, o.keywordsAt, config);
    const categories = [...inc.categories];
    for (const c of o.categories) {
      const i = categories.findIndex((x) => x.category === c.category);
      if (i >= 0) categories[i] = { category: c.category, count: (categories[i]?.count ?? 0) + c.count };
      else categories.push(c);
    }
    const regions = [...inc.regions];
    for (const r of o.regions) {
      const i = regions.findIndex((x) => x.code === r.code);
      if (i >= 0) regions[i] = { ...(regions[i] as RegionCount), count: (regions[i]?.count ?? 0) + r.count };
      else regions.push(r);
    }
    regions.sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
    const figures: MaxFigures = { ...inc.figures };
    for (const kind of FIGURE_KINDS) {
      const a = figures[kind];
      const b = o.figures[kind];
      if (!b) continue;
      if (!a || b.value > a.value) figures[kind] = b;
      else if (b.value === a.value) {
        const extra = b.sources.filter((s) => !a.sources.includes(s));
        figures[kind] = {
          ...a,
          sources: [...a.sources, ...extra].slice(0, config.maxFigureSources),
          sourceCount: a.sourceCount + extra.length + Math.max(0, b.sourceCount - b.sources.length),
          firstReportedAt: Math.min(a.firstReportedAt, b.firstReportedAt),
        };
      }
    }
    const minutes = new Map<number, number>();
    for (const c of [...inc.minuteCounts, ...o.minuteCounts]) minutes.set(c.minute, (minutes.get(c.minute) ?? 0) + c.count);
    let posts = inc.posts;
    for (const p of o.posts) posts = pickPost(posts, p, config);
    const n = inc.sentiment.n + o.sentiment.n;
    const lastActivityAt = Math.max(inc.lastActivityAt, o.lastActivityAt);
    inc = {
      ...inc,
      updatedAt: now,
      onsetAt: Math.min(inc.onsetAt, o.onsetAt),
      firstPost: earlier ? o.firstPost : inc.firstPost,
      lastActivityAt,
      volume: inc.volume + o.volume,
      minuteCounts: pruneMinutes([...minutes].map(([minute, count]) => ({ minute, count })), Math.max(now, lastActivityAt)),
      timeline: sortTimeline(
        [...inc.timeline, ...o.timeline, { at: lastActivityAt, kind: "merged", text: `merged incident ${o.id} (${o.volume} posts, 首发 ${o.firstPost.source})` }],
        config.maxTimeline,
      ),
      posts,
      recentSimhashes: [...inc.recentSimhashes, ...o.recentSimhashes].slice(-config.maxSimhashes),
      recentDocIds: [...inc.recentDocIds, ...o.recentDocIds].slice(-config.maxDocIds),
      keywords: kw.items,
      keywordsAt: kw.at,
      topics,
      categories,
      category: majorityCategory(categories),
      regions: regions.slice(0, config.maxRegions),
      sources: unionSources(inc.sources, o.sources, config.maxSourceList, config.sourceSketchSize),
      figures,
      sentiment: { mean: n > 0 ? (inc.sentiment.mean * inc.sentiment.n + o.sentiment.mean * o.sentiment.n) / n : 0, n },
      engagement: {
        reposts: inc.engagement.reposts + o.engagement.reposts,
        comments: inc.engagement.comments + o.engagement.comments,
        likes: inc.engagement.likes + o.engagement.likes,
      },
      mergedFrom: [...inc.mergedFrom, o.id],
    };
  }
  return { ...inc, velocity: velocity(inc, now) };
}

function byAge(a: IncidentState, b: IncidentState): number {
  return a.openedAt - b.openedAt || a.onsetAt - b.onsetAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Online clustering step: puts one document into the best-matching open incident within the time window, or opens
 * a new incident whose id derives from the document id. Pure: returns the updated incident; the caller stores it
 * (and any `merged.absorbed` incidents) in place of the old versions. A document id already seen recently is a
 * redelivery and changes nothing (`changes: ["duplicate"]`).
 * @example
 * const r = assign(openIncidents, doc, Date.parse("2024-07-01T08:00:00Z"));
 * if (r.changes.includes("regraded")) publish(r.incident);
 */
export function assign(
  incidents: readonly IncidentState[],
  doc: DocFeatures,
  now: number,
  config: ClusterConfig = DEFAULT_CLUSTER_CONFIG,
): Assignment {
  validateDoc(doc);
  const open = incidents.filter((i) => i.status === "open");
  const dup = open.find((i) => i.recentDocIds.includes(doc.id) || i.openedBy === doc.id);
  if (dup) return { incident: dup, changes: ["duplicate"] };

  const scored = open
    .filter((i) => inWindow(i, doc.publishedAt, config))
    .map((incident) => ({ incident, match: similarity(incident, doc, config) }))
    .filter((s) => s.match.score >= config.joinThreshold)
    .sort((a, b) => b.match.score - a.match.score || byAge(a.incident, b.incident));

  const best = scored[0];
  if (!best) {
    const opened = absorbDoc(openIncident(doc, now, config), doc, now, config);
    const graded = regrade(opened.incident, now, doc.publishedAt, config);
    return { incident: graded.inc, changes: ["opened"] };
  }

  const changes: IncidentChange[] = [];
  let target = best.incident;
  let merged: Assignment["merged"];
  const sameStory = scored.filter((s) => s.match.score >= config.mergeThreshold).map((s) => s.incident);
  if (sameStory.length >= 2 && best.match.score >= config.mergeThreshold) {
    const [survivor, ...absorbed] = [...sameStory].sort(byAge) as [IncidentState, ...IncidentState[]];
    target = mergeInto(survivor, absorbed, now, config);
    merged = {
      into: survivor.id,
      absorbed: absorbed.map((a) => ({ ...a, status: "merged", mergedInto: survivor.id, updatedAt: now, closedAt: now })),
    };
    changes.push("merged");
  }

  const absorbedDoc = absorbDoc(target, doc, now, config);
  for (const c of absorbedDoc.changes) if (!changes.includes(c)) changes.push(c);
  const graded = regrade(absorbedDoc.incident, now, doc.publishedAt, config);
  if (graded.changed) changes.push("regraded");
  return { incident: graded.inc, changes, match: best.match, merged };
}

/** Replaces the assigned (and absorbed) incidents in a list, for callers that keep the open set in memory. */
export function applyAssignment(incidents: readonly IncidentState[], result: Assignment): IncidentState[] {
  const replaced = new Map<string, IncidentState>([[result.incident.id, result.incident]]);
  for (const a of result.merged?.absorbed ?? []) replaced.set(a.id, a);
  const out = incidents.map((i) => replaced.get(i.id) ?? i).filter((i) => i.status === "open");
  if (!incidents.some((i) => i.id === result.incident.id)) out.push(result.incident);
  return out;
}

/**
 * Closes incidents with no post (event time) for longer than the window. The detector passes wall-clock `now`
 * live, or its event-time watermark during a replay so historical incidents are not closed mid-replay.
 */
export function expire(
  incidents: readonly IncidentState[],
  now: number,
  config: Pick<ClusterConfig, "windowMs"> = DEFAULT_CLUSTER_CONFIG,
): { open: IncidentState[]; expired: IncidentState[] } {
  const open: IncidentState[] = [];
  const expired: IncidentState[] = [];
  for (const i of incidents) {
    if (i.status !== "open") continue;
    if (now - i.lastActivityAt > config.windowMs) expired.push({ ...i, status: "expired", updatedAt: now, closedAt: now });
    else open.push(i);
  }
  return { open, expired };
}

/** Most-named places of an incident (count ≥ `share` of the top one), most specific first: the routing input. */
export function primaryRegions(incident: IncidentState, share = 0.3): Region[] {
  const top = incident.regions[0]?.count ?? 0;
  const main = incident.regions.filter((r) => r.count >= top * share);
  return mostSpecificRegions(main).map(({ code, name, level, province }) => ({ code, name, level, province }));
}
