import type { Keyword } from "./keywords.js";

// The last word's two hashes, set by hash64 (no array per keyword: this runs for every keyword of every document).
let hashHigh = 0;
let hashLow = 0;

/** Two independent 32-bit hashes of a word's UTF-8 bytes (FNV-1a with a murmur3 finaliser, two seeds), its 64 feature bits, into hashHigh and hashLow. */
function hash64(text: string): void {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  // The UTF-8 bytes TextEncoder would give (a lone surrogate as U+FFFD), without allocating them; up to 4 per
  // character, packed little-end first into `bytes` (no closure: this runs for every keyword of every document).
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    let bytes: number;
    let count: number;
    if (c < 0x80) {
      bytes = c;
      count = 1;
    } else if (c < 0x800) {
      bytes = (0xc0 | (c >> 6)) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
    } else if (c < 0x10000) {
      bytes = (0xe0 | (c >> 12)) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
      count = 3;
    } else {
      bytes = (0xf0 | (c >> 18)) | ((0x80 | ((c >> 12) & 0x3f)) << 8) | ((0x80 | ((c >> 6) & 0x3f)) << 16) | ((0x80 | (c & 0x3f)) << 24);
      count = 4;
    }
    for (let k = 0; k < count; k++) {
      const byte = (bytes >>> (8 * k)) & 0xff;
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte, 0x01000193);
    }
  }
  hashHigh = fmix32(a);
  hashLow = fmix32(Math.imul(b, 0x85ebca6b) ^ a);
}

// FNV-1a leaves short, similar strings with correlated bits; the murmur3 finaliser spreads them.
function fmix32(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/**
 * 64-bit SimHash of weighted keywords as 16 lowercase hex digits: documents sharing most of their heavy keywords
 * differ in few bits (compare with a Hamming distance). Words are compared as given; no keywords gives all zeros.
 * @example simhash64([{ word: "爆炸", weight: 3 }, { word: "化工厂", weight: 2 }]) // "…16 hex digits…"
 */
export function simhash64(keywords: readonly Keyword[]): string {
  if (keywords.length > highs.length) {
    highs = new Int32Array(keywords.length);
    lows = new Int32Array(keywords.length);
    weights = new Float64Array(keywords.length);
  }
  let n = 0;
  for (let i = 0; i < keywords.length; i++) {
    const { word, weight } = keywords[i]!;
    if (!(weight > 0) || !Number.isFinite(weight)) continue;
    hash64(word);
    highs[n] = hashHigh;
    lows[n] = hashLow;
    weights[n++] = weight;
  }
  // Bit by bit, each bit's sum in a local: the same additions in the same (keyword) order as summing keyword by
  // keyword into 64 slots, so the same result, without a load and store of a slot per keyword and bit.
  let high = 0;
  let low = 0;
  for (let bit = 0; bit < 32; bit++) {
    const shift = 31 - bit;
    let highSum = 0;
    let lowSum = 0;
    for (let i = 0; i < n; i++) {
      const weight = weights[i]!;
      highSum += (highs[i]! >>> shift) & 1 ? weight : -weight;
      lowSum += (lows[i]! >>> shift) & 1 ? weight : -weight;
    }
    high = (high << 1) | (highSum > 0 ? 1 : 0);
    low = (low << 1) | (lowSum > 0 ? 1 : 0);
  }
  return hex32(high) + hex32(low);
}

// The usable keywords' hashes and weights of the current simhash64 call (grown when a call has more keywords).
let highs = new Int32Array(64);
let lows = new Int32Array(64);
let weights = new Float64Array(64);

function popcount32(n: number): number {
  let x = n - ((n >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Number of differing bits between two 16-hex-digit SimHashes (0 = same keywords, about 32 = unrelated).
 * @example simhashDistance("ffff0000ffff0000", "ffff0000ffff0001") // 1
 */
export function simhashDistance(a: string, b: string): number {
  const part = (h: string, from: number): number => Number.parseInt(h.slice(from, from + 8), 16);
  return popcount32(part(a, 0) ^ part(b, 0)) + popcount32(part(a, 8) ^ part(b, 8));
}
