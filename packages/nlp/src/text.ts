/**
 * Map full-width ASCII letters, digits and the number punctuation (．％－＋＿) to half-width, one UTF-16 unit
 * for one, so offsets into the result are offsets into the original text.
 * @example normalizeWidth("２４小时，ＣＯＶＩＤ－１９") // "24小时，COVID-19"
 */
export function normalizeWidth(text: string): string {
  // Other full-width punctuation (，：？) is kept: it is the normal Chinese form and readers expect it back.
  return text.replace(/[０-９Ａ-Ｚａ-ｚ．％－＋＿]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

/**
 * Replace lone UTF-16 surrogates with U+FFFD (same length), so the UTF-8 round trip through the native
 * segmenter neither loses nor adds characters.
 */
export function replaceLoneSurrogates(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

const PUNCT_OR_SPACE = /^[\p{P}\p{S}\p{Z}\p{C}\s]+$/u;

/** True for a token made only of punctuation, symbols, whitespace or control characters. */
export function isPunctuation(token: string): boolean {
  return PUNCT_OR_SPACE.test(token);
}

/** True for a token made only of whitespace (including the ideographic space). */
export function isWhitespace(token: string): boolean {
  return token.trim() === "";
}

/** A number written with ASCII digits: integer, decimal, thousands-separated or percentage. */
const NUMBER = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?%?$|^\d+(?:\.\d+)?%?$/;

/** True for a token that is only a number ("24", "1.2", "3.5%", "1,000"). */
export function isNumber(token: string): boolean {
  return NUMBER.test(token);
}

/** The form a token is indexed and compared in: half-width and lowercase. */
export function indexForm(token: string): string {
  return normalizeWidth(token).toLowerCase();
}
