/** A quantity read from Chinese text: a value plus what the wording says about its precision. */
export interface Quantity {
  /** The number to compare against thresholds: the stated number, or the lower bound of a vague one. */
  value: number;
  /** True for vague wording ("十几", "数十", "30余", "上百"). */
  approx: boolean;
  /** Lower bound when the wording gives one ("30余" ≥ 30). */
  min?: number | undefined;
  /** Upper bound when the wording gives one ("十几" ≤ 19, "三四" ≤ 4). */
  max?: number | undefined;
}

const CN_DIGITS: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
  壹: 1, 贰: 2, 叁: 3, 肆: 4, 伍: 5, 陆: 6, 柒: 7, 捌: 8, 玖: 9,
};
const SMALL_UNITS: Readonly<Record<string, number>> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG_UNITS: Readonly<Record<string, number>> = { 万: 1e4, 亿: 1e8 };

/** Characters {@link parseQuantity} understands, for building patterns around it. */
export const QUANTITY_CHARS = "0-9.,零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾百佰千仟万亿余多几数来许上成";

type Piece =
  | { kind: "arabic"; value: number }
  | { kind: "digit"; value: number; vague?: "lead" | "trail" }
  | { kind: "small"; value: number }
  | { kind: "big"; value: number }
  | { kind: "approx"; marker: string };

const ARABIC = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?/;

function tokenize(text: string): Piece[] | undefined {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const arabic = ARABIC.exec(rest);
    if (arabic) {
      pieces.push({ kind: "arabic", value: Number(arabic[0].replaceAll(",", "")) });
      i += arabic[0].length;
      continue;
    }
    const ch = text[i] ?? "";
    const digit = CN_DIGITS[ch];
    if (digit !== undefined) pieces.push({ kind: "digit", value: digit });
    else if (SMALL_UNITS[ch] !== undefined) pieces.push({ kind: "small", value: SMALL_UNITS[ch] });
    else if (BIG_UNITS[ch] !== undefined) pieces.push({ kind: "big", value: BIG_UNITS[ch] });
    else if (ch === "几" || ch === "数") pieces.push({ kind: "digit", value: 0, vague: pieces.length === 0 ? "lead" : "trail" });
    else if (ch === "上" || ch === "成") {
      // 上百 / 成千: "reaching a hundred / a thousand", only meaningful before a unit.
      const next = text[i + 1] ?? "";
      if (pieces.length !== 0 || (SMALL_UNITS[next] === undefined && BIG_UNITS[next] === undefined)) return undefined;
      pieces.push({ kind: "digit", value: 1 });
      pieces.push({ kind: "approx", marker: "上" });
    } else if (ch === "余" || ch === "多" || ch === "来" || ch === "许") pieces.push({ kind: "approx", marker: ch });
    else return undefined;
    i += 1;
  }
  return pieces;
}

/** Evaluate digits and units, reading a vague digit (几/数) as `vagueAs`. */
function evaluate(pieces: readonly Piece[], vagueAs: { lead: number; trail: number }): number | undefined {
  let total = 0;
  let section = 0;
  let number: number | undefined;
  let lastSmall = Infinity;
  // Digits written one by one without units ("二〇二三", "一〇五") are positional.
  let positional: number | undefined;
  for (const piece of pieces) {
    switch (piece.kind) {
      case "arabic":
        if (number !== undefined) return undefined;
        number = piece.value;
        break;
      case "digit": {
        const value = piece.vague === undefined ? piece.value : vagueAs[piece.vague];
        // 零 after a unit is a filler ("一百零五", "一千零五十"), not a positional digit.
        if (value === 0 && piece.vague === undefined && number === undefined && (section > 0 || total > 0)) break;
        if (number !== undefined) {
          positional = (positional ?? number) * 10 + value;
          number = positional;
        } else number = value;
        break;
      }
      case "small":
        if (piece.value >= lastSmall || positional !== undefined) return undefined;
        section += (number ?? 1) * piece.value;
        lastSmall = piece.value;
        number = undefined;
        break;
      case "big":
        if (piece.value === 1e8) {
          total = (total + section + (number ?? 0)) * 1e8;
          if (total === 0) return undefined;
          section = 0;
        } else {
          section = (section + (number ?? 0)) * piece.value;
          if (section === 0) return undefined;
        }
        number = undefined;
        positional = undefined;
        lastSmall = Infinity;
        break;
      case "approx":
        break;
      default: {
        const exhaustive: never = piece;
        return exhaustive;
      }
    }
  }
  const value = total + section + (number ?? 0);
  return Math.round(value * 100) / 100;
}

