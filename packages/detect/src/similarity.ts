import { invalidInput } from "@liaowang/errors";
import type { Keyword, Region } from "./types.js";

function popcount32(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Value of one hex digit's char code, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * The high and low 32 bits of a SimHash given as 1–16 hex digits, written into `out` at `at`. Parsed by hand (no
 * substrings, no cache): clustering compares each post with dozens of stored hashes.
 */
export function simhashHalves(hex: string, out: Uint32Array = new Uint32Array(2), at = 0): Uint32Array {
  const n = hex.length;
  if (n < 1 || n > 16) throw invalidInput(`simhash "${hex}" is not a 64-bit hex string`);
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < n; i++) {
    const d = hexDigit(hex.charCodeAt(i));
    if (d < 0) throw invalidInput(`simhash "${hex}" is not a 64-bit hex string`);
    // Shift the 64-bit value left by 4: the top nibble of `lo` moves into `hi`.
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | d) >>> 0;
  }
  out[at] = hi;
  out[at + 1] = lo;
  return out;
}

/** Hamming distance between two SimHashes as (high, low) 32-bit halves. */
export function hammingHalves(ah: number, al: number, bh: number, bl: number): number {
  return popcount32(ah ^ bh) + popcount32(al ^ bl);
}

const scratchA = new Uint32Array(2);
const scratchB = new Uint32Array(2);

/**
 * Hamming distance between two 64-bit SimHashes given as hex (0 = identical text, ~32 = unrelated).
 * @example hamming("ffff0000ffff0000", "ffff0000ffff0001") // 1
 */
export function hamming(a: string, b: string): number {
  simhashHalves(a, scratchA);
  simhashHalves(b, scratchB);
  return hammingHalves(scratchA[0] ?? 0, scratchA[1] ?? 0, scratchB[0] ?? 0, scratchB[1] ?? 0);
}

/** A sparse feature vector (feature → weight) with its Euclidean norm. */
export interface FeatureVector {
  weights: Map<string, number>;
  norm: number;
}

/**
 * Keyword vector for matching: each keyword also spreads its weight over its character bigrams, so variants of one
 * name match ("江华县" / "江华" / "江华瑶族自治县", "透水事故" / "透水") where exact words would not.
 */
export function keywordVector(keywords: readonly Keyword[]): FeatureVector {
  const weights = new Map<string, number>();
  const add = (f: string, w: number): void => {
    weights.set(f, (weights.get(f) ?? 0) + w);
  };
  for (const k of keywords) {
    if (!(k.weight > 0)) continue;
    const chars = [...k.word];
    if (chars.length <= 2) {
      add(chars.length === 2 ? k.word : `w:${k.word}`, k.weight);
      continue;
    }
    const n = chars.length - 1;
    // 1/√n keeps a long word from outweighing a short one of the same keyword weight.
    const share = k.weight / Math.sqrt(n);
    for (let i = 0; i < n; i++) add(`${chars[i] ?? ""}${chars[i + 1] ?? ""}`, share);
  }
  let sq = 0;
  for (const w of weights.values()) sq += w * w;
  return { weights, norm: Math.sqrt(sq) };
}

/**
 * Features interned as small integers, so cosines run over typed arrays instead of string-keyed maps (the hot loop
 * of clustering: every post is compared with the aggregate and recent keyword sets of dozens of incidents). The
 * table is bounded: when full it starts afresh under a new generation, and vectors packed before are packed again.
 * Each word's features are remembered too, so a keyword list is packed without splitting its words again.
 */
let maxFeatures = 1 << 18;
let featureIds = new Map<string, number>();
let featureCount = 0;
let wordFeatures = new Map<string, number[]>();
const MAX_WORDS = 1 << 14;
let generation = 0;

/** The feature table's generation: ids from an earlier one mean nothing now. */
export function featureGeneration(): number {
  return generation;
}

