/** A token the native segmenter may have cut out of a longer Latin word or number: only [A-Za-z0-9.,\-_+%']. */
function isAsciiPiece(token: string): boolean {
  if (token.length === 0) return false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (!(isAlnum(c) || c === 0x2e || c === 0x2c || c === 0x2d || c === 0x5f || c === 0x2b || c === 0x25 || c === 0x27)) return false;
  }
  return true;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** A piece of letters and digits only: an atom of its own (the hot path: most runs are one such piece, "24"). */
function isAlnumOnly(token: string): boolean {
  for (let i = 0; i < token.length; i++) if (!isAlnum(token.charCodeAt(i))) return false;
  return true;
}

/**
 * One Latin word or number: letters/digits joined by . - _ + ' (COVID-19, PM2.5, e-mail), a thousands-separated
 * number (1,000), each optionally followed by %; anything else in a run is one character per token.
 */
const ATOM = /\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|[A-Za-z0-9]+(?:[.\-_+'][A-Za-z0-9]+)*%?|[\s\S]/g;

/** True when tokens[i] begins a run {@link mergeAsciiRuns} may change: an ASCII piece followed by another, or one that is not letters and digits alone. */
function startsRun(tokens: readonly string[], i: number): boolean {
  const token = tokens[i]!;
  if (!isAsciiPiece(token)) return false;
  return (i + 1 < tokens.length && isAsciiPiece(tokens[i + 1]!)) || !isAlnumOnly(token);
}

/**
 * Re-join Latin words, numbers, decimals and percentages that the segmenter split ("2","4" → "24";
 * "1",".","2" → "1.2"; "COVID","-","19" → "COVID-19"). Tokens mixing CJK and ASCII (user-dictionary
 * words such as "12345热线") are left as they are. The concatenation of the output equals that of the input; when
 * nothing is re-joined, the output is `tokens` itself.
 * @example mergeAsciiRuns(["拨打", "1", "2", "3", "热线"]) // ["拨打", "123", "热线"]
 */
export function mergeAsciiRuns(tokens: string[]): string[] {
  // Hot path (every text): most have no run to re-join, and then the tokens are handed back as they are.
  let first = 0;
  while (first < tokens.length && !startsRun(tokens, first)) first++;
  if (first === tokens.length) return tokens;
  const out = tokens.slice(0, first);
  for (let i = first; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!isAsciiPiece(token)) {
      out.push(token);
      continue;
    }
    let end = i + 1;
    while (end < tokens.length && isAsciiPiece(tokens[end]!)) end++;
    if (end === i + 1 && isAlnumOnly(token)) out.push(token);
    else for (const atom of tokens.slice(i, end).join("").match(ATOM) ?? []) out.push(atom);
    i = end - 1;
  }
  return out;
}
