// The only module that touches the native segmenter (nodejieba, a binding of cppjieba), so replacing it changes one
// file. nodejieba is patched (patches/nodejieba@3.5.8.patch, applied by pnpm before it builds the addon from source):
// its load() no longer builds a TextRank extractor with a second copy of the dictionary trie and HMM model (~130 MB
// per process) that nothing here uses, and cppjieba's trie is a compact one (~33 MB for the whole engine instead of
// ~117 MB, and a faster cut; identical output).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import nodejieba from "nodejieba";
import { LiaowangError } from "@liaowang/errors";
import { PackedStrings, packWordList } from "./packed-strings.js";

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve("nodejieba/package.json"));

/** The jieba data files shipped with nodejieba (cppjieba's dictionary, HMM model and IDF table). */
function dataPath(name: "jieba.dict.utf8" | "hmm_model.utf8" | "idf.utf8"): string {
  return join(packageDir, "submodules", "cppjieba", "dict", name);
}

interface NativeJieba {
  /** Added by our patch: cut(text, hmm) as the UTF-16 length of each word, written to `out`; returns the word count. */
  cutLengths(text: string, out: Int32Array, hmm: boolean): number;
}

// The addon itself (the module nodejieba's index.js requires, so the same instance), called directly: that skips the
// index's per-call wrapper (`arguments` re-applied through a dictionary check). Loading still goes through the index
// so that it knows a dictionary is loaded and never loads its defaults over ours. Its `cutLengths` (our patch) gives
// the words as lengths, and the words are sliced from the text here: upstream's `cut` made each word a string from
// UTF-8 through N-API and set it into an array element by element, ~10% of the cut.
const native = require(join(packageDir, "build", "Release", "nodejieba.node")) as Partial<NativeJieba>;
// An addon built before the patch gained `cutLengths` (a checkout whose node_modules predate it) would fail every
// document one by one; refuse to start instead, saying how to fix it.
if (typeof native.cutLengths !== "function") {
  throw new LiaowangError(
    "internal",
    `nodejieba's addon (${join(packageDir, "build", "Release")}) was built without Liaowang's patch (no cutLengths): run \`pnpm install\` (or scripts/setup.sh) to rebuild it from patches/nodejieba@3.5.8.patch`,
  );
}
const cutLengths = native.cutLengths.bind(native);

/** A word of the user dictionary as the engine needs it (a word without a frequency gets the dictionary's median). */
export interface EngineWord {
  word: string;
  freq?: number | undefined;
  tag?: string | undefined;
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

// One engine per distinct user dictionary; the latest load only, so a reload with changed words drops the old one.
let cached: { key: string; engine: JiebaEngine } | undefined;
// The key of the dictionary the native engine (one per process) holds now.
let nativeKey: string | undefined;

/** The user words in the three shapes cppjieba's user-dictionary loader reads (`word freq tag`, `word tag`, `word`). */
function userDictText(words: readonly EngineWord[]): string {
  let out = "";
  for (const w of words) {
    if (w.freq !== undefined) out += `${w.word} ${w.freq} ${w.tag ?? "x"}\n`;
    else out += w.tag !== undefined ? `${w.word} ${w.tag}\n` : `${w.word}\n`;
  }
  return out;
}

/** Put jieba's dictionary plus `userWords` into the native engine (about a second; replaces what it held). */
function loadNative(key: string, userWords: readonly EngineWord[]): void {
  nativeKey = undefined;
  // The native loader reads files only (and aborts the process on a missing one): write ours, then remove them.
  // Its keyword extractor also loads an IDF table and stop words we never ask it for (keywords are ranked from our
  // own cut with idfTable()), so it gets a one-word table of each instead of ~30 MB of hash map.
  const dir = mkdtempSync(join(tmpdir(), "liaowang-jieba-"));
  try {
    const userDict = join(dir, "user.dict.utf8");
    const idfDict = join(dir, "idf.utf8");
    const stopWordDict = join(dir, "stop_words.utf8");
    writeFileSync(userDict, userDictText(userWords));
    writeFileSync(idfDict, "的 1\n");
    writeFileSync(stopWordDict, "的\n");
    nodejieba.load({ dict: dataPath("jieba.dict.utf8"), hmmDict: dataPath("hmm_model.utf8"), userDict, idfDict, stopWordDict });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  nativeKey = key;
}

/**
 * The engine with jieba's dictionary and `userWords` on top (later words win), built once per `key` (about a second;
 * ~35 MB of native memory) and shared. The native engine is one per process: an engine whose dictionary another
 * load replaced reloads it on its next cut.
 */
export function loadEngine(key: string, userWords: readonly EngineWord[]): JiebaEngine {
  if (cached?.key === key) return cached.engine;
  loadNative(key, userWords);
  // Built on the first search-mode use only: a second native pass per text cost as much as the precise cut.
  let shortWords: PackedStrings | undefined;
  const engine: JiebaEngine = {
    cut: (text) => {
      if (nativeKey !== key) loadNative(key, userWords);
      return cutNative(text);
    },
    searchPieces: (pieces) => {
      shortWords ??= dictionaryShortWords(userWords);
      return searchPieces(pieces, shortWords);
    },
  };
  cached = { key, engine };
  return engine;
}

// Word lengths of the latest cut; there are never more words than UTF-16 units, so its length is kept >= the text's.
let lengths = new Int32Array(1024);

/** Precise mode with HMM, as native `cut(text, true)` gives it: the words as slices of `text`. */
function cutNative(text: string): string[] {
  if (lengths.length < text.length) lengths = new Int32Array(Math.max(text.length, 2 * lengths.length));
  const count = cutLengths(text, lengths, true);
  const words: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) words.push(text.slice(at, (at += lengths[i]!)));
  // Lengths that do not add up to the text (never seen) would slice it wrong: nothing is better than misaligned words.
  if (at !== text.length) throw new LiaowangError("internal", `Segmenter engine gave words of ${at} UTF-16 units for a ${text.length}-unit text`);
  return words;
}

/** The words of two or three characters of jieba's dictionary and the user words: the only ones search mode adds. */
function dictionaryShortWords(userWords: readonly EngineWord[]): PackedStrings {
  const users = userWords.map((w) => w.word).filter((word) => {
    const n = codePointCount(word);
    return n === 2 || n === 3;
  });
  const dict = readFileSync(dataPath("jieba.dict.utf8"));
  const list = users.length === 0 ? dict : Buffer.concat([dict, Buffer.from(`\n${users.join("\n")}\n`)]);
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

/** jieba's IDF table (idf.utf8), for TF-IDF keywords computed from tokens already cut. */
export interface IdfTable {
  get(word: string): number | undefined;
  /** The IDF of a word absent from the table: the table's mean, as jieba's C++ extractor used. */
  readonly average: number;
}

let idf: IdfTable | undefined;

/**
 * The IDF table, read on first use and then kept (one per process): packed ({@link PackedStrings}, ~7 MB) rather
 * than a Map of 260,000 entries (~35 MB of heap).
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
  const list = readFileSync(dataPath("idf.utf8"));
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
