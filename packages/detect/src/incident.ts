import { invalidInput } from "@liaowang/errors";
import type { ClusterConfig } from "./cluster-config.js";
import { figureLowerBound, grade } from "./grading.js";
import type { FigureSummary, MaxFigures } from "./grading.js";
import { fnv1a64Hex } from "./hash.js";
import type {
  GradeChange,
  IncidentBurst,
  IncidentState,
  StatementRecord,
  PostRef,
  RegionCount,
  RepresentativePost,
  TimelineEvent,
  WatchHit,
} from "./incident-state.js";
import { codeDepth, hamming, mostSpecificRegions, topKeywords } from "./similarity.js";
import { addSource, emptySources, unionSources } from "./sources.js";
import { addToTally, emptyTally, scopeValue } from "./scope.js";
import { statementOf } from "./statements.js";
import type { Statement } from "./statements.js";
import { FIGURE_KINDS, levelRank } from "./types.js";
import type { DocFeatures, Figure, FigureKind, Keyword, Region, TopicScore } from "./types.js";
import type { WatchMatch } from "./watch.js";

const MINUTE = 60_000;

/** What a change to an incident was (mirrors the incident message's `changes`). */
export type IncidentChange =
  | "opened"
  | "grew"
  | "onset_moved"
  | "onset_corrected"
  | "figures"
  | "regions"
  | "sources"
  | "regraded"
  | "merged"
  | "watch"
  | "burst"
  | "expired"
  /** The duty-board decision changed (scope, or raised now). */
  | "scope"
  | "duplicate"
  /** Internal: a post that may not open an incident (past, statistics, plan, follow-up) and matched none. */
  | "ignored";

/**
 * Deterministic incident id from the id of the document that opened it (replays reproduce the same id).
 * @example incidentIdFor("3f2a…") // "inc-1b0c9d4e5f60718a"
 */
export function incidentIdFor(docId: string): string {
  return `inc-${fnv1a64Hex(docId)}`;
}

function engagementOf(doc: DocFeatures): number {
  const m = doc.metrics;
  if (!m) return 0;
  return (m.reposts ?? 0) * 2 + (m.comments ?? 0) + (m.likes ?? 0) * 0.5;
}

// A post's snippet is kept as its 首发 and among the representative posts: one string for both, made once.
const snippets = new WeakMap<DocFeatures, { length: number; snippet: string }>();

function snippetOf(doc: DocFeatures, length: number): string {
  const held = snippets.get(doc);
  if (held && held.length === length) return held.snippet;
  const snippet = [...doc.text].slice(0, length).join("");
  snippets.set(doc, { length, snippet });
  return snippet;
}

