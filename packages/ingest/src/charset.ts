import iconv from "iconv-lite";

/** Where the charset of a body came from. */
export type CharsetSource = "override" | "bom" | "header" | "xml-declaration" | "default";

/** A decoded body and how its charset was chosen. */
export interface DecodedText {
  readonly text: string;
  /** The charset actually used (after aliasing, e.g. gb2312 → gb18030). */
  readonly charset: string;
  readonly from: CharsetSource;
}

// GB2312 and GBK are subsets of GB18030; sites that label GB2312 routinely send GBK-only characters
// (names like 朱镕基, 王堃), so decoding with the superset loses nothing and fixes those.
const ALIASES: Record<string, string> = {
  gb2312: "gb18030", gbk: "gb18030", "x-gbk": "gb18030", cp936: "gb18030", "windows-936": "gb18030",
  "gb_2312-80": "gb18030", "csgb2312": "gb18030", "iso-ir-58": "gb18030", chinese: "gb18030",
  "iso-8859-1": "windows-1252", latin1: "windows-1252", "us-ascii": "utf-8", ascii: "utf-8",
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
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  return undefined;
}

/**
 * Decode a fetched body. Order: an admin's per-source override (for servers that lie), a byte-order mark (it
 * is the bytes themselves, and WHATWG Encoding lets it win over labels), the HTTP Content-Type charset, the
 * XML declaration, else UTF-8. Unknown labels are skipped, not fatal. GB2312/GBK decode as GB18030.
 * @example decodeBody(bytes, "application/rss+xml; charset=gb2312").text
 */
export function decodeBody(bytes: Uint8Array, contentType?: string, override?: string): DecodedText {
  const candidates: [CharsetSource, string | undefined][] = [
    ["override", override],
    ["bom", charsetFromBom(bytes)],
    ["header", charsetFromContentType(contentType)],
    ["xml-declaration", charsetFromXmlDeclaration(bytes)],
  ];
  for (const [from, label] of candidates) {
    const charset = label === undefined ? undefined : resolveCharset(label);
    if (charset !== undefined) return { text: iconv.decode(toBuffer(bytes), charset), charset, from };
  }
  return { text: iconv.decode(toBuffer(bytes), "utf-8"), charset: "utf-8", from: "default" };
}

/**
 * Decode a file with no declared charset (an Excel/WPS CSV export): UTF-8 when the bytes are valid UTF-8
 * (or carry a BOM), otherwise GB18030, which is what Chinese Windows saves as "ANSI".
 * @example decodeUnlabelled(readFileSync("hotline.csv")).text
 */
export function decodeUnlabelled(bytes: Uint8Array): DecodedText {
  const bom = charsetFromBom(bytes);
  if (bom !== undefined) return { text: iconv.decode(toBuffer(bytes), bom), charset: bom, from: "bom" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), charset: "utf-8", from: "default" };
  } catch {
    return { text: iconv.decode(toBuffer(bytes), "gb18030"), charset: "gb18030", from: "default" };
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
