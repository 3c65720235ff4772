/**
 * A large, fixed set of short strings packed for memory: one string holding them all, their offsets and an
 * open-addressing hash index in typed arrays (~28 bytes a word against ~120 in a Map), looked up without slicing.
 * @example const set = new PackedStrings(["应急", "管理"]); set.indexOf("应急管理局", 0, 2) // 0
 */
export class PackedStrings {
  readonly #all: string;
  readonly #offsets: Uint32Array;
  // Three units per slot, side by side: the word's first four UTF-16 units (two per unit, zero-padded), then 1 + its
  // index (0: empty) with its length (up to 127) in the top bits. A word of up to four units (most Chinese words) is
  // compared within its slot, one memory access in a table of megabytes; longer words compare the rest in #all.
  readonly #slots: Int32Array;
  readonly #mask: number;

  /** Index the words; a word listed twice is found at its last index. */
  constructor(words: readonly string[]);
  /** Index words given packed: word i is `all.slice(offsets[i], offsets[i + 1])` (no string per word is made). */
  constructor(all: string, offsets: Uint32Array);
  constructor(words: readonly string[] | string, packedOffsets?: Uint32Array) {
    if (typeof words === "string") {
      this.#all = words;
      this.#offsets = packedOffsets ?? Uint32Array.of(0);
    } else {
      this.#all = words.join("");
      this.#offsets = new Uint32Array(words.length + 1);
      for (let i = 0; i < words.length; i++) this.#offsets[i + 1] = this.#offsets[i]! + words[i]!.length;
    }
    const count = this.#offsets.length - 1;
    if (count >= MAX_WORDS) throw new RangeError(`PackedStrings holds at most ${MAX_WORDS - 1} words, got ${count}`);
    let capacity = 16;
    while (capacity * 0.7 < count) capacity *= 2;
    this.#mask = capacity - 1;
    this.#slots = new Int32Array(capacity * 3);
    for (let i = 0; i < count; i++) {
      const start = this.#offsets[i]!;
      const end = this.#offsets[i + 1]!;
      const slot = this.#slot(this.#all, start, end);
      this.#slots[slot] = units(this.#all, start, end, 0);
      this.#slots[slot + 1] = units(this.#all, start, end, 2);
      this.#slots[slot + 2] = (i + 1) | (Math.min(end - start, MAX_INLINE_LENGTH) << INDEX_BITS);
    }
  }

  /** Number of words indexed (repeats included). */
  get length(): number {
    return this.#offsets.length - 1;
  }

  /** The index of `text[start, end)` among the words, or -1. */
  indexOf(text: string, start = 0, end = text.length): number {
    return (this.#slots[this.#slot(text, start, end) + 2]! & INDEX_MASK) - 1;
  }

  /** The slot (position of its first unit in #slots) holding `text[start, end)`, or the empty one where it would go. */
  #slot(text: string, start: number, end: number): number {
    const head = units(text, start, end, 0);
    const tail = units(text, start, end, 2);
    const length = Math.min(end - start, MAX_INLINE_LENGTH);
    let slot = hashOf(text, start, end) & this.#mask;
    for (;;) {
      const at = 3 * slot;
      const entry = this.#slots[at + 2]!;
      if (entry === 0) return at;
      if (
        this.#slots[at] === head &&
        this.#slots[at + 1] === tail &&
        entry >>> INDEX_BITS === length &&
        (length <= 4 || this.#same((entry & INDEX_MASK) - 1, text, start, end))
      ) {
        return at;
      }
      slot = (slot + 1) & this.#mask;
    }
  }

  /** Word `index` equals `text[start, end)` beyond the first four units (already compared). */
  #same(index: number, text: string, start: number, end: number): boolean {
    const from = this.#offsets[index]!;
    if (this.#offsets[index + 1]! - from !== end - start) return false;
    for (let k = 4; k < end - start; k++) if (this.#all.charCodeAt(from + k) !== text.charCodeAt(start + k)) return false;
    return true;
  }
}

// Slot layout: 1 + the word's index in the low INDEX_BITS bits, its length (capped) above them.
const INDEX_BITS = 24;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
const MAX_WORDS = INDEX_MASK;
const MAX_INLINE_LENGTH = 127;

/** Units `from` and `from + 1` of `text[start, end)` as one integer (0 for a unit past the end). */
function units(text: string, start: number, end: number, from: number): number {
  const a = start + from < end ? text.charCodeAt(start + from) : 0;
  const b = start + from + 1 < end ? text.charCodeAt(start + from + 1) : 0;
  return a | (b << 16);
}

/** FNV-1a over the UTF-16 units of `text[start, end)`, as a signed 32-bit integer. */
function hashOf(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/**
 * Pack the first field of each line of a UTF-8 word list (fields separated by spaces) whose length in characters
 * `keep` accepts, with each kept line's remaining bytes handed to `rest` (its index among the kept words): without
 * making a string per line, so loading 350,000 words leaves no garbage to grow the heap.
 */
export function packWordList(list: Buffer, keep: (chars: number) => boolean, rest?: (index: number, from: number, to: number) => void): PackedStrings {
  const bytes = Buffer.allocUnsafe(list.length);
  const offsets: number[] = [0];
  let length = 0;
  let units = 0;
  for (let at = 0; at < list.length; ) {
    let end = list.indexOf(0x0a, at);
    if (end < 0) end = list.length;
    let wordEnd = list.indexOf(0x20, at);
    if (wordEnd < 0 || wordEnd > end) wordEnd = end;
    while (wordEnd > at && (list[wordEnd - 1] === 0x0d || list[wordEnd - 1] === 0x09)) wordEnd--;
    let chars = 0;
    let wordUnits = 0;
    for (let k = at; k < wordEnd; k++) {
      const b = list[k]!;
      if ((b & 0xc0) !== 0x80) {
        chars++;
        wordUnits += b >= 0xf0 ? 2 : 1;
      }
    }
    if (chars > 0 && keep(chars)) {
      length += list.copy(bytes, length, at, wordEnd);
      units += wordUnits;
      rest?.(offsets.length - 1, Math.min(wordEnd + 1, end), end);
      offsets.push(units);
    }
    at = end + 1;
  }
  return new PackedStrings(bytes.toString("utf8", 0, length), Uint32Array.from(offsets));
}