/**
 * Makes room for a live set of features that must keep their ids together (an index holding them): the table's
 * bound doubles until it is at least twice what is interned now (with `double`, at least once), so it does not
 * start afresh again at once.
 */
export function growFeatureTable(double = false): void {
  if (double) maxFeatures *= 2;
  while (maxFeatures < 2 * featureCount) maxFeatures *= 2;
}

function startAfresh(): void {
  featureIds = new Map();
  featureCount = 0;
  wordFeatures = new Map();
  generation++;
  dense.fill(0);
  denseOwner = undefined;
}

function intern(f: string): number {
  let id = featureIds.get(f);
  if (id === undefined) {
    id = featureCount++;
    featureIds.set(f, id);
  }
  return id;
}

/**
 * A feature vector with integer feature ids, in the insertion order of its map (so sums add up in the same order),
 * and its norm. Held instead of the map for every keyword list of every open incident: a fraction of the memory.
 */
export interface Packed {
  readonly generation: number;
  // Plain arrays (small integers and unboxed doubles): a typed array costs ~200 bytes of overhead on its own.
  readonly ids: readonly number[];
  readonly weights: readonly number[];
  readonly norm: number;
}

const packedVectors = new WeakMap<FeatureVector, Packed>();
// Keyword lists are immutable and shared between successive versions of an incident: each is packed once and carries
// its packing under a symbol, not enumerable (JSON, copies and comparisons never see it): read on every comparison,
// where a WeakMap lookup cost more than the comparison itself.
const PACKED = Symbol("packed");
type Memo = { [PACKED]?: Packed };

function packWeights(v: FeatureVector): Packed {
  if (featureCount + v.weights.size > maxFeatures) startAfresh();
  const ids: number[] = [];
  const weights: number[] = [];
  for (const [f, w] of v.weights) {
    ids.push(intern(f));
    weights.push(w);
  }
  return { generation, ids, weights, norm: v.norm };
}

function pack(v: FeatureVector): Packed {
  const held = packedVectors.get(v);
  if (held && held.generation === generation) return held;
  const p = packWeights(v);
  packedVectors.set(v, p);
  return p;
}

/** The ids of a word's features in {@link keywordVector}: the word itself up to two characters, else its bigrams. */
function wordIds(word: string): number[] {
  let ids = wordFeatures.get(word);
  if (ids === undefined) {
    const chars = [...word];
    if (chars.length <= 2) ids = [intern(chars.length === 2 ? word : `w:${word}`)];
    else {
      ids = [];
      for (let i = 0; i < chars.length - 1; i++) ids.push(intern(`${chars[i] ?? ""}${chars[i + 1] ?? ""}`));
    }
    // Bounded like the table (words outnumber their features): forgetting them only costs splitting them again.
    if (wordFeatures.size >= MAX_WORDS) wordFeatures.clear();
    wordFeatures.set(word, ids);
  }
  return ids;
}

/**
 * A small open-addressing table from feature id to a number, emptied for each use: scratch for work on a few
 * hundred features at most (packing a list, moving an incident's postings), a few cache lines where a table by
 * feature id would span megabytes.
 */
export class IdTable {
  private keys = new Int32Array(64);
  private values = new Int32Array(64);
  private shift = 26;

  /** Empties the table for up to `n` ids. */
  reset(n: number): void {
    let bits = 6;
    while (1 << bits < n * 2) bits++;
    if (this.keys.length !== 1 << bits) {
      this.keys = new Int32Array(1 << bits);
      this.values = new Int32Array(1 << bits);
    } else this.keys.fill(0);
    this.shift = 32 - bits;
  }

  private slot(id: number): number {
    const mask = this.keys.length - 1;
    let h = Math.imul(id, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = this.keys[h] as number;
      if (k === id + 1 || k === 0) return h;
      h = (h + 1) & mask;
    }
  }

  /** The number held for `id`, or -1. */
  get(id: number): number {
    const h = this.slot(id);
    return this.keys[h] === 0 ? -1 : (this.values[h] as number);
  }