/** "二三十" → 20–30, "三四" → 3–4, "十二三" → 12–13: two neighbouring digits name a range. */
function neighbourRange(pieces: readonly Piece[]): { low: Piece[]; high: Piece[] } | undefined {
  for (let i = 0; i + 1 < pieces.length; i++) {
    const a = pieces[i];
    const b = pieces[i + 1];
    if (a?.kind !== "digit" || b?.kind !== "digit" || a.vague !== undefined || b.vague !== undefined) continue;
    const consecutive = b.value === a.value + 1 || (a.value === 1 && b.value === 2);
    const prev = pieces[i - 1];
    const next = pieces[i + 2];
    // Only an isolated pair: "一〇五" or "二〇二三" are positional digits, not ranges.
    if (!consecutive || a.value === 0 || prev?.kind === "digit" || next?.kind === "digit") continue;
    return { low: [...pieces.slice(0, i + 1), ...pieces.slice(i + 2)], high: [...pieces.slice(0, i), ...pieces.slice(i + 1)] };
  }
  return undefined;
}

/**
 * Read a number written in Arabic or Chinese numerals or a mix of both, with vague forms: "十二" → 12,
 * "一百零五" → 105, "1.2亿" → 120000000, "5000万" → 50000000, "30余" → ≥ 30, "十几" → 11–19, "数十" → 20–90,
 * "上百" → ≥ 100, "三四" → 3–4. Returns undefined for anything else (text must be half-width).
 * @example parseQuantity("3000余万") // { value: 30000000, approx: true, min: 30000000 }
 */
export function parseQuantity(text: string): Quantity | undefined {
  if (text === "") return undefined;
  const pieces = tokenize(text);
  if (pieces === undefined || !pieces.some((p) => p.kind === "arabic" || p.kind === "digit" || p.kind === "small")) return undefined;
  const markers = pieces.flatMap((p) => (p.kind === "approx" ? [p.marker] : []));
  if (markers.length > 1 || pieces[0]?.kind === "approx") return undefined;
  const range = neighbourRange(pieces);
  if (range) {
    const low = evaluate(range.low, { lead: 2, trail: 1 });
    const high = evaluate(range.high, { lead: 2, trail: 1 });
    if (low === undefined || high === undefined) return undefined;
    return { value: low, approx: true, min: low, max: high };
  }
  const vague = pieces.some((p) => p.kind === "digit" && p.vague !== undefined);
  // 几/数 at the front means "a few" (at least two: 几十 ≥ 20); after a unit, one to nine (十几 = 11–19).
  const value = evaluate(pieces, { lead: 2, trail: 1 });
  if (value === undefined) return undefined;
  const marker = markers[0];
  if (vague && marker !== "上") {
    const max = evaluate(pieces, { lead: 9, trail: 9 });
    return { value, approx: true, min: value, ...(max === undefined ? {} : { max }) };
  }
  if (marker === undefined) return { value, approx: false };
  // 余/多/上 state a lower bound ("30余人" is more than 30); 来/许 only "about".
  if (marker === "余" || marker === "多" || marker === "上") return { value, approx: true, min: value };
  return { value, approx: true };
}
