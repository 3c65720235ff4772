import type { IncidentState } from "@liaowang/detect";

/** A candidate's state as stored in a delta (see {@link compactCandidate}). */
export type StoredCandidate = { readonly id: string };

/**
 * How a candidate's state is stored in its partition's log: the state as it is, except for parts that repeat another
 * part of the same state, which are stored as a reference to it. Nearly every candidate is one post (a new story): its
 * 首发 is also its one representative post, its recent keyword set is the head of its keywords (the same objects) and
 * its first timeline entry ends with the 首发's text, so a third of its ~3.3 KB was stored twice. Serialising those
 * bytes (`JSON.stringify` of each changed candidate was the largest cost of the detector around its engine), sending
 * them and Elasticsearch's parsing and storing them scale with the size. A part is replaced only when the reference
 * gives back exactly what was there, so {@link expandCandidate} of the stored JSON is the state's JSON; states stored
 * before (no references) are read as they are.
 *
 * References (keys starting with `$`, which no state field has):
 * - `firstPost: { $post: i }` — `posts[i]` without its `novelty` and `score`;
 * - a `recentKeywordSets` entry that is a number `n` — the first `n` of `keywords`;
 * - a timeline entry's `text: { $prefix, $post: "snippet" | "title" }` — the prefix followed by that field of the
 *   (expanded) `firstPost`.
 */
export function compactCandidate(state: IncidentState): StoredCandidate {
  const { firstPost, posts, keywords, recentKeywordSets, timeline } = state;
  let post = -1;
  for (let i = 0; i < posts.length; i++) {
    if (samePost(firstPost as unknown as Record<string, unknown>, posts[i] as unknown as Record<string, unknown>)) {
      post = i;
      break;
    }
  }
  let sets: (number | IncidentState["keywords"])[] | undefined;
  for (let s = 0; s < recentKeywordSets.length; s++) {
    const set = recentKeywordSets[s]!;
    if (set.length === 0 || set.length > keywords.length) continue;
    let same = true;
    // The same objects: their JSON is the same by construction.
    for (let j = 0; j < set.length && same; j++) same = set[j] === keywords[j];
    if (!same) continue;
    sets ??= recentKeywordSets.slice();
    sets[s] = set.length;
  }
  let lines: unknown[] | undefined;
  for (let t = 0; t < timeline.length; t++) {
    const entry = timeline[t]!;
    const field = endsWithPost(entry.text, firstPost);
    if (field === undefined) continue;
    lines ??= timeline.slice();
    lines[t] = { ...entry, text: { $prefix: entry.text.slice(0, entry.text.length - (firstPost[field] as string).length), $post: field } };
  }
  if (post < 0 && sets === undefined && lines === undefined) return state;
  return {
    ...state,
    ...(post < 0 ? {} : { firstPost: { $post: post } }),
    ...(sets === undefined ? {} : { recentKeywordSets: sets }),
    ...(lines === undefined ? {} : { timeline: lines }),
  };
}

/** A stored candidate's state as it was before {@link compactCandidate} (anything else is returned as it is). */
export function expandCandidate(stored: unknown): unknown {
  if (typeof stored !== "object" || stored === null) return stored;
  const s = stored as Record<string, unknown>;
  let out = s;
  const posts = s.posts;
  const ref = s.firstPost as { $post?: unknown } | undefined;
  if (typeof ref === "object" && ref !== null && typeof ref.$post === "number" && Array.isArray(posts)) {
    const target = posts[ref.$post] as Record<string, unknown> | undefined;
    if (target && typeof target === "object") {
      const { novelty: _novelty, score: _score, ...firstPost } = target;
      out = { ...out, firstPost };
    }
  }
  if (Array.isArray(s.recentKeywordSets) && Array.isArray(s.keywords) && s.recentKeywordSets.some((r) => typeof r === "number")) {
    const keywords = s.keywords;
    out = { ...out, recentKeywordSets: s.recentKeywordSets.map((r) => (typeof r === "number" ? keywords.slice(0, r) : r)) };
  }
  const firstPost = out.firstPost as Record<string, unknown> | undefined;
  if (Array.isArray(s.timeline) && firstPost && typeof firstPost === "object") {
    let lines: unknown[] | undefined;
    s.timeline.forEach((entry: unknown, t) => {
      const text = (entry as { text?: unknown } | null)?.text as { $prefix?: unknown; $post?: unknown } | undefined;
      if (typeof text !== "object" || text === null || typeof text.$prefix !== "string" || (text.$post !== "snippet" && text.$post !== "title")) return;
      const tail = firstPost[text.$post];
      if (typeof tail !== "string") return;
      lines ??= [...(s.timeline as unknown[])];
      lines[t] = { ...(entry as object), text: text.$prefix + tail };
    });
    if (lines) out = { ...out, timeline: lines };
  }
  return out;
}

