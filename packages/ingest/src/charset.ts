import chardet from "chardet";
import iconv from "iconv-lite";

/**
 * Where the charset of a body came from: an admin override, a byte-order mark, the HTTP header, the XML
 * declaration, the bytes themselves (`detected`: no label, or a label the bytes contradicted) or the UTF-8 default.
 */
export type CharsetSource = "override" | "bom" | "header" | "xml-declaration" | "detected" | "default";

/** A decoded body and how its charset was chosen. */
export interface DecodedText {
  readonly text: string;
  /** The charset actually used (after aliasing, e.g. gb2312 → gb18030). */
  readonly charset: string;
  readonly from: CharsetSource;
  /** Why, in words: "header said utf-8, body is GB18030", "XML declaration said gb2312". */
  readonly reason: string;
  /** The label the body contradicted (e.g. "header said utf-8"), when the source is mislabelled. */
  readonly mislabelled?: string;
  /** U+FFFD replacement characters the decode produced (or the body carried): text was lost. */
  readonly replacements: number;
}

// GB2312 and GBK are subsets of GB18030; sites that label GB2312 routinely send GBK-only characters
// (names like 朱镕基, 王堃), so decoding with the superset loses nothing and fixes those.
const ALIASES: Record<string, string> = {
  gb2312: "gb18030", gbk: "gb18030", "x-gbk": "gb18030", cp936: "gb18030", "windows-936": "gb18030",
  "gb_2312-80": "gb18030", "csgb2312": "gb18030", "iso-ir-58": "gb18030", chinese: "gb18030", "euc-cn": "gb18030",
  "iso-8859-1": "windows-1252", latin1: "windows-1252", "us-ascii": "utf-8", ascii: "utf-8", utf8: "utf-8",
  "x-x-big5": "big5", "cn-big5": "big5", "csbig5": "big5", "big5-hkscs": "big5hkscs",
  utf16: "utf-16", utf32: "utf-32", "utf-16le": "utf-16le", "utf-16be": "utf-16be", "utf-32le": "utf-32le", "utf-32be": "utf-32be",
};

/** The charset to decode a label with, or undefined when iconv-lite does not know it. */
export function resolveCharset(label: string): string | undefined {
  const name = label.trim().replace(/^["']|["']$/g, "").toLowerCase();
  if (name.length === 0) return undefined;
  const resolved = ALIASES[name] ?? name;
  return iconv.encodingExists(resolved) ? resolved : undefined;
}

/**
 * The charset parameter of a Content-Type header.
 * @example charsetFromContentType("application/rss+xml; charset=GB2312") === "GB2312"
 */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const match = /;\s*charset\s*=\s*("?)([^";,\s]+)\1/i.exec(contentType);
  return match?.[2];
}

/**
 * The encoding named in an XML declaration, sniffed from the first bytes read as ASCII (the declaration is
 * ASCII in every ASCII-compatible charset, which is every charset Chinese sites use).
 * @example charsetFromXmlDeclaration(bytes) === "gb2312"
 */
export function charsetFromXmlDeclaration(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 512)).toString("latin1");
  const match = /^(?:\ufeff|\xef\xbb\xbf)?\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return match?.[1];
}

function charsetFromBom(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return "utf-8";
  // UTF-32LE's BOM starts with UTF-16LE's, so it is checked first.
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return "utf-32le";
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return "utf-32be";
  if (a === 0xfe && b === 0xff) return "utf-16be";
  if (a === 0xff && b === 0xfe) return "utf-16le";
  return undefined;
}

/**
 * UTF-16/32 without a byte-order mark, from the zero bytes around the first character (XML and JSON start with
 * ASCII: "<", "{", "[" or whitespace), as XML 1.0 Appendix F describes.
 */
function wideFromZeros(bytes: Uint8Array): string | undefined {
  if (bytes.length < 4) return undefined;
  const z = [0, 1, 2, 3].map((i) => bytes[i] === 0);
  if (z[0] && z[1] && z[2] && !z[3]) return "utf-32be";
  if (!z[0] && z[1] && z[2] && z[3]) return "utf-32le";
  if (z[0] && !z[1] && z[2] && !z[3]) return "utf-16be";
  if (!z[0] && z[1] && !z[2] && z[3]) return "utf-16le";
  return undefined;
}

