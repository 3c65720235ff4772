/**
 * Map full-width ASCII letters, digits and the number punctuation (．％－＋＿) to half-width, one UTF-16 unit
 * for one, so offsets into the result are offsets into the original text.
 * @example normalizeWidth("２４小时，ＣＯＶＩＤ－１９") // "24小时，COVID-19"
 */
export function normalizeWidth(text: string): string {
  // Hot path (every text and token): most have nothing to map, and scanning is far cheaper than a regex replace.
  let i = 0;
  while (i < text.length && !isFullWidthAscii(text.charCodeAt(i))) i++;
  if (i === text.length) return text;
  // Other full-width punctuation (，：？) is kept: it is the normal Chinese form and readers expect it back.
  return text.replace(/[０-９Ａ-Ｚａ-ｚ．％－＋＿]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

/** The UTF-16 units {@link normalizeWidth} maps: full-width digits, letters and ．％－＋＿. */
function isFullWidthAscii(c: number): boolean {
  if (c < 0xff05 || c > 0xff5a) return false;
  return (c >= 0xff10 && c <= 0xff19) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a) || c === 0xff0e || c === 0xff05 || c === 0xff0d || c === 0xff0b || c === 0xff3f;
}

/** A CJK ideograph of the basic block: no case, no width form, neither punctuation nor space. */
function isCjkLetter(c: number): boolean {
  return c >= 0x4e00 && c <= 0x9fff;
}

/**
 * Replace lone UTF-16 surrogates with U+FFFD (same length), so the UTF-8 round trip through the native
 * segmenter neither loses nor adds characters.
 */
export function replaceLoneSurrogates(text: string): string {
  // Most texts have no surrogate at all (no emoji): skip the lookbehind regex for them.
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) & 0xf800) !== 0xd800) i++;
  if (i === text.length) return text;
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

const PUNCT_OR_SPACE = /^[\p{P}\p{S}\p{Z}\p{C}\s]+$/u;

/** True for a token made only of punctuation, symbols, whitespace or control characters. */
export function isPunctuation(token: string): boolean {
  const c = token.charCodeAt(0);
  if (isCjkLetter(c) || (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) return false;
  return PUNCT_OR_SPACE.test(token);
}

/** True for a token made only of whitespace (including the ideographic space). */
export function isWhitespace(token: string): boolean {
  // Hot path (every token of a text with a space in it): a token starting with anything else is decided at once.
  if (token.length > 0 && !isWhitespaceUnit(token.charCodeAt(0))) return false;
  return token.trim() === "";
}

/** The UTF-16 units JavaScript's `\s` and `trim()` treat as whitespace. */
function isWhitespaceUnit(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * {@link normalizeWidth} then {@link replaceLoneSurrogates} in one scan for the usual text that needs neither
 * (every character of which is below U+D800): the text as the segmentation engine reads it, lengths unchanged.
 */
export function normalizeForEngine(text: string): string {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) < 0xd800) i++;
  if (i === text.length) return text;
  return replaceLoneSurrogates(normalizeWidth(text));
}

/** A number written with ASCII digits: integer, decimal, thousands-separated or percentage. */
const NUMBER = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?%?$|^\d+(?:\.\d+)?%?$/;

/** True for a token that is only a number ("24", "1.2", "3.5%", "1,000"). */
export function isNumber(token: string): boolean {
  return NUMBER.test(token);
}

/** The form a token is indexed and compared in: half-width and lowercase. */
export function indexForm(token: string): string {
  // Hot path (every token, several times): a token of CJK ideographs and ASCII without capitals is its own form.
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 0x80 ? c >= 0x41 && c <= 0x5a : !isCjkLetter(c)) return normalizeWidth(token).toLowerCase();
  }
  return token;
}
