import { invalidInput } from "@liaowang/errors";
import { PhraseIndex } from "./phrases.js";
import { indexForm, isPunctuation, isWhitespace } from "./text.js";

/** Sentiment of a text: score in [-1, 1] and its label. */
export interface Sentiment {
  score: number;
  label: "negative" | "neutral" | "positive";
}

/** The texts of the four lexicon files (config/sentiment/*.txt) and where they came from, for error messages. */
export interface LexiconSources {
  positive: { text: string; source: string };
  negative: { text: string; source: string };
  negations: { text: string; source: string };
  degrees: { text: string; source: string };
}

type Entry =
  | { type: "polarity"; weight: number; source: string }
  | { type: "negation"; factor: number; source: string }
  | { type: "degree"; factor: number; source: string }
  | { type: "adversative"; source: string };

/** A loaded sentiment lexicon: polarity words, negations, degree words. Build with {@link parseSentimentLexicon}. */
export interface SentimentLexicon {
  readonly index: PhraseIndex<Entry>;
  /** Word counts per list, for reload reports. */
  readonly counts: { positive: number; negative: number; negations: number; degrees: number };
}

/** Options of {@link scoreSentiment}. */
export interface SentimentOptions {
  /** |score| below this is neutral. Default 0.2. */
  neutralBand?: number;
}

// Contrast words: what follows them carries the writer's point ("虽然回应及时，但处置不力").
const ADVERSATIVES = ["但", "但是", "然而", "可是", "不过", "却"];
// How far a negation or degree word reaches over words that carry no sentiment ("未 造成 人员 伤亡").
const MODIFIER_REACH = 3;
// Squashes a sum of word weights into (-1, 1): one plain word scores about ±0.45, three about ±0.83.
const SQUASH = 4;

const WEIGHT = /^-?\d+(?:\.\d+)?$/;

function parseLines(text: string, source: string, each: (word: string, value: string | undefined, where: string) => void): void {
  text.split(/\r?\n/).forEach((raw, index) => {
    const hash = raw.indexOf("#");
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (line === "") return;
    const fields = line.split(/\s+/);
    const where = `${source}:${index + 1}`;
    if (fields.length > 2) throw invalidInput(`${where}: expected "word [number]", got "${line}"`);
    each(indexForm(fields[0] ?? ""), fields[1], where);
  });
}

function weightOf(value: string | undefined, fallback: number, where: string, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!WEIGHT.test(value) || !(n > 0) || n > 10) throw invalidInput(`${where}: ${what} "${value}" must be a number in (0, 10]`);
  return n;
}

/**
 * Parse the lexicon files: positive.txt / negative.txt (`word [weight]`, weight in (0, 10], default 1),
 * negations.txt (`word [factor]`, a softening factor for forms like `不太 0.5`) and degrees.txt (`word factor`, e.g. `非常 1.75`, `稍微 0.6`). `#` starts a comment.
 * A word listed twice, or in two lists, is an error naming both places.
 * @example parseSentimentLexicon({ positive: { text: "点赞 1.5", source: "positive.txt" }, … })
 */
export function parseSentimentLexicon(files: LexiconSources): SentimentLexicon {
  const entries = new Map<string, Entry>();
  const add = (word: string, entry: Entry): void => {
    const previous = entries.get(word);
    if (previous) throw invalidInput(`${entry.source}: "${word}" is already listed at ${previous.source}`);
    entries.set(word, entry);
  };
  const counts = { positive: 0, negative: 0, negations: 0, degrees: 0 };
  parseLines(files.positive.text, files.positive.source, (word, value, where) => {
    add(word, { type: "polarity", weight: weightOf(value, 1, where, "weight"), source: where });
    counts.positive++;
  });
  parseLines(files.negative.text, files.negative.source, (word, value, where) => {
    add(word, { type: "polarity", weight: -weightOf(value, 1, where, "weight"), source: where });
    counts.negative++;
  });
  parseLines(files.negations.text, files.negations.source, (word, value, where) => {
    add(word, { type: "negation", factor: weightOf(value, 1, where, "factor"), source: where });
    counts.negations++;
  });
  parseLines(files.degrees.text, files.degrees.source, (word, value, where) => {
    if (value === undefined) throw invalidInput(`${where}: degree word "${word}" needs a factor, e.g. "${word} 1.5"`);
    add(word, { type: "degree", factor: weightOf(value, 1, where, "factor"), source: where });
    counts.degrees++;
  });
  for (const word of ADVERSATIVES) if (!entries.has(word)) entries.set(word, { type: "adversative", source: "built-in" });
  return { index: new PhraseIndex(entries), counts };
}

