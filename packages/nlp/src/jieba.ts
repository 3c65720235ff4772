// The only module that touches the native segmenter (@node-rs/jieba, a binding of jieba-rs), so replacing it changes
// one file. It replaced nodejieba, whose load() builds a second copy of the dictionary trie and HMM model for a
// TextRank extractor nothing used (~260 MB per process against ~50 MB here) and whose cut is about half as fast.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Jieba } from "@node-rs/jieba";
import { PackedStrings, packWordList } from "./packed-strings.js";

const require = createRequire(import.meta.url);

/** The jieba data files shipped with the native package (jieba's own dictionary and IDF table). */
function dataFile(name: "dict.txt" | "idf.txt"): Buffer {
  return readFileSync(require.resolve(`@node-rs/jieba/${name}`));
}

/** A word of the user dictionary as the engine needs it (a word without a frequency gets the dictionary's median). */
export interface EngineWord {
  word: string;
  freq?: number | undefined;
}

/** A loaded segmentation engine: jieba's dictionary plus one user dictionary. */
export interface JiebaEngine {
  /** Precise-mode segmentation with HMM recognition of unknown words (names, new words). */
  cut(text: string): string[];
  /**
   * Search mode from precise pieces, as jieba's cut_for_search builds it on its precise cut: before each piece of
   * three or more characters, the dictionary words of two, then of three characters inside it.
   */
  searchPieces(pieces: readonly string[]): string[];
}

// One engine per distinct user dictionary, shared by the segmenters that use it; the latest load only, so a reload
// with changed words releases the old engine once no segmenter holds it.
let cached: { key: string; engine: JiebaEngine } | undefined;

/** jieba's dictionary as `word freq` lines and its median frequency (what user words listed without one get). */
function readDictionary(): { text: Buffer; medianFreq: number } {
  // Byte by byte, without a string per line: 350,000 short-lived strings would leave the heap (and RSS) grown.
  const dict = dataFile("dict.txt");
  const out = Buffer.allocUnsafe(dict.length);
  const freqs: number[] = [];
  let length = 0;
  for (let at = 0; at < dict.length; ) {
    let end = dict.indexOf(0x0a, at);
    if (end < 0) end = dict.length;
    const firstSpace = dict.indexOf(0x20, at);
    if (firstSpace > at && firstSpace < end) {
      // Part-of-speech tags are dropped: segmentation never reads them, and the engine keeps one string per word.
      let freqEnd = dict.indexOf(0x20, firstSpace + 1);
      if (freqEnd < 0 || freqEnd > end) freqEnd = end;
      let freq = 0;
      for (let k = firstSpace + 1; k < freqEnd; k++) freq = freq * 10 + (dict[k]! - 0x30);
      if (freq > 0) freqs.push(freq);
      length += dict.copy(out, length, at, freqEnd);
      out[length++] = 0x0a;
    }
    at = end + 1;
  }
  freqs.sort((a, b) => a - b);
  return { text: out.subarray(0, length), medianFreq: freqs[Math.floor(freqs.length / 2)] ?? 1 };
}

/**
 * The engine with jieba's dictionary and `userWords` on top (later words win), built once per `key` (about half a
 * second; ~25 MB) and shared.
 */
export function loadEngine(key: string, userWords: readonly EngineWord[]): JiebaEngine {
  if (cached?.key === key) return cached.engine;
  const dictionary = readDictionary();
  const jieba = Jieba.withDict(dictionary.text);
  if (userWords.length > 0) jieba.loadDict(Buffer.from(userWords.map((w) => `${w.word} ${w.freq ?? dictionary.medianFreq}`).join("\n")));
  const join = crossBlockJoiner(userWords.map((w) => w.word));
  // Built on the first search-mode use only: a second native pass per text cost as much as the precise cut.
  let shortWords: PackedStrings | undefined;
  const engine: JiebaEngine = {
    cut: join ? (text) => join(text, jieba.cut(text, true)) : (text) => jieba.cut(text, true),
    searchPieces: (pieces) => {
      shortWords ??= dictionaryShortWords(userWords);
      return searchPieces(pieces, shortWords);
    },
  };
  cached = { key, engine };
  return engine;
}

/** The words of two or three characters of jieba's dictionary and the user words: the only ones search mode adds. */
function dictionaryShortWords(userWords: readonly EngineWord[]): PackedStrings {
  const users = userWords.map((w) => w.word).filter((word) => {
    const n = codePointCount(word);
    return n === 2 || n === 3;
  });
  const list = users.length === 0 ? dataFile("dict.txt") : Buffer.concat([dataFile("dict.txt"), Buffer.from(`\n${users.join("\n")}\n`)]);
  return packWordList(list, (chars) => chars === 2 || chars === 3);
}

function codePointCount(word: string): number {
  let n = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0 || (word.charCodeAt(i - 1) & 0xfc00) !== 0xd800) n++;
  }
  return n;
}

