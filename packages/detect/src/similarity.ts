import { invalidInput } from "@liaowang/errors";
import type { Keyword, Region } from "./types.js";

const HEX64 = /^[0-9a-fA-F]{1,16}$/;

function popcount32(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

// Clustering compares each post with dozens of stored hashes: parse each hash once.
const parsed = new Map<string, [number, number]>();

function halves(hex: string): [number, number] {
  const cached = parsed.get(hex);
  if (cached) return cached;
  if (!HEX64.test(hex)) throw invalidInput(`simhash "${hex}" is not a 64-bit hex string`);
  const padded = hex.padStart(16, "0");
  const value: [number, number] = [Number.parseInt(padded.slice(0, 8), 16), Number.parseInt(padded.slice(8), 16)];
  if (parsed.size >= 200_000) parsed.clear();
  parsed.set(hex, value);
  return value;
}

/**
 * Hamming distance between two 64-bit SimHashes given as hex (0 = identical text, ~32 = unrelated).
 * @example hamming("ffff0000ffff0000", "ffff0000ffff0001") // 1
 */
export function hamming(a: string, b: string): number {
  const [ah, al] = halves(a);
  const [bh, bl] = halves(b);
  return popcount32(ah ^ bh) + popcount32(al ^ bl);
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

/** Cosine similarity of two feature vectors (0 … 1; 0 when either is empty). */
export function vectorCosine(a: FeatureVector, b: FeatureVector): number {
  if (a.norm === 0 || b.norm === 0) return 0;
  const [small, large] = a.weights.size <= b.weights.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [f, w] of small.weights) dot += w * (large.weights.get(f) ?? 0);
  return Math.min(1, dot / (a.norm * b.norm));
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
