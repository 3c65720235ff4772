import type { Keyword } from "./keywords.js";

const encoder = new TextEncoder();
const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

function fnv1a64(text: string): bigint {
  let h = FNV64_OFFSET;
  for (const b of encoder.encode(text)) h = ((h ^ BigInt(b)) * FNV64_PRIME) & MASK64;
  return h;
}

// FNV-1a leaves short, similar strings with correlated high bits; a final mix (splitmix64) spreads them.
function mix64(x: bigint): bigint {
  let z = x;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/**
 * 64-bit SimHash of weighted keywords as 16 lowercase hex digits: documents sharing most of their heavy keywords
 * differ in few bits (compare with a Hamming distance). Words are compared as given; no keywords gives all zeros.
 * @example simhash64([{ word: "爆炸", weight: 3 }, { word: "化工厂", weight: 2 }]) // "…16 hex digits…"
 */
export function simhash64(keywords: readonly Keyword[]): string {
  const sums = new Float64Array(64);
  for (const { word, weight } of keywords) {
    if (!(weight > 0) || !Number.isFinite(weight)) continue;
    let h = mix64(fnv1a64(word));
    for (let bit = 0; bit < 64; bit++) {
      sums[bit] = (sums[bit] ?? 0) + ((h & 1n) === 1n ? weight : -weight);
      h >>= 1n;
    }
  }
  let out = 0n;
  for (let bit = 63; bit >= 0; bit--) out = (out << 1n) | ((sums[bit] ?? 0) > 0 ? 1n : 0n);
  return out.toString(16).padStart(16, "0");
}

/**
 * Number of differing bits between two 16-hex-digit SimHashes (0 = same keywords, about 32 = unrelated).
 * @example simhashDistance("ffff0000ffff0000", "ffff0000ffff0001") // 1
 */
export function simhashDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (x > 0n) {
    x &= x - 1n;
    count++;
  }
  return count;
}