const SENTENCE_END = /[。！？!?；;\n]/;

/**
 * Lexicon sentiment over the segmenter's tokens (with punctuation, e.g. `Segmenter.segments`): each polarity word
 * counts its weight, scaled by degree words before it and flipped by an odd number of negations ("不满意" < 0,
 * "不是不满意" > 0, "不太好" mildly and "太不好" strongly negative); clauses before 但/然而 count half; the sum is
 * squashed into [-1, 1].
 * @example scoreSentiment(seg.segments("处置非常及时，群众点赞"), lexicon) // { score: 0.8…, label: "positive" }
 */
export function scoreSentiment(tokens: readonly string[], lexicon: SentimentLexicon, options: SentimentOptions = {}): Sentiment {
  return scoreSentimentIndexed(tokens.map(indexForm), lexicon, options);
}

/** {@link scoreSentiment} of tokens already in index form (`indexForm` of each). */
export function scoreSentimentIndexed(normalized: readonly string[], lexicon: SentimentLexicon, options: SentimentOptions = {}): Sentiment {
  let total = 0;
  let sentence = 0;
  // Pending modifiers in the current clause, in order (the lexicon's entries themselves); reset by punctuation, a
  // polarity word or distance.
  const mods: Array<{ type: "negation" | "degree"; factor: number }> = [];
  let sinceModifier = 0;
  for (let i = 0; i < normalized.length; ) {
    const token = normalized[i] ?? "";
    if (isWhitespace(token) || isPunctuation(token)) {
      mods.length = 0;
      sinceModifier = 0;
      if (SENTENCE_END.test(token) || token.includes("\n")) {
        total += sentence;
        sentence = 0;
      }
      i++;
      continue;
    }
    const match = lexicon.index.longestAt(normalized, i);
    if (match === undefined) {
      if (mods.length > 0 && ++sinceModifier > MODIFIER_REACH) {
        mods.length = 0;
        sinceModifier = 0;
      }
      i++;
      continue;
    }
    const entry = match.value;
    i = match.end;
    switch (entry.type) {
      case "negation":
      case "degree":
        mods.push(entry);
        sinceModifier = 0;
        break;
      case "adversative":
        sentence *= 0.5;
        mods.length = 0;
        sinceModifier = 0;
        break;
      case "polarity": {
        let factor = 1;
        let negations = 0;
        let negatedFirst = false;
        for (const m of mods) {
          if (m.type === "negation") negations++;
          else if (negations % 2 === 1) negatedFirst = true;
          factor *= m.factor;
        }
        // "不太满意" (negation, then degree) is a softened negative; "太不满意" a strengthened one.
        if (negations % 2 === 1) factor *= negatedFirst ? -0.5 : -1;
        sentence += entry.weight * factor;
        mods.length = 0;
        sinceModifier = 0;
        break;
      }
      default: {
        const exhaustive: never = entry;
        return exhaustive;
      }
    }
  }
  total += sentence;
  const score = total / Math.sqrt(total * total + SQUASH);
  const band = options.neutralBand ?? 0.2;
  const rounded = Math.round(score * 1000) / 1000;
  return { score: rounded, label: rounded >= band ? "positive" : rounded <= -band ? "negative" : "neutral" };
}
