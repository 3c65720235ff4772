import { invalidInput } from "@liaowang/errors";

/** One user-dictionary word: jieba's `word [freq] [tag]`. */
export interface UserWord {
  word: string;
  freq?: number | undefined;
  tag?: string | undefined;
}

const TAG = /^[a-zA-Z]+$/;
const FREQ = /^[1-9]\d{0,8}$/;

function body(line: string): string {
  const hash = line.indexOf("#");
  return (hash === -1 ? line : line.slice(0, hash)).trim();
}

/**
 * Parse a user dictionary in jieba format (`word freq tag`, `word tag` or `word`; `#` starts a comment),
 * throwing with the source and line number on anything the native loader would misread.
 * @example parseUserDict("政务舆情 3000 n\n# 机构\n网信办 nt", "user.dict.txt")
 */
export function parseUserDict(text: string, source: string): UserWord[] {
  const words: UserWord[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = body(raw);
    if (line === "") return;
    const fields = line.split(/\s+/);
    const where = `${source}:${index + 1}`;
    const [word, second, third] = fields;
    if (word === undefined || fields.length > 3) {
      throw invalidInput(`${where}: expected "word [freq] [tag]", got "${line}"`);
    }
    if (fields.length === 3) {
      if (second === undefined || !FREQ.test(second)) throw invalidInput(`${where}: frequency "${second}" must be a positive integer`);
      if (third === undefined || !TAG.test(third)) throw invalidInput(`${where}: tag "${third}" must be letters`);
      words.push({ word, freq: Number(second), tag: third });
    } else if (second !== undefined) {
      // jieba's Python loader reads `word 100` as a frequency; the native one would take "100" as a tag.
      if (FREQ.test(second)) words.push({ word, freq: Number(second) });
      else if (TAG.test(second)) words.push({ word, tag: second });
      else throw invalidInput(`${where}: "${second}" is neither a frequency nor a tag`);
    } else {
      words.push({ word });
    }
  });
  return words;
}

/** Render user words in the exact shape the native loader reads (three fields, or `word tag`, or `word`). */
export function formatUserDict(words: readonly UserWord[]): string {
  return words
    .map((w) => {
      if (w.freq !== undefined) return `${w.word} ${w.freq} ${w.tag ?? "x"}`;
      return w.tag !== undefined ? `${w.word} ${w.tag}` : w.word;
    })
    .join("\n");
}

/**
 * Parse a stop-word list: one word per line, `#` starts a comment, compared in lowercase.
 * @example parseStopWords("的\n了 # particles\nThe") // ["的", "了", "the"]
 */
export function parseStopWords(text: string, source: string): string[] {
  const words: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = body(raw);
    if (line === "") return;
    if (/\s/.test(line)) throw invalidInput(`${source}:${index + 1}: a stop word must not contain spaces, got "${line}"`);
    words.push(line.toLowerCase());
  });
  return words;
}