const WIDE = new Set(["utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be", "ucs-2", "utf16le"]);
// Multi-byte charsets whose label is worth trusting over a detector when the bytes fit it.
const CJK_MULTIBYTE = new Set(["gb18030", "big5", "big5hkscs", "cp950", "shift_jis", "euc-jp", "euc-kr"]);
// Evidence is gathered on the first MiB: enough to be sure, bounded in time on a 10 MiB feed.
const SAMPLE_BYTES = 1024 * 1024;
// chardet's names for the charsets we try.
const DETECTOR_NAMES: Record<string, string[]> = { "gb18030": ["GB18030"], big5: ["Big5"], big5hkscs: ["Big5"], "windows-1252": ["ISO-8859-1", "windows-1252"] };

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function countReplacements(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\ufffd"); i !== -1; i = text.indexOf("\ufffd", i + 1)) n++;
  return n;
}

/** Whether the sample decodes without a single invalid sequence (a cut-off last character is not an error). */
function decodesCleanly(sample: Uint8Array, charset: string): boolean {
  try {
    const text = new TextDecoder(charset, { fatal: true }).decode(sample, { stream: sample.length === SAMPLE_BYTES });
    return !text.includes("\ufffd");
  } catch (error) {
    if (error instanceof RangeError) return !iconv.decode(toBuffer(sample), charset).includes("\ufffd"); // TextDecoder does not know it
    return false;
  }
}

function display(charset: string): string {
  return charset === "windows-1252" ? "ISO-8859-1/windows-1252" : charset.toUpperCase().replace(/^BIG5$/, "Big5").replace(/^BIG5HKSCS$/, "Big5-HKSCS");
}

function decoded(bytes: Uint8Array, charset: string, from: CharsetSource, reason: string, mislabelled?: string): DecodedText {
  const text = iconv.decode(toBuffer(bytes), charset);
  return { text, charset, from, reason, ...(mislabelled === undefined ? {} : { mislabelled }), replacements: countReplacements(text) };
}

/**
 * Decode a fetched body by evidence, not by trust. An admin's per-source override wins (for servers that lie),
 * then a byte-order mark, then UTF-16/32 recognised from zero bytes. Otherwise the label (the HTTP charset, else
 * the XML declaration) is used only when the bytes fit it strictly: when they do not (invalid sequences, a
 * single-byte Western label over Chinese bytes, a declaration contradicting the header), the declaration,
 * UTF-8, GB18030 and Big5 are tried and the one that decodes cleanly and that the `chardet` detector rates
 * highest is taken, and the label is reported as wrong. Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the
 * label says (GBK or Big5 text is practically never valid UTF-8). GB2312/GBK decode as GB18030.
 * @example decodeBody(bytes, "application/rss+xml; charset=utf-8") // { charset: "gb18030", reason: "header said utf-8, body is GB18030", … }
 */