  set(id: number, value: number): void {
    const h = this.slot(id);
    this.keys[h] = id + 1;
    this.values[h] = value;
  }
}

// Feature id → position in the list being packed.
const positions = new IdTable();

/**
 * {@link keywordVector} of a list, packed, without building its map: the same features in the same order, summed
 * in the same order, so weights and norm are the very same numbers.
 */
function packKeywords(keywords: readonly Keyword[]): Packed {
  let most = 0;
  for (const k of keywords) most += k.word.length + 1;
  if (featureCount + most > maxFeatures) startAfresh();
  positions.reset(most);
  // Built in scratch, then copied exact: a list pushed to keeps room to grow, and packings are held per open incident.
  const ids = scratchIds;
  const weights = scratchWeights;
  ids.length = 0;
  weights.length = 0;
  for (const k of keywords) {
    if (!(k.weight > 0)) continue;
    const featureIdsOfWord = wordIds(k.word);
    const n = featureIdsOfWord.length;
    // 1/√n keeps a long word from outweighing a short one of the same keyword weight (see keywordVector).
    const share = n === 1 ? k.weight : k.weight / Math.sqrt(n);
    for (let i = 0; i < n; i++) {
      const id = featureIdsOfWord[i] as number;
      const at = positions.get(id);
      if (at < 0) {
        positions.set(id, ids.length);
        ids.push(id);
        weights.push(0 + share);
      } else weights[at] = (weights[at] as number) + share;
    }
  }
  let sq = 0;
  for (const w of weights) sq += w * w;
  return { generation, ids: ids.slice(), weights: weights.slice(), norm: Math.sqrt(sq) };
}

const scratchIds: number[] = [];
const scratchWeights: number[] = [];

/**
 * A keyword list's {@link keywordVector} with integer feature ids of the current {@link featureGeneration}, packed
 * once and kept while the list lives. Packing may start the table afresh: ids packed before are then stale.
 */
export function packedList(keywords: readonly Keyword[]): Packed {
  const memo = keywords as Memo;
  const held = memo[PACKED];
  if (held !== undefined && held.generation === generation) return held;
  const p = packKeywords(keywords);
  if (held !== undefined) memo[PACKED] = p;
  else if (Object.isExtensible(keywords)) Object.defineProperty(keywords, PACKED, { value: p, writable: true });
  return p;
}

/** A feature vector, or a keyword list standing for its {@link keywordVector}. */
export type VectorLike = FeatureVector | readonly Keyword[];

function packAny(x: VectorLike): Packed {
  return Array.isArray(x) ? packedList(x as readonly Keyword[]) : pack(x as FeatureVector);
}

// The larger vector of the last comparison, spread out by feature id (zero elsewhere): a post is compared with many
// vectors in a row, so it usually stays spread out between calls.
let dense = new Float64Array(1 << 12);
let denseOwner: Packed | undefined;

function spread(p: Packed): void {
  if (featureCount > dense.length) {
    // Every id read or written next is below the table's size.
    let size = dense.length;
    while (size < featureCount) size *= 2;
    dense = new Float64Array(size);
    denseOwner = undefined;
  }
  if (denseOwner === p) return;
  if (denseOwner !== undefined) {
    const ids = denseOwner.ids;
    for (let i = 0; i < ids.length; i++) dense[ids[i] as number] = 0;
  }
  const { ids, weights } = p;
  for (let i = 0; i < ids.length; i++) dense[ids[i] as number] = weights[i] as number;
  denseOwner = p;
}

/**
 * Cosine similarity (0 … 1; 0 when either is empty) of two feature vectors or keyword lists; lists are packed once
 * and kept while they live, so comparing a post with an incident's keyword lists allocates nothing.
 */
