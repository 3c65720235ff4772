import { decodeHTMLStrict } from "entities";
import { compile } from "html-to-text";

// Compiled once: html-to-text builds its selector machinery per options object.
const htmlToPlain = compile({
  wordwrap: false,
  selectors: [
    { selector: "a", options: { ignoreHref: true } },
    { selector: "img", format: "skip" },
    { selector: "script", format: "skip" },
    { selector: "style", format: "skip" },
    { selector: "ul", options: { itemPrefix: "" } },
    // html-to-text upper-cases headings and header cells by default, which would change Latin words in the text.
    ...["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: "table", options: { uppercaseHeaderCells: false } },
  ],
});

// A real tag or comment, not a bare "<" in prose like "温度<5度" or "a<b".
const LOOKS_LIKE_HTML = /<\/?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?\/?>|<!--/;
const HAS_ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);/;

/**
 * Turn HTML (or text with HTML entities) into plain text; plain text without markup is returned as is.
 * Prose with a bare "<" is not treated as markup, and entities without ";" in plain text are left alone (URLs).
 * @example stripHtml("<p>某市&nbsp;发布</p>") === "某市\u00a0发布"
 */
export function stripHtml(input: string): string {
  if (LOOKS_LIKE_HTML.test(input)) return htmlToPlain(input);
  if (HAS_ENTITY.test(input)) return decodeHTMLStrict(input);
  return input;
}

// Characters NFKC would change in ways that alter meaning for Chinese text:
// - full-width Chinese punctuation ，！？：；（） is the correct form in Chinese prose (house style keeps it);
// - … (U+2026) is half of the Chinese ellipsis ……;
// - superscripts (10³ → 103), circled and parenthesised numbers (①3人死亡 → 13人死亡), enclosed CJK and
//   CJK unit squares (㎡) would corrupt figures the enrichment reads.
const KEEP_AS_IS = "，！？：；（）\u2026\u00b2\u00b3\u00b9\u2070-\u209f\u2460-\u24ff\u3200-\u33ff";
const NFKC_RUNS = new RegExp(`[^${KEEP_AS_IS}]+`, "gu");

/**
 * NFKC-normalise everything except the characters listed above: full-width ASCII (ＡＢＣ１２３) and the
 * ideographic space become half-width, Kangxi radicals and compatibility ideographs become standard ideographs.
 * @example toHalfWidth("ＡＢＣ１２３，。") === "ABC123，。"
 */
export function toHalfWidth(input: string): string {
  return input.replace(NFKC_RUNS, (run) => run.normalize("NFKC"));
}

// C0/C1 controls (tab and newlines are turned into whitespace first), lone surrogates, and invisible format
// characters used to break up words (zero-width space, BOM, bidi overrides, soft hyphen). ZWJ/ZWNJ stay: emoji need them.
const INVISIBLE = /[\p{Cc}\p{Cs}\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;

/** Remove control and invisible format characters; tabs become spaces and line breaks become "\n". */
export function removeControlChars(input: string): string {
  return input
    .replace(/\r\n?|[\u2028\u2029\u0085\u000b\u000c]/g, "\n")
    .replace(/\t/g, " ")
    .replace(INVISIBLE, (ch) => (ch === "\n" ? ch : ""));
}

/**
 * Plain-text body: HTML stripped, controls removed, half-width forms, spaces collapsed, one "\n" between
 * non-empty lines (paragraphs survive for display and sentence splitting, blank runs do not).
 * @example normaliseText("<p>ＡＢＣ　 造成3人死亡</p><p></p><p>12人受伤</p>") === "ABC 造成3人死亡\n12人受伤"
 */
export function normaliseText(input: string): string {
  const plain = toHalfWidth(removeControlChars(stripHtml(input)));
  return plain
    .split("\n")
    .map((line) => line.replace(/\p{Zs}+/gu, " ").trim())
    .filter((line) => line.length > 0)
    .join("\n");
}

/**
 * A single-line field (title, author, region): like normaliseText, with all whitespace collapsed to one space.
 * @example normaliseLine("  某市<br>通报 ") === "某市 通报"
 */
export function normaliseLine(input: string): string {
  return normaliseText(input).replace(/\n/g, " ");
}
