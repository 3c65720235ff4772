// The only module that touches nodejieba, so replacing the native segmenter changes one file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodejieba from "nodejieba";

/** Dictionaries to load into the native engine; `key` identifies their content. */
export interface JiebaDictionaries {
  key: string;
  /** User dictionary in the native format (see formatUserDict). */
  userDict: string;
  /** Stop words, one per line, used by the keyword extractor. */
  stopWords: string;
}

/** A keyword and its TF-IDF weight as the native extractor computes it. */
export interface JiebaKeyword {
  word: string;
  weight: number;
}

// nodejieba's load() assigns these as implicit globals (sloppy-mode CommonJS); we put back what was there.
const LEAKED_GLOBALS = ["dict", "hmmDict", "userDict", "idfDict", "stopWordDict"] as const;

// A word that is in no dictionary: its extract() weight is the average IDF given to unknown words.
const UNKNOWN_PROBE = "qzxjvkwq";

let loadedKey: string | undefined;
let unknownIdf = 0;

function loadNative(dicts: JiebaDictionaries): void {
  const saved = LEAKED_GLOBALS.map((name) => Object.getOwnPropertyDescriptor(globalThis, name));
  // The native loader reads files only, and aborts the process on a missing one: write ours, then remove them.
  const dir = mkdtempSync(join(tmpdir(), "liaowang-jieba-"));
  try {
    const userDict = join(dir, "user.dict.utf8");
    const stopWordDict = join(dir, "stop_words.utf8");
    writeFileSync(userDict, dicts.userDict.endsWith("\n") ? dicts.userDict : `${dicts.userDict}\n`);
    writeFileSync(stopWordDict, dicts.stopWords.endsWith("\n") ? dicts.stopWords : `${dicts.stopWords}\n`);
    nodejieba.load({ userDict, stopWordDict });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    LEAKED_GLOBALS.forEach((name, i) => {
      const descriptor = saved[i];
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else Reflect.deleteProperty(globalThis, name);
    });
  }
  unknownIdf = nodejieba.extract(UNKNOWN_PROBE, 1)[0]?.weight ?? 0;
}

/**
 * Make `dicts` the loaded dictionaries of the (process-wide) native engine; a no-op when already loaded.
 * Loading takes about two seconds and replaces every earlier user word.
 */
export function useDictionaries(dicts: JiebaDictionaries): void {
  if (loadedKey === dicts.key) return;
  loadedKey = undefined;
  loadNative(dicts);
  loadedKey = dicts.key;
}

/** Precise-mode segmentation with HMM recognition of unknown words (names, new words). */
export function jiebaCut(text: string): string[] {
  return nodejieba.cut(text, true);
}

/** Search-mode segmentation: precise mode plus the shorter dictionary words inside long words. */
export function jiebaCutForSearch(text: string): string[] {
  return nodejieba.cutForSearch(text, true);
}

/** TF-IDF keywords (term count × IDF of jieba's idf.utf8), best first; single characters and stop words excluded. */
export function jiebaExtract(text: string, topN: number): JiebaKeyword[] {
  return nodejieba.extract(text, topN);
}

/** The IDF the extractor gives a word absent from its IDF table (the table's average). */
export function unknownWordIdf(): number {
  return unknownIdf;
}
