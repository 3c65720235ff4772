/** A token the native segmenter may have cut out of a longer Latin word or number. */
const ASCII_PIECE = /^[A-Za-z0-9.,\-_+%']+$/;

/**
 * One Latin word or number: letters/digits joined by . - _ + ' (COVID-19, PM2.5, e-mail), a thousands-separated
 * number (1,000), each optionally followed by %; anything else in a run is one character per token.
 */
const ATOM = /\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|[A-Za-z0-9]+(?:[.\-_+'][A-Za-z0-9]+)*%?|[\s\S]/g;

/**
 * Re-join Latin words, numbers, decimals and percentages that the segmenter split ("2","4" → "24";
 * "1",".","2" → "1.2"; "COVID","-","19" → "COVID-19"). Tokens mixing CJK and ASCII (user-dictionary
 * words such as "12345热线") are left as they are. The concatenation of the output equals that of the input.
 * @example mergeAsciiRuns(["拨打", "1", "2", "3", "热线"]) // ["拨打", "123", "热线"]
 */
export function mergeAsciiRuns(tokens: readonly string[]): string[] {
  const out: string[] = [];
  let run = "";
  const flush = (): void => {
    if (run === "") return;
    for (const atom of run.match(ATOM) ?? []) out.push(atom);
    run = "";
  };
  for (const token of tokens) {
    if (ASCII_PIECE.test(token)) {
      run += token;
    } else {
      flush();
      out.push(token);
    }
  }
  flush();
  return out;
}
