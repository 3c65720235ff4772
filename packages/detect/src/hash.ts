const encoder = new TextEncoder();

/** FNV-1a 32-bit hash of a string's UTF-8 bytes (unsigned); `seed` gives independent hash functions. */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of encoder.encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32): FNV alone leaves the high bits weak for short inputs, which SimHash needs.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a 64-bit hash of a string's UTF-8 bytes as 16 hex digits (deterministic ids from ids). */
export function fnv1a64Hex(text: string): string {
  let h = FNV64_OFFSET;
  for (const b of encoder.encode(text)) {
    h ^= BigInt(b);
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h.toString(16).padStart(16, "0");
}

const SEED_HIGH = 0x9747b28c;

/**
 * 64-bit SimHash of weighted features as 16 hex digits: texts sharing most features get hashes a few bits apart,
 * so reposts and near-duplicates are found by Hamming distance. Used when enrichment sent no `simhash`.
 * @example simhash64([{ word: "煤矿", weight: 2 }, { word: "透水", weight: 1 }]) // "…16 hex digits…"
 */
export function simhash64(features: readonly { word: string; weight: number }[]): string {
  const acc = new Float64Array(64);
  for (const f of features) {
    if (!(f.weight > 0)) continue;
    const lo = fnv1a32(f.word);
    const hi = fnv1a32(f.word, SEED_HIGH);
    for (let bit = 0; bit < 32; bit++) {
      acc[bit] = (acc[bit] ?? 0) + ((lo >>> bit) & 1 ? f.weight : -f.weight);
      acc[bit + 32] = (acc[bit + 32] ?? 0) + ((hi >>> bit) & 1 ? f.weight : -f.weight);
    }
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if ((acc[bit] ?? 0) > 0) lo |= 1 << bit;
    if ((acc[bit + 32] ?? 0) > 0) hi |= 1 << bit;
  }
  return (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}

/** Token counts as SimHash features (each distinct token weighted by its count). */
export function tokenFeatures(tokens: readonly string[]): { word: string; weight: number }[] {
  const counts = new Map<string, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([word, weight]) => ({ word, weight }));
}