export function cosine(a: VectorLike, b: VectorLike): number {
  let pb = packAny(b);
  const pa = packAny(a);
  // Packing the second may have started a new table: the first is packed again under it.
  if (pb.generation !== pa.generation) pb = packAny(b);
  if (pa.norm === 0 || pb.norm === 0) return 0;
  const [small, large] = pa.ids.length <= pb.ids.length ? [pa, pb] : [pb, pa];
  spread(large);
  let dot = 0;
  const { ids, weights } = small;
  for (let i = 0; i < ids.length; i++) dot += (weights[i] as number) * (dense[ids[i] as number] as number);
  return Math.min(1, dot / (pa.norm * pb.norm));
}

// A post is compared with many keyword lists in a row: its features go once into a small open-addressing table (id
// → position) that each comparison probes, a few cache lines where the spread-out table spans megabytes.
let probeOf: Packed | undefined;
let probeKeys = new Int32Array(64);
let probeSlots = new Int32Array(64);
let probeShift = 26;
// Products found from the other side, by the post's feature position, to be summed in the post's order.
let hitValues = new Float64Array(64);
let hitMarks = new Uint32Array(64);
let hitRound = 0;

function prepareProbe(p: Packed): void {
  if (probeOf === p) return;
  const n = p.ids.length;
  let bits = 6;
  while (1 << bits < n * 4) bits++;
  const size = 1 << bits;
  if (probeKeys.length !== size) {
    probeKeys = new Int32Array(size);
    probeSlots = new Int32Array(size);
  } else probeKeys.fill(0);
  probeShift = 32 - bits;
  const mask = size - 1;
  for (let i = 0; i < n; i++) {
    const id = p.ids[i] as number;
    let h = Math.imul(id, 0x9e3779b1) >>> probeShift;
    // A packed vector's ids are distinct.
    while (probeKeys[h] !== 0) h = (h + 1) & mask;
    probeKeys[h] = id + 1;
    probeSlots[h] = i;
  }
  if (hitMarks.length < n) {
    hitValues = new Float64Array(size);
    hitMarks = new Uint32Array(size);
    hitRound = 0;
  }
  probeOf = p;
}

/** Position of a feature in the probed vector, or -1. */
function probe(id: number): number {
  const mask = probeKeys.length - 1;
  const key = id + 1;
  let h = Math.imul(id, 0x9e3779b1) >>> probeShift;
  for (;;) {
    const k = probeKeys[h] as number;
    if (k === key) return probeSlots[h] as number;
    if (k === 0) return -1;
    h = (h + 1) & mask;
  }
}

/**
 * {@link cosine} of two keyword lists, the very same number, for comparing one list (a post's) with many in a row:
 * the products are those `cosine` forms, added in the same order (the shorter vector's), found through the first
 * list's probe table instead of the spread-out one.
 */
export function cosineFrom(a: readonly Keyword[], b: readonly Keyword[]): number {
  let pb = packedList(b);
  const pa = packedList(a);
  if (pb.generation !== pa.generation) pb = packedList(b);
  if (pa.norm === 0 || pb.norm === 0) return 0;
  prepareProbe(pa);
  let dot = 0;
  const ids = pb.ids;
  const weights = pb.weights;
  if (ids.length < pa.ids.length) {
    // `b` is the shorter: its own order.
    for (let j = 0; j < ids.length; j++) {
      const at = probe(ids[j] as number);
      if (at >= 0) dot += (weights[j] as number) * (pa.weights[at] as number);
    }
  } else {
    // `a` is the shorter (or as long): the shared features' products, added in `a`'s order.
    if (++hitRound > 0xfffffff0) {
      hitMarks.fill(0);
      hitRound = 1;
    }
    for (let j = 0; j < ids.length; j++) {
      const at = probe(ids[j] as number);
      if (at < 0) continue;
      hitMarks[at] = hitRound;
      hitValues[at] = (pa.weights[at] as number) * (weights[j] as number);
    }
    for (let i = 0; i < pa.ids.length; i++) if (hitMarks[i] === hitRound) dot += hitValues[i] as number;
  }
  return Math.min(1, dot / (pa.norm * pb.norm));
}