function postRef(doc: DocFeatures, config: ClusterConfig): PostRef {
  const snippet = snippetOf(doc, config.snippetLength);
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

/** A document's top keywords with weights summing to 1, so long articles do not dominate an incident's aggregate. */
export function normalizedDocKeywords(doc: Pick<DocFeatures, "keywords">, limit: number): Keyword[] {
  const top = topKeywords(
    doc.keywords.filter((k) => k.weight > 0),
    limit,
  );
  const sum = top.reduce((s, k) => s + k.weight, 0);
  return sum > 0 ? top.map((k) => ({ word: internWord(k.word), weight: k.weight / sum })) : [];
}

// One string per word for the keyword lists open incidents hold (each post's message brings its own copy of "发生"):
// bounded, forgetting them all when full (then copies are shared again from the next posts on).
let words = new Map<string, string>();
const MAX_INTERNED = 1 << 16;

function internWord(word: string): string {
  const held = words.get(word);
  if (held !== undefined) return held;
  if (words.size >= MAX_INTERNED) words = new Map();
  words.set(word, word);
  return word;
}

const docLists = new WeakMap<object, { limit: number; keywords: Keyword[] }>();
/**
 * {@link normalizedDocKeywords}, memoised per post object: candidate search, scoring and absorbing share them (and
 * their keyword vector, packed once per list, see `packedList`).
 */
export function docKeywords(doc: Pick<DocFeatures, "keywords">, config: Pick<ClusterConfig, "docKeywordLimit">): readonly Keyword[] {
  const cached = docLists.get(doc);
  if (cached && cached.limit === config.docKeywordLimit) return cached.keywords;
  const keywords = normalizedDocKeywords(doc, config.docKeywordLimit);
  docLists.set(doc, { limit: config.docKeywordLimit, keywords });
  return keywords;
}

/** Adds weighted items to a decayed aggregate: the aggregate is kept decayed to the latest event time. */
function addDecayed(
  current: readonly Keyword[],
  currentAt: number,
  added: readonly Keyword[],
  addedAt: number,
  key: (x: Keyword) => string,
  limit: number,
  halfLife: number,
): { items: Keyword[]; at: number } {
  const at = Math.max(currentAt, addedAt);
  const factorCurrent = decay(at - currentAt, halfLife);
  const factorAdded = decay(at - addedAt, halfLife);
  const merged = new Map<string, Keyword>();
  // Items are immutable: one whose weight stays as it was is kept rather than copied (a new incident's aggregate
  // then shares its keyword objects with its first post's recent keyword set). A copy is a literal of the two fields
  // (every item has just these): a spread made objects with room for four, 56 instead of 40 bytes each, held in
  // every open incident's aggregate.
  const weighted = (x: Keyword, weight: number): Keyword => (weight === x.weight ? x : { word: x.word, weight });
  for (const x of current) merged.set(key(x), weighted(x, x.weight * factorCurrent));
  for (const x of added) {
    const k = key(x);
    const prev = merged.get(k);
    merged.set(k, weighted(x, (prev?.weight ?? 0) + x.weight * factorAdded));
  }
  const items = [...merged.values()]
    .sort((a, b) => b.weight - a.weight || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .slice(0, limit);
  return { items, at };
}

/**
 * A new incident's first aggregate: the post's own keyword list when it is what {@link addDecayed} would make of it
 * (nothing held yet, no decay between them, within the limit and already in its order), so the list and the keyword
 * vector the candidate lookup packed for it are kept rather than sorted and packed again. Undefined otherwise.
 */
function firstKeywords(incident: IncidentState, keywords: readonly Keyword[], t: number, config: ClusterConfig): { items: Keyword[]; at: number } | undefined {
  if (incident.keywords.length > 0 || keywords.length > config.maxKeywords || t < incident.keywordsAt) return undefined;
  if (decay(Math.max(incident.keywordsAt, t) - t, config.keywordHalfLifeMs) !== 1) return undefined;
  for (let i = 0; i < keywords.length; i++) {
    const k = keywords[i] as Keyword;
    // addDecayed keeps an item as it is when its weight stays (0 + w is w for w > 0) and orders by weight, then word.
    if (!(k.weight > 0)) return undefined;
    const next = keywords[i + 1];
    if (next !== undefined && !(k.weight > next.weight || (k.weight === next.weight && k.word < next.word))) return undefined;
  }
  return { items: keywords as Keyword[], at: Math.max(incident.keywordsAt, t) };
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

function sortTimeline(events: readonly TimelineEvent[], max: number): TimelineEvent[] {
  // slice, not spread: an exact copy (a spread or filtered array keeps room to grow, held by every open incident).
  const sorted = events.slice().sort((a, b) => a.at - b.at);
  // The first post stays; the rest keeps the most recent moments.
  return sorted.length <= max ? sorted : [sorted[0] as TimelineEvent, ...sorted.slice(sorted.length - (max - 1))];
}

function pruneMinutes(counts: readonly { minute: number; count: number }[], refMs: number): { minute: number; count: number }[] {
  const floor = Math.floor(refMs / MINUTE) - 60;
  return counts
    .filter((c) => c.minute > floor)
    .sort((a, b) => a.minute - b.minute)
    .slice();
}

/**
 * Posts per hour in the hour up to `at` (event time; default the latest post). Event time keeps the figure
 * meaningful when a stream is replayed long after it was published.
 */
export function velocity(incident: Pick<IncidentState, "minuteCounts" | "lastActivityAt">, at = incident.lastActivityAt): number {
  const refMinute = Math.floor(at / MINUTE);
  let n = 0;
  for (const c of incident.minuteCounts) if (c.minute > refMinute - 60 && c.minute <= refMinute) n += c.count;
  return n;
}

function majorityCategory(categories: readonly { category: string; count: number }[]): string | undefined {
  let best: { category: string; count: number } | undefined;
  for (const c of categories) {
    if (!best || c.count > best.count || (c.count === best.count && c.category < best.category)) best = c;
  }
  return best?.category;
}

function byScore(a: RepresentativePost, b: RepresentativePost): number {
  return b.score - a.score || a.publishedAt - b.publishedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function pickPost(posts: readonly RepresentativePost[], candidate: PostRef, config: ClusterConfig): RepresentativePost[] {
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
  const reach = 1 + Math.log10(1 + candidate.engagement);
  if (nearestIdx >= 0 && nearest <= config.nearDuplicateDistance) {
    // A repost of a kept post replaces it only when it travelled further; keeps the list free of duplicates.
    const existing = posts[nearestIdx] as RepresentativePost;
    if (candidate.engagement <= existing.engagement) return [...posts];
    const replaced = representative(candidate, existing.novelty, reach * (0.25 + existing.novelty));
    return posts.map((p, i) => (i === nearestIdx ? replaced : p)).sort(byScore);
  }
  return [...posts, representative(candidate, novelty, reach * (0.25 + novelty))].sort(byScore).slice(0, config.maxPosts);
}

/** A kept post: its fields in the object itself (a spread with two more fields puts them in a separate store). */
function representative(p: PostRef, novelty: number, score: number): RepresentativePost {
  return { id: p.id, source: p.source, url: p.url, title: p.title, snippet: p.snippet, publishedAt: p.publishedAt, simhash: p.simhash, engagement: p.engagement, novelty, score };
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

/** Re-grades from the incident's figures and category; records a grade change with its reason in the history. */
export function regrade(inc: IncidentState, now: number, at: number, config: ClusterConfig): { incident: IncidentState; changed: boolean } {
  const g = gradeInScope(inc, config);
  if (g.level === inc.level) return { incident: g.reason === inc.gradeReason ? inc : { ...inc, gradeReason: g.reason }, changed: false };
  const direction = levelRank(g.level) > levelRank(inc.level) ? "升级" : "降级";
  return {
    incident: {
      ...inc,
      level: g.level,
      gradeReason: g.reason,
      gradeHistory: [...inc.gradeHistory, { at: now, from: inc.level, to: g.level, reason: g.reason }],
      timeline: sortTimeline(
        [...inc.timeline, { at, kind: "regraded", text: `定级${direction}：${levelText(inc.level)} → ${levelText(g.level)}。${g.reason}` }],
        config.maxTimeline,
      ),
    },
    changed: true,
  };
}

function levelText(level: IncidentState["level"]): string {
  return level === null ? "未定级" : `${level}级`;
}

/**
 * The official grade, for incidents that may be this office's: an incident its posts place elsewhere in China or
 * abroad is another office's 突发事件 and gets no grade here (its figures stay on it, and the reason says so).
 */
function gradeInScope(inc: IncidentState, config: ClusterConfig): { level: IncidentState["level"]; reason: string } {
  const g = grade({ category: inc.category, figures: inc.figures }, config.grading);
  const scope = inc.scope === undefined ? "未知" : scopeValue(inc.scope);
  if (scope !== "外地" && scope !== "境外") return g;
  const what = scope === "境外" ? "境外事件" : "外地事件";
  const figures = FIGURE_KINDS.map((k) => inc.figures[k]).filter((f) => f !== undefined && f.value > 0);
  const told = figures.length > 0 ? `（据报${figures.map((f) => f?.text).join("，")}）` : "";
  return { level: null, reason: `${what}，不按本辖区突发事件定级${told}` };
}

/** Checks what clustering relies on; throws an `invalid_input` error naming the document. */
export function validateDoc(doc: DocFeatures): void {
  if (!doc.id) throw invalidInput("document without id cannot be clustered");
  if (!Number.isFinite(doc.publishedAt)) throw invalidInput(`document ${doc.id}: publishedAt is not a finite epoch ms`);
  if (!/^[0-9a-fA-F]{1,16}$/.test(doc.simhash)) throw invalidInput(`document ${doc.id}: simhash "${doc.simhash}" is not 64-bit hex`);
}

/** An incident opened by `doc`, before the document's content is folded in. */
export function openIncident(doc: DocFeatures, now: number, config: ClusterConfig): IncidentState {
  const first = postRef(doc, config);
  return {
    v: 1,
    id: incidentIdFor(doc.id),
    revision: 0,
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
      { at: doc.publishedAt, kind: "first_post", text: `首发 ${doc.source}：${doc.title ?? first.snippet}`, docId: doc.id, source: doc.source },
    ],
    posts: [],
    recentSimhashes: [],
    recentDocIds: [],
    recentKeywordSets: [],
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
    gradeHistory: none<GradeChange>(),
    watch: none<WatchHit>(),
    bursts: none<IncidentBurst>(),
    mergedFrom: none<string>(),
  };
}

/**
 * The empty list most new incidents keep for good (grade changes, watch hits, bursts, merges): one frozen array
 * shared by all instead of one each. Lists are never changed in place (every change makes a new one).
 */
const NONE: readonly never[] = Object.freeze([]);
function none<T>(): T[] {
  return NONE as unknown as T[];
}

function addRegions(regions: RegionCount[], added: readonly (Region & { count?: number })[], config: ClusterConfig): { regions: RegionCount[]; fresh: Region[] } {
  const out = [...regions];
  const fresh: Region[] = [];
  for (const r of added) {
    const n = r.count ?? 1;
    const i = out.findIndex((x) => x.code === r.code);
    if (i >= 0) out[i] = { ...(out[i] as RegionCount), count: (out[i]?.count ?? 0) + n };
    else {
      out.push({ code: r.code, name: r.name, level: r.level, province: r.province, count: n });
      fresh.push(r);
    }
  }
  // Most named first; among equals the most specific place (the county before the city and province it lies in).
  out.sort((a, b) => b.count - a.count || codeDepth(b.code) - codeDepth(a.code) || (a.code < b.code ? -1 : 1));
  return { regions: out.slice(0, config.maxRegions), fresh };
}

function addCategory(categories: readonly { category: string; count: number }[], category: string, n: number): { category: string; count: number }[] {
  const i = categories.findIndex((c) => c.category === category);
  if (i < 0) return categories.concat([{ category, count: n }]);
  const out = categories.slice();
  out[i] = { category, count: (out[i]?.count ?? 0) + n };
  return out;
}

/** Folds one document into an incident (no matching: the caller decided it belongs). */
export function absorbDoc(
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
    const minutes = Math.round((incident.onsetAt - t) / MINUTE);
    timeline.push({ at: t, kind: "earlier_post", text: `${doc.source}的更早报道成为首发（起始时间提前${minutes}分钟）`, docId: doc.id, source: doc.source });
  }

  const keywords = docKeywords(doc, config);
  const kw = firstKeywords(incident, keywords, t, config) ?? addDecayed(incident.keywords, incident.keywordsAt, keywords, t, (k) => k.word, config.maxKeywords, config.keywordHalfLifeMs);
  const topics = addTopics(incident.topics, incident.keywordsAt, doc.topics, t, config);
  const categories = doc.category ? addCategory(incident.categories, doc.category, 1) : incident.categories;

  const reg = addRegions(incident.regions, doc.regions, config);
  if (incident.volume > 0 && reg.fresh.length > 0) {
    changes.push("regions");
    for (const r of reg.fresh) timeline.push({ at: t, kind: "new_region", text: `新涉及地区：${r.name}`, docId: doc.id, source: doc.source });
  }

  const src = addSource(incident.sources, doc.source, config.maxSourceList, config.sourceSketchSize);
  if (src.isNew && incident.volume > 0) changes.push("sources");
  const sourceMilestone = crossed(SOURCE_MILESTONES, incident.sources.count, src.set.count);
  if (sourceMilestone !== undefined) {
    timeline.push({ at: t, kind: "sources", text: `已有${sourceMilestone}个来源报道`, docId: doc.id, source: doc.source });
  }

  const statement = statementOf(doc);
  // Copied only when a figure changes (most posts carry none): the state keeps the same object otherwise.
  let figures: MaxFigures = incident.figures;
  const own = (): MaxFigures => (figures === incident.figures ? (figures = { ...incident.figures }) : figures);
  for (const [kind, f] of docFigureMaxima(gradableFigures(doc, statement))) {
    const cur = figures[kind];
    if (!cur || f.lb > cur.value) {
      own()[kind] = { kind, value: f.lb, approx: f.approx, text: f.text, sources: [doc.source], sourceCount: 1, firstReportedAt: t };
      if (!changes.includes("figures")) changes.push("figures");
      timeline.push({ at: t, kind: "figure", text: `${doc.source}报道：${f.text}`, docId: doc.id, source: doc.source });
    } else if (f.lb === cur.value) {
      const known = cur.sources.includes(doc.source);
      own()[kind] = {
        ...cur,
        approx: cur.approx && f.approx,
        text: cur.approx && !f.approx ? f.text : cur.text,
        firstReportedAt: Math.min(cur.firstReportedAt, t),
        sources: known || cur.sources.length >= config.maxFigureSources ? cur.sources : [...cur.sources, doc.source],
        // Past the bounded list a repeat source may be counted again; the count is then an upper estimate.
        sourceCount: known ? cur.sourceCount : cur.sourceCount + 1,
      };
      if (!known && !changes.includes("figures")) changes.push("figures");
    }
  }

  const volume = incident.volume + 1;
  const volumeMilestone = crossed(VOLUME_MILESTONES, incident.volume, volume);
  if (volumeMilestone !== undefined) timeline.push({ at: t, kind: "volume", text: `相关信息达${volumeMilestone}条` });
  const official = recordStatement(incident, doc, statement, timeline, config);
  if (isFollowup(doc) && !statement && incident.volume > 0) {
    timeline.push({ at: t, kind: "followup", text: `后续报道（${doc.timeRef?.cue ?? "追踪"}）${doc.source}：${headline(doc)}`, docId: doc.id, source: doc.source });
  }

  const minute = Math.floor(t / MINUTE);
  const lastActivityAt = Math.max(incident.lastActivityAt, t);
  const minuteCounts = [...incident.minuteCounts];
  const mi = minuteCounts.findIndex((c) => c.minute === minute);
  if (mi >= 0) minuteCounts[mi] = { minute, count: (minuteCounts[mi]?.count ?? 0) + 1 };
  else minuteCounts.push({ minute, count: 1 });
  const pruned = pruneMinutes(minuteCounts, lastActivityAt);

  const m = doc.metrics;
  const n = incident.sentiment.n + 1;
  const recentSet = heldKeywordSet(incident.recentKeywordSets, keywords, config.recentKeywordLimit);
  const next: IncidentState = {
    ...incident,
    updatedAt: now,
    onsetAt,
    firstPost,
    lastActivityAt,
    volume,
    minuteCounts: pruned,
    velocity: velocity({ minuteCounts: pruned, lastActivityAt }),
    timeline: sortTimeline(timeline, config.maxTimeline),
    posts: pickPost(incident.posts, ref, config),
    recentSimhashes: appendBounded(incident.recentSimhashes, doc.simhash, config.maxSimhashes),
    recentDocIds: appendBounded(incident.recentDocIds, doc.id, config.maxDocIds),
    recentKeywordSets: recentSet.length > 0 ? appendBounded(incident.recentKeywordSets, recentSet, config.maxRecentKeywordSets) : incident.recentKeywordSets,
    keywords: kw.items,
    keywordsAt: kw.at,
    topics,
    categories,
    category: majorityCategory(categories),
    regions: reg.regions,
    sources: src.set,
    figures,
    ...official,
    ...(doc.scope === undefined ? {} : { scope: addToTally(incident.scope ?? emptyTally(), doc.scope) }),
    sentiment: { mean: incident.sentiment.mean + (doc.sentiment - incident.sentiment.mean) / n, n },
    engagement: {
      reposts: incident.engagement.reposts + (m?.reposts ?? 0),
      comments: incident.engagement.comments + (m?.comments ?? 0),
      likes: incident.engagement.likes + (m?.likes ?? 0),
    },
  };
  if (incident.volume > 0) changes.unshift("grew");
  return { incident: next, changes };
}

/**
 * The last `max` (≥ 1) of `list` followed by `item`, as `[...list, item].slice(-max)` gives them, in one exact-size
 * copy: a story's window of recent document ids (up to 500) was copied twice for every post it took in.
 */
/**
 * A post's recent keyword set (its first `limit` keywords): one of `held` when that has the same words and weights,
 * else a new list. Reposts of one text bring the same keywords again and again, and the bench's incidents held ~4
 * such sets of ~12 keyword objects each plus their packed vectors (~1 KB a set); a held set is shared instead, and
 * its packing with it. The contents are the same, so everything that reads them (clustering, the index, JSON) is too.
 */
function heldKeywordSet(held: readonly (readonly Keyword[])[], keywords: readonly Keyword[], limit: number): Keyword[] {
  const n = Math.min(limit, keywords.length);
  for (let s = held.length - 1; s >= 0; s--) {
    const set = held[s] as readonly Keyword[];
    if (set.length !== n) continue;
    let same = true;
    for (let j = 0; j < n && same; j++) {
      const a = set[j] as Keyword;
      const b = keywords[j] as Keyword;
      same = a === b || (a.word === b.word && a.weight === b.weight);
    }
    if (same) return set as Keyword[];
  }
  return keywords.slice(0, limit);
}

function appendBounded<T>(list: readonly T[], item: T, max: number): T[] {
  const start = list.length + 1 - max;
  return start > 0 ? list.slice(start).concat([item]) : list.concat([item]);
}

function headline(doc: DocFeatures): string {
  return doc.title?.trim() || [...doc.text].slice(0, 60).join("");
}

/** A follow-up story of an old incident (trial, compensation, punishment, memorial): joins, never grades. */
export function isFollowup(doc: Pick<DocFeatures, "timeRef">): boolean {
  return doc.timeRef?.kind === "followup";
}

/** True when a post speaks of the present (absent timeRef = current, as before issue 7). */
export function isCurrent(doc: Pick<DocFeatures, "timeRef">): boolean {
  return doc.timeRef === undefined || doc.timeRef.kind === "current";
}

/**
 * The figures of a post that may grade: none from a post about the past, statistics, plans or a follow-up, none
 * from a refutation (its numbers are the rumour's), and of the rest only those read as current.
 */
export function gradableFigures(doc: Pick<DocFeatures, "figures" | "timeRef">, statement: Statement | undefined): readonly Figure[] {
  if (!isCurrent(doc) || statement?.kind === "辟谣") return [];
  return doc.figures.filter((f) => f.time === undefined || f.time === "current");
}

const MAX_STATEMENTS = 10;

/** Records an official statement on the incident and its timeline; a 辟谣 marks it 已辟谣. */
function recordStatement(
  incident: IncidentState,
  doc: DocFeatures,
  statement: Statement | undefined,
  timeline: TimelineEvent[],
  config: ClusterConfig,
): Pick<IncidentState, "statements" | "refutedBy"> {
  if (!statement) return {};
  const record: StatementRecord = {
    kind: statement.kind,
    at: doc.publishedAt,
    source: doc.source,
    ...(doc.url === undefined ? {} : { url: doc.url }),
    title: [...headline(doc)].slice(0, config.snippetLength).join(""),
    docId: doc.id,
    authority: statement.authority,
  };
  const statements = [...(incident.statements ?? []), record].slice(-MAX_STATEMENTS);
  const who = statement.authority ? `${doc.source}（官方）` : doc.source;
  if (statement.kind === "辟谣") {
    timeline.push({ at: doc.publishedAt, kind: "refuted", text: `已辟谣：${who}发布「${record.title ?? ""}」${doc.url ? ` ${doc.url}` : ""}`, docId: doc.id, source: doc.source });
    const keep = incident.refutedBy && (incident.refutedBy.authority || !statement.authority) ? incident.refutedBy : record;
    return { statements, refutedBy: keep };
  }
  timeline.push({ at: doc.publishedAt, kind: "official", text: `${who}发布${statement.kind}：「${record.title ?? ""}」`, docId: doc.id, source: doc.source });
  return { statements };
}

function mergeFigures(a: MaxFigures, b: MaxFigures, config: ClusterConfig): MaxFigures {
  const figures: MaxFigures = { ...a };
  for (const kind of FIGURE_KINDS) {
    const x = figures[kind];
    const y = b[kind];
    if (!y) continue;
    if (!x || y.value > x.value) figures[kind] = y;
    else if (y.value === x.value) {
      const extra = y.sources.filter((s) => !x.sources.includes(s));
      const merged: FigureSummary = {
        ...x,
        sources: [...x.sources, ...extra].slice(0, config.maxFigureSources),
        sourceCount: x.sourceCount + extra.length + Math.max(0, y.sourceCount - y.sources.length),
        firstReportedAt: Math.min(x.firstReportedAt, y.firstReportedAt),
      };
      figures[kind] = merged;
    }
  }
  return figures;
}

/** Merges `others` into `survivor` (one story found split in two); the document that revealed it is absorbed after. */
export function mergeInto(survivor: IncidentState, others: readonly IncidentState[], now: number, config: ClusterConfig): IncidentState {
  let inc = survivor;
  for (const o of others) {
    const earlier = o.onsetAt < inc.onsetAt;
    const kw = addDecayed(inc.keywords, inc.keywordsAt, o.keywords, o.keywordsAt, (k) => k.word, config.maxKeywords, config.keywordHalfLifeMs);
    const topics = addTopics(inc.topics, inc.keywordsAt, o.topics, o.keywordsAt, config);
    let categories = inc.categories;
    for (const c of o.categories) categories = addCategory(categories, c.category, c.count);
    const minutes = new Map<number, number>();
    for (const c of [...inc.minuteCounts, ...o.minuteCounts]) minutes.set(c.minute, (minutes.get(c.minute) ?? 0) + c.count);
    let posts = inc.posts;
    for (const p of o.posts) posts = pickPost(posts, p, config);
    const n = inc.sentiment.n + o.sentiment.n;
    const lastActivityAt = Math.max(inc.lastActivityAt, o.lastActivityAt);
    const minuteCounts = pruneMinutes(
      [...minutes].map(([minute, count]) => ({ minute, count })),
      lastActivityAt,
    );
    const watch = [...inc.watch];
    for (const h of o.watch) {
      const i = watch.findIndex((x) => x.ruleId === h.ruleId);
      if (i < 0) watch.push(h);
      else {
        const x = watch[i] as WatchHit;
        watch[i] = {
          ...x,
          count: x.count + h.count,
          matched: [...new Set([...x.matched, ...h.matched])].slice(0, 20),
          firstMatchedAt: Math.min(x.firstMatchedAt, h.firstMatchedAt),
          lastMatchedAt: Math.max(x.lastMatchedAt, h.lastMatchedAt),
        };
      }
    }
    const bursts = [...inc.bursts, ...o.bursts.filter((b) => !inc.bursts.some((x) => x.id === b.id))];
    inc = {
      ...inc,
      updatedAt: now,
      onsetAt: Math.min(inc.onsetAt, o.onsetAt),
      onsetCorrection: inc.onsetCorrection ?? o.onsetCorrection,
      firstPost: earlier ? o.firstPost : inc.firstPost,
      lastActivityAt,
      volume: inc.volume + o.volume,
      minuteCounts,
      velocity: velocity({ minuteCounts, lastActivityAt }),
      timeline: sortTimeline(
        [...inc.timeline, ...o.timeline, { at: lastActivityAt, kind: "merged", text: `并入同一事件 ${o.id}（${o.volume}条，首发 ${o.firstPost.source}）` }],
        config.maxTimeline,
      ),
      posts,
      recentSimhashes: [...inc.recentSimhashes, ...o.recentSimhashes].slice(-config.maxSimhashes),
      recentDocIds: [...inc.recentDocIds, ...o.recentDocIds].slice(-config.maxDocIds),
      recentKeywordSets: [...inc.recentKeywordSets, ...o.recentKeywordSets].slice(-config.maxRecentKeywordSets),
      keywords: kw.items,
      keywordsAt: kw.at,
      topics,
      categories,
      category: majorityCategory(categories),
      regions: addRegions(inc.regions, o.regions, config).regions,
      sources: unionSources(inc.sources, o.sources, config.maxSourceList, config.sourceSketchSize),
      figures: mergeFigures(inc.figures, o.figures, config),
      sentiment: { mean: n > 0 ? (inc.sentiment.mean * inc.sentiment.n + o.sentiment.mean * o.sentiment.n) / n : 0, n },
      engagement: {
        reposts: inc.engagement.reposts + o.engagement.reposts,
        comments: inc.engagement.comments + o.engagement.comments,
        likes: inc.engagement.likes + o.engagement.likes,
      },
      watch: watch.slice(0, config.maxWatchHits),
      bursts: bursts.sort((a, b) => b.detectedAt - a.detectedAt).slice(0, config.maxBursts),
      mergedFrom: [...inc.mergedFrom, o.id],
      ...(inc.scope === undefined && o.scope === undefined ? {} : { scope: addToTally(inc.scope ?? emptyTally(), o.scope ?? emptyTally()) }),
      ...(inc.statements === undefined && o.statements === undefined
        ? {}
        : { statements: [...(inc.statements ?? []), ...(o.statements ?? [])].sort((a, b) => a.at - b.at).slice(-MAX_STATEMENTS) }),
      ...(inc.refutedBy === undefined && o.refutedBy === undefined ? {} : { refutedBy: inc.refutedBy?.authority || !o.refutedBy ? inc.refutedBy : o.refutedBy }),
    };
  }
  return inc;
}

/**
 * Records watch rule matches of one document of the incident (event time `at`). `changed` is true when a rule
 * matched the incident for the first time, which is what a duty officer needs to hear about.
 */
export function recordWatchMatches(
  incident: IncidentState,
  matches: readonly WatchMatch[],
  at: number,
  now: number,
  config: Pick<ClusterConfig, "maxWatchHits" | "maxTimeline">,
): { incident: IncidentState; changed: boolean } {
  if (matches.length === 0) return { incident, changed: false };
  const watch = [...incident.watch];
  const timeline = [...incident.timeline];
  let changed = false;
  for (const m of matches) {
    const i = watch.findIndex((h) => h.ruleId === m.ruleId);
    if (i >= 0) {
      const h = watch[i] as WatchHit;
      watch[i] = {
        ...h,
        count: h.count + 1,
        matched: [...new Set([...h.matched, ...m.matched])].slice(0, 20),
        firstMatchedAt: Math.min(h.firstMatchedAt, at),
        lastMatchedAt: Math.max(h.lastMatchedAt, at),
      };
    } else if (watch.length < config.maxWatchHits) {
      watch.push({ ruleId: m.ruleId, name: m.name, level: m.level, matched: m.matched.slice(0, 20), count: 1, firstMatchedAt: at, lastMatchedAt: at });
      timeline.push({ at, kind: "watch", text: `命中监测规则「${m.name}」（${m.matched.join("、")}）` });
      changed = true;
    }
  }
  return {
    incident: { ...incident, watch, timeline: sortTimeline(timeline, config.maxTimeline), updatedAt: changed ? now : incident.updatedAt },
    changed,
  };
}

/** The burst keys an incident is concerned by: its main topics, top keywords and named regions (and their parents). */
export function burstValuesOf(incident: IncidentState, keywordLimit = 10): { topics: string[]; keywords: string[]; regions: string[] } {
  const regions = new Set<string>();
  for (const r of incident.regions) {
    regions.add(r.code);
    if (/^\d{6}$/.test(r.code)) {
      regions.add(`${r.code.slice(0, 4)}00`);
      regions.add(`${r.code.slice(0, 2)}0000`);
    }
  }
  return {
    topics: incident.topics.slice(0, 3).map((t) => t.id),
    keywords: incident.keywords.slice(0, keywordLimit).map((k) => k.word),
    regions: [...regions],
  };
}

const BURST_KIND = { topic: "话题", keyword: "关键词", region: "地区" } as const;

/**
 * Attaches bursts that concern the incident (see {@link burstValuesOf}); a burst already attached is updated in
 * place (its count grows while its bucket is open) without counting as a change.
 */
export function attachBursts(
  incident: IncidentState,
  bursts: readonly IncidentBurst[],
  now: number,
  config: Pick<ClusterConfig, "maxBursts" | "maxTimeline">,
): { incident: IncidentState; changed: boolean } {
  const values = burstValuesOf(incident);
  const concerns = (b: IncidentBurst): boolean =>
    b.kind === "topic" ? values.topics.includes(b.value) : b.kind === "keyword" ? values.keywords.includes(b.value) : values.regions.includes(b.value);
  const relevant = bursts.filter(concerns);
  if (relevant.length === 0) return { incident, changed: false };
  const list = [...incident.bursts];
  const timeline = [...incident.timeline];
  let changed = false;
  for (const b of relevant) {
    const i = list.findIndex((x) => x.id === b.id);
    if (i >= 0) list[i] = { ...b, detectedAt: (list[i] as IncidentBurst).detectedAt };
    else {
      list.push(b);
      changed = true;
      timeline.push({ at: b.bucketStart, kind: "burst", text: `${BURST_KIND[b.kind]}「${b.value}」突增：${b.count}条，为基线${b.baselineMean.toFixed(1)}条的${b.ratio.toFixed(1)}倍` });
    }
  }
  list.sort((a, b) => b.detectedAt - a.detectedAt || b.ratio - a.ratio);
  return {
    incident: {
      ...incident,
      bursts: list.slice(0, config.maxBursts),
      timeline: sortTimeline(timeline, config.maxTimeline),
      updatedAt: changed ? now : incident.updatedAt,
    },
    changed,
  };
}

/**
 * An officer's correction of the onset (deadlines then count from `at`). Later posts never override it.
 * @example correctOnset(incident, { at: Date.parse("2024-07-01T06:00:00+08:00"), reason: "现场群众 05:50 已发帖", by: "duty-officer-1" }, Date.now())
 */
export function correctOnset(
  incident: IncidentState,
  correction: { at: number; reason: string; by: string },
  now: number,
  config: Pick<ClusterConfig, "maxTimeline">,
): IncidentState {
  if (!Number.isFinite(correction.at)) throw invalidInput(`onset correction of ${incident.id}: time is not a finite epoch ms`);
  if (!correction.reason.trim()) throw invalidInput(`onset correction of ${incident.id}: a reason is required`);
  if (!correction.by.trim()) throw invalidInput(`onset correction of ${incident.id}: who corrected it is required`);
  const previousAt = incident.onsetCorrection?.at ?? incident.onsetAt;
  return {
    ...incident,
    updatedAt: now,
    onsetCorrection: { at: correction.at, previousAt, reason: correction.reason, by: correction.by, correctedAt: now },
    timeline: sortTimeline(
      [...incident.timeline, { at: now, kind: "onset_corrected", text: `${correction.by}更正起始时间：${new Date(previousAt).toISOString()} → ${new Date(correction.at).toISOString()}（${correction.reason}）` }],
      config.maxTimeline,
    ),
  };
}

/** Most-named places of an incident (count ≥ `share` of the top one), most specific first: the routing input. */
export function primaryRegions(incident: IncidentState, share = 0.3): Region[] {
  const top = incident.regions[0]?.count ?? 0;
  const main = incident.regions.filter((r) => r.count >= top * share);
  return mostSpecificRegions(main).map(({ code, name, level, province }) => ({ code, name, level, province }));
}