export function decodeBody(bytes: Uint8Array, contentType?: string, override?: string): DecodedText {
  const overridden = override === undefined ? undefined : resolveCharset(override);
  if (overridden !== undefined) return decoded(bytes, overridden, "override", `configured charset ${override}`);
  const bom = charsetFromBom(bytes);
  if (bom !== undefined) return decoded(bytes, bom, "bom", `byte-order mark: ${display(bom)}`);

  const headerLabel = charsetFromContentType(contentType);
  const declarationLabel = charsetFromXmlDeclaration(bytes);
  const header = headerLabel === undefined ? undefined : resolveCharset(headerLabel);
  const declaration = declarationLabel === undefined ? undefined : resolveCharset(declarationLabel);
  // The label a trusting reader would have used, and how to name it in a reason.
  const trusted = header !== undefined ? { charset: header, from: "header" as const, said: `header said ${headerLabel}` } : declaration !== undefined ? { charset: declaration, from: "xml-declaration" as const, said: `XML declaration said ${declarationLabel}` } : undefined;
  const unknownLabel = headerLabel !== undefined && header === undefined ? `header said ${headerLabel} (unknown)` : undefined;
  const verdict = (charset: string, how: string): DecodedText => {
    if (trusted !== undefined && trusted.charset === charset) return decoded(bytes, charset, trusted.from, trusted.said);
    if (trusted !== undefined) return decoded(bytes, charset, "detected", `${trusted.said}, ${how}`, trusted.said);
    // No label at all is right only for UTF-8 (XML's default); anything else had to be guessed.
    const said = unknownLabel ?? "no charset label";
    return decoded(bytes, charset, "detected", `${said}, ${how}`, charset === "utf-8" && unknownLabel === undefined ? undefined : said);
  };

  const wide = wideFromZeros(bytes);
  if (wide !== undefined) {
    // The declaration of a wide body is only readable once decoded; "UTF-16" there (or in the header) is right.
    const declared = charsetFromXmlDeclaration(Buffer.from(iconv.decode(toBuffer(bytes.subarray(0, 1024)), wide)));
    const label = [header, declared === undefined ? undefined : resolveCharset(declared)].find((c) => c !== undefined);
    if (label !== undefined && (label === wide || label === "utf-16" || label === "utf-32") && (label.startsWith("utf-32") === wide.startsWith("utf-32"))) {
      return decoded(bytes, wide, header === label ? "header" : "xml-declaration", `${header === label ? `header said ${headerLabel}` : `XML declaration said ${declared}`}, ${display(wide)} without a byte-order mark`);
    }
    return verdict(wide, `body is ${display(wide)} without a byte-order mark`);
  }

  const sample = bytes.subarray(0, SAMPLE_BYTES);
  if (!sample.some((byte) => byte >= 0x80)) {
    // Plain ASCII reads the same in every ASCII-compatible charset: nothing to contradict, except a wide label.
    if (trusted !== undefined && !WIDE.has(trusted.charset)) return decoded(bytes, trusted.charset, trusted.from, trusted.said);
    return trusted === undefined ? decoded(bytes, "utf-8", "default", unknownLabel ?? "no charset label, ASCII text") : verdict("utf-8", "body is ASCII");
  }
  if (decodesCleanly(sample, "utf-8")) return verdict("utf-8", "body is UTF-8");

  // Not UTF-8: the label if it is a multi-byte charset the bytes fit and no other fits clearly better.
  const candidates = [...new Set([trusted?.charset, declaration, "gb18030", "big5"])].filter((c): c is string => c !== undefined && c !== "utf-8" && !WIDE.has(c));
  const clean = candidates.filter((c) => decodesCleanly(sample, c));
  const confidence = detectorConfidence(sample);
  const score = (c: string) => Math.max(0, ...(DETECTOR_NAMES[c] ?? [c]).map((name) => confidence.get(name.toLowerCase()) ?? 0));
  if (trusted !== undefined && CJK_MULTIBYTE.has(trusted.charset) && clean.includes(trusted.charset)) {
    const rival = clean.filter((c) => c !== trusted.charset && CJK_MULTIBYTE.has(c)).sort((a, b) => score(b) - score(a))[0];
    // GB18030 and Big5 bytes each decode "cleanly" in the other; only a clear detector verdict overrides the label.
    if (rival === undefined || score(rival) < Math.max(50, score(trusted.charset) + 30)) return decoded(bytes, trusted.charset, trusted.from, trusted.said);
    return verdict(rival, `body is ${display(rival)}`);
  }
  const best = clean.filter((c) => CJK_MULTIBYTE.has(c)).sort((a, b) => score(b) - score(a) || candidates.indexOf(a) - candidates.indexOf(b))[0];
  const singleByte = trusted !== undefined && !CJK_MULTIBYTE.has(trusted.charset) && !WIDE.has(trusted.charset) && clean.includes(trusted.charset) ? trusted.charset : undefined;
  if (best !== undefined && (singleByte === undefined || score(best) >= score(singleByte))) return verdict(best, `body is ${display(best)}`);
  if (singleByte !== undefined) return decoded(bytes, singleByte, trusted!.from, trusted!.said);
  // Nothing fits: decode as the label (else UTF-8) and let the replacement characters flag what was lost.
  const fallback = trusted?.charset !== undefined && !WIDE.has(trusted.charset) ? trusted.charset : "utf-8";
  const result = decoded(bytes, fallback, trusted?.charset === fallback ? trusted.from : "default", "");
  return { ...result, reason: `${trusted?.said ?? unknownLabel ?? "no charset label"}, but no charset decodes the body cleanly: read as ${display(fallback)} with ${result.replacements} replacement character(s)` };
}

function detectorConfidence(sample: Uint8Array): Map<string, number> {
  return new Map(chardet.analyse(sample).map((match) => [match.name.toLowerCase(), match.confidence]));
}

/**
 * Decode a file with no declared charset (an Excel/WPS CSV export): UTF-8 when the bytes are valid UTF-8
 * (or carry a BOM), otherwise GB18030, which is what Chinese Windows saves as "ANSI".
 * @example decodeUnlabelled(readFileSync("hotline.csv")).text
 */
export function decodeUnlabelled(bytes: Uint8Array): DecodedText {
  const bom = charsetFromBom(bytes);
  if (bom !== undefined) return decoded(bytes, bom, "bom", `byte-order mark: ${display(bom)}`);
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { text, charset: "utf-8", from: "default", reason: "no charset label, body is UTF-8", replacements: countReplacements(text) };
  } catch {
    return decoded(bytes, "gb18030", "default", "no charset label, not UTF-8: read as GB18030");
  }
}