function searchPieces(pieces: readonly string[], shortWords: PackedStrings): string[] {
  const out: string[] = [];
  for (const piece of pieces) {
    if (piece.length > 2) {
      // Character boundaries (a surrogate pair is one character, as jieba counts them).
      const bounds: number[] = [];
      for (let i = 0; i < piece.length; i++) {
        const c = piece.charCodeAt(i);
        if (c < 0xdc00 || c > 0xdfff || i === 0 || (piece.charCodeAt(i - 1) & 0xfc00) !== 0xd800) bounds.push(i);
      }
      bounds.push(piece.length);
      const chars = bounds.length - 1;
      if (chars > 2) {
        for (let i = 0; i + 2 <= chars; i++) if (shortWords.indexOf(piece, bounds[i]!, bounds[i + 2]!) >= 0) out.push(piece.slice(bounds[i]!, bounds[i + 2]!));
      }
      if (chars > 3) {
        for (let i = 0; i + 3 <= chars; i++) if (shortWords.indexOf(piece, bounds[i]!, bounds[i + 3]!) >= 0) out.push(piece.slice(bounds[i]!, bounds[i + 3]!));
      }
    }
    out.push(piece);
  }
  return out;
}

// jieba (Python and Rust) first splits text into blocks of these characters and cuts each block alone, so a
// dictionary word with any other character ("Ⅳ级") can never come out whole: the pieces are joined back afterwards.
const BLOCK_CHAR = /[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]/u;

/**
 * A function that joins adjacent pieces spelling a user word the engine's block splitting cuts apart, or undefined
 * when no user word needs it. Runs only on texts containing one of those words' out-of-block characters.
 */
function crossBlockJoiner(words: readonly string[]): ((text: string, pieces: string[]) => string[]) | undefined {
  const targets = [...new Set(words.filter((w) => [...w].some((ch) => !BLOCK_CHAR.test(ch))))].sort((a, b) => b.length - a.length);
  if (targets.length === 0) return undefined;
  const odd = new Set(targets.flatMap((w) => [...w].filter((ch) => !BLOCK_CHAR.test(ch))));
  const mayNeed = (text: string): boolean => {
    for (const ch of odd) if (text.includes(ch)) return true;
    return false;
  };
  return (text, pieces) => {
    if (!mayNeed(text)) return pieces;
    const out: string[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      let joined: string | undefined;
      let last = i;
      for (const target of targets) {
        if (target.length <= piece.length || !target.startsWith(piece)) continue;
        let acc = piece;
        let j = i;
        while (acc.length < target.length && j + 1 < pieces.length) acc += pieces[++j]!;
        if (acc === target) {
          joined = target;
          last = j;
          break;
        }
      }
      out.push(joined ?? piece);
      i = last;
    }
    return out;
  };
}

/** jieba's IDF table (idf.txt), for TF-IDF keywords computed from tokens already cut. */
export interface IdfTable {
  get(word: string): number | undefined;
  /** The IDF of a word absent from the table: the table's mean, as jieba's C++ extractor used. */
  readonly average: number;
}

let idf: IdfTable | undefined;

/**
 * The IDF table, read on first use and then kept (one per process): packed ({@link PackedStrings}, ~7 MB) rather
 * than a Map of 270,000 entries (~35 MB of heap).
 */
export function idfTable(): IdfTable {
  if (idf !== undefined) return idf;
  const { table, values } = readIdf();
  const idfs = Float64Array.from(values);
  const sum = values.reduce((a, b) => a + b, 0);
  idf = {
    get: (word) => {
      const index = table.indexOf(word);
      return index < 0 ? undefined : idfs[index];
    },
    average: values.length === 0 ? 0 : sum / values.length,
  };
  return idf;
}

// Apart from idfTable so that its lookup closure does not keep the file's 6 MB buffer alive.
function readIdf(): { table: PackedStrings; values: number[] } {
  const list = dataFile("idf.txt");
  const values: number[] = [];
  const table = packWordList(list, () => true, (index, from, to) => {
    values[index] = parseDecimal(list, from, to);
  });
  return { table, values };
}

/** The decimal number written in `bytes[from, to)` (as Number() reads it), without making a string for the usual ones. */
function parseDecimal(bytes: Buffer, from: number, to: number): number {
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (let k = from; k < to; k++) {
    const b = bytes[k]!;
    if (b >= 0x30 && b <= 0x39) {
      mantissa = mantissa * 10 + (b - 0x30);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (b === 0x2e && decimals < 0) decimals = 0;
    else if (b !== 0x0d) return Number(bytes.toString("latin1", from, to));
  }
  // Up to 15 digits are exact in a double and 10^22 is too, so one division is correctly rounded (as Number() is).
  if (digits === 0 || digits > 15) return Number(bytes.toString("latin1", from, to));
  return decimals > 0 ? mantissa / 10 ** decimals : mantissa;
}