const POST_ONLY = new Set(["novelty", "score"]);

/** Whether `post` (a representative post) without its novelty and score has exactly `first`'s JSON. */
function samePost(first: Record<string, unknown>, post: Record<string, unknown> | undefined): boolean {
  if (!post || first.id !== post.id) return false;
  for (const key in first) if (first[key] !== post[key]) return false;
  // A key only the post has (other than its own two) would be added to the 首发 by the expansion, unless undefined.
  for (const key in post) if (!(key in first) && !POST_ONLY.has(key) && post[key] !== undefined) return false;
  return true;
}

/** Which of the 首发's texts `text` ends with (a long one only: the reference must be worth its bytes). */
function endsWithPost(text: string, first: IncidentState["firstPost"]): "snippet" | "title" | undefined {
  if (first.snippet.length >= 16 && text.endsWith(first.snippet)) return "snippet";
  if (first.title !== undefined && first.title.length >= 16 && text.endsWith(first.title)) return "title";
  return undefined;
}

/**
 * What changed in a candidate since the state last made durable: the fields that are not the same value (by identity:
 * the engine makes a new state for every change and keeps what did not change), with lists that only lost some of
 * their oldest entries and gained new ones (the recent keyword sets, posts, ids and SimHashes, the timeline) as how many
 * entries to drop and the ones to add. A candidate that grew by a post was written again in full (~3.5 KB, of which
 * ~1.2 KB its recent keyword sets); its patch is ~2.2 KB. Undefined when there is no usable previous state.
 */
export interface StoredPatch {
  readonly id: string;
  /** The revision of the state it changes: replay applies it to exactly that state. */
  readonly from: number;
  /** Fields whose new value is stored whole. */
  set?: Record<string, unknown>;
  /** Lists stored as [entries dropped from the front, entries added at the end]. */
  append?: Record<string, [number, unknown[]]>;
  /** Fields the state no longer has. */
  unset?: string[];
}

/** The patch from the durable state `prev` to `next` (see {@link StoredPatch}); undefined when there is none to make. */
export function patchCandidate(prev: IncidentState, next: IncidentState): StoredPatch | undefined {
  // The same object (a state changed in place) or another incident: only a whole state is safe.
  if (prev === next || prev.id !== next.id) return undefined;
  const a = next as unknown as Record<string, unknown>;
  const b = prev as unknown as Record<string, unknown>;
  const patch: StoredPatch = { id: next.id, from: prev.revision };
  for (const key in a) {
    const value = a[key];
    const old = b[key];
    if (value === old) continue;
    if (value === undefined) {
      (patch.unset ??= []).push(key);
      continue;
    }
    if (Array.isArray(value) && Array.isArray(old)) {
      const drop = dropped(old, value);
      if (drop >= 0) {
        (patch.append ??= {})[key] = [drop, value.slice(old.length - drop)];
        continue;
      }
    }
    (patch.set ??= {})[key] = value;
  }
  for (const key in b) if (!(key in a) && b[key] !== undefined) (patch.unset ??= []).push(key);
  return patch;
}

/** `state` with `patch` applied (the stored JSON of both); throws when the patch does not fit the state. */
export function applyPatch(state: object, patch: StoredPatch): Record<string, unknown> {
  const base = state as Record<string, unknown>;
  const out: Record<string, unknown> = { ...base, ...patch.set };
  for (const [key, [drop, add]] of Object.entries(patch.append ?? {})) {
    const list = base[key];
    if (!Array.isArray(list) || !Array.isArray(add) || !Number.isInteger(drop) || drop < 0 || drop > list.length) {
      throw new Error(`candidate ${patch.id}: stored change of ${key} does not fit its previous state`);
    }
    out[key] = [...list.slice(drop), ...add];
  }
  for (const key of patch.unset ?? []) delete out[key];
  return out;
}

/**
 * The fewest oldest entries of `old` that, dropped, leave a list `next` starts with (the same objects), or -1 when
 * none do or nothing of `old` would be kept.
 */
function dropped(old: readonly unknown[], next: readonly unknown[]): number {
  for (let drop = Math.max(0, old.length - next.length); drop < old.length; drop++) {
    let same = true;
    for (let j = drop; j < old.length && same; j++) same = next[j - drop] === old[j];
    if (same) return drop;
  }
  return -1;
}
