import { invalidInput } from "@liaowang/errors";
import type { Keyword, Region } from "./types.js";

const HEX64 = /^[0-9a-fA-F]{1,16}$/;

function popcount32(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function halves(hex: string): [number, number] {
  if (!HEX64.test(hex)) throw invalidInput(`simhash "${hex}" is not a 64-bit hex string`);
  const padded = hex.padStart(16, "0");
  return [Number.parseInt(padded.slice(0, 8), 16), Number.parseInt(padded.slice(8), 16)];
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

/** Cosine similarity of two weighted keyword lists (0 … 1; 0 when either is empty). */
export function keywordCosine(a: readonly Keyword[], b: readonly Keyword[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const bw = new Map<string, number>();
  let nb = 0;
  for (const k of b) {
    const w = Math.max(0, k.weight);
    bw.set(k.word, (bw.get(k.word) ?? 0) + w);
  }
  for (const w of bw.values()) nb += w * w;
  const aw = new Map<string, number>();
  for (const k of a) aw.set(k.word, (aw.get(k.word) ?? 0) + Math.max(0, k.weight));
  let na = 0;
  let dot = 0;
  for (const [word, w] of aw) {
    na += w * w;
    dot += w * (bw.get(word) ?? 0);
  }
  if (na === 0 || nb === 0) return 0;
  return Math.min(1, dot / Math.sqrt(na * nb));
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

/** How two regions relate: same place / one contains the other, same province, or unrelated. */
export type RegionRelation = "same" | "same_province" | "different";

/** Relation between two regions, by GB/T 2260 code and, failing that, by province name. */
export function regionRelation(a: Region, b: Region): RegionRelation {
  if (a.code === b.code || codeContains(a.code, b.code) || codeContains(b.code, a.code)) return "same";
  if (a.name === b.name) return "same";
  if (a.province === b.province) return "same_province";
  return "different";
}

/** The most specific regions of a list: drops any region that contains another listed region. */
export function mostSpecificRegions<R extends Region>(regions: readonly R[]): R[] {
  return regions.filter(
    (r) => !regions.some((o) => o !== r && o.code !== r.code && codeContains(r.code, o.code)),
  );
}
