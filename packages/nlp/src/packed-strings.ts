/**
 * A large, fixed set of short strings packed for memory: one string holding them all, their offsets and an
 * open-addressing hash index in typed arrays (~20 bytes a word against ~120 in a Map), looked up without slicing.
 * @example const set = new PackedStrings(["应急", "管理"]); set.indexOf("应急管理局", 0, 2) // 0
 */
export class PackedStrings {
  readonly #all: string;
  readonly #offsets: Uint32Array;
  // Two units per slot, side by side so a probe touches one cache line: the word's hash, then 1 + its index (0: empty).
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
    let capacity = 16;
    while (capacity * 0.7 < count) capacity *= 2;
    this.#mask = capacity - 1;
    this.#slots = new Int32Array(capacity * 2);
    for (let i = 0; i < count; i++) {
      const start = this.#offsets[i]!;
      const end = this.#offsets[i + 1]!;
      const slot = this.#slot(this.#all, start, end);
      this.#slots[slot] = hashOf(this.#all, start, end);
      this.#slots[slot + 1] = i + 1;
    }
  }

  /** Number of words indexed (repeats included). */
  get length(): number {
    return this.#offsets.length - 1;
  }

  /** The index of `text[start, end)` among the words, or -1. */
  indexOf(text: string, start = 0, end = text.length): number {
    return this.#slots[this.#slot(text, start, end) + 1]! - 1;
  }

  /** The slot (even position in #slots) holding `text[start, end)`, or the empty one where it would go. */
  #slot(text: string, start: number, end: number): number {
    const hash = hashOf(text, start, end);
    let slot = hash & this.#mask;
    for (;;) {
      const entry = this.#slots[2 * slot + 1]!;
      if (entry === 0 || (this.#slots[2 * slot] === hash && this.#same(entry - 1, text, start, end))) return 2 * slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  #same(index: number, text: string, start: number, end: number): boolean {
    const from = this.#offsets[index]!;
    if (this.#offsets[index + 1]! - from !== end - start) return false;
    for (let k = 0; k < end - start; k++) if (this.#all.charCodeAt(from + k) !== text.charCodeAt(start + k)) return false;
    return true;
  }
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
