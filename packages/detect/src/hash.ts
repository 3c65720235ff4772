const encoder = new TextEncoder();

/** FNV-1a 32-bit hash of a string's UTF-8 bytes (unsigned). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of encoder.encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
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