/**
 * How many of `a`'s keywords share a feature (the word itself, or one of its bigrams) with any of `lists`: the words a
 * post has in common with an incident, however heavily weighted.
 * @example sharedKeywords([{ word: "女友", weight: 9 }, { word: "掐死", weight: 10 }], [[{ word: "前女友", weight: 46 }]]) // 1
 */
export function sharedKeywords(a: readonly Keyword[], lists: readonly (readonly Keyword[])[]): number {
  let packed = lists.map(packedList);
  // Packing one list can start the feature table afresh under the ones packed before it: pack them again.
  if (packed.some((p) => p.generation !== generation)) packed = lists.map(packedList);
  const features = new Set<number>();
  for (const p of packed) for (const id of p.ids) features.add(id);
  let n = 0;
  for (const k of a) if (k.weight > 0 && wordIds(k.word).some((id) => features.has(id))) n++;
  return n;
}

/** Cosine similarity of two feature vectors (0 … 1; 0 when either is empty). */
export function vectorCosine(a: FeatureVector, b: FeatureVector): number {
  return cosine(a, b);
}

/**
 * Cosine similarity of two weighted keyword lists via {@link keywordVector} (0 … 1).
 * @example keywordCosine([{ word: "江华县", weight: 1 }], [{ word: "江华", weight: 1 }]) // 0.71
 */
export function keywordCosine(a: readonly Keyword[], b: readonly Keyword[]): number {
  return vectorCosine(keywordVector(a), keywordVector(b));
}

/** Top `n` keywords by weight, merging duplicates (stable for equal weights by word). */
export function topKeywords(keywords: readonly Keyword[], n: number): Keyword[] {
  const merged = new Map<string, number>();
  for (const k of keywords) merged.set(k.word, (merged.get(k.word) ?? 0) + k.weight);
  return [...merged]
    .map(([word, weight]) => ({ word, weight }))
    .sort((x, y) => y.weight - x.weight || (x.word < y.word ? -1 : x.word > y.word ? 1 : 0))
    .slice(0, n);
}

/** Administrative depth of a region code: 1 province (xx0000), 2 city (xxxx00), 3 county; 0 if not a 6-digit code. */
export function codeDepth(code: string): number {
  if (!/^\d{6}$/.test(code)) return 0;
  if (code.endsWith("0000")) return 1;
  if (code.endsWith("00")) return 2;
  return 3;
}

/** True when region code `outer` is `inner` or one of its ancestors (e.g. 431100 contains 431125). */
export function codeContains(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  const depth = codeDepth(outer);
  if (depth === 0 || codeDepth(inner) <= depth) return false;
  const prefix = depth === 1 ? 2 : 4;
  return inner.slice(0, prefix) === outer.slice(0, prefix);
}

/** How two regions relate: same place (or one contains the other), same city, same province, or unrelated. */
export type RegionRelation = "same" | "same_city" | "same_province" | "different";

/**
 * Relation between two regions, by GB/T 2260 code and, failing that, by name and province.
 * @example regionRelation(jianghua431129, yongzhou431100) // "same" (the city contains the county)
 */
export function regionRelation(a: Region, b: Region): RegionRelation {
  if (a.code === b.code || codeContains(a.code, b.code) || codeContains(b.code, a.code)) return "same";
  if (a.name === b.name) return "same";
  if (codeDepth(a.code) >= 2 && codeDepth(b.code) >= 2 && a.code.slice(0, 4) === b.code.slice(0, 4)) return "same_city";
  if (a.province === b.province) return "same_province";
  return "different";
}

/** The most specific regions of a list: drops any region that contains another listed region. */
export function mostSpecificRegions<R extends Region>(regions: readonly R[]): R[] {
  return regions.filter(
    (r) => !regions.some((o) => o !== r && o.code !== r.code && codeContains(r.code, o.code)),
  );
}
