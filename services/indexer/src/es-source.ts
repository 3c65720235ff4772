import { documentIndexFor, toEsDocument } from "@liaowang/es";
import { parseWithSchema, type ParseResult } from "@liaowang/kafka";
import { EnrichedDocument } from "@liaowang/schemas";

/** An enriched record as the indexer writes it: where, under which id, and its Elasticsearch source. */
export interface IndexRecord {
  id: string;
  index: string;
  /**
   * The document's Elasticsearch source as UTF-8 JSON without its closing brace and without `indexedAt`, which the
   * bulk adds ({@link esSource}): what {@link toEsDocument} makes of the enriched document, already serialised, in
   * pieces (mostly ranges of the record's own bytes) that the bulk body copies once.
   */
  head: Buffer[];
}

/** The end of every source in one bulk: its `indexedAt` and the closing brace. */
export function sourceTail(indexedAt: string): Buffer {
  return Buffer.from(`,"indexedAt":${JSON.stringify(indexedAt)}}`);
}

/** The Elasticsearch source of a record, in pieces: its head plus the tail of the bulk that writes it. */
export function esSource(record: IndexRecord, tail: Buffer): Buffer[] {
  return [...record.head, tail];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const SPACE = 0x20;

const ID = /^[0-9a-f]{32}$/;
const ISO_DATE = /^"\d{4}-\d{2}-\d{2}T[^"\\]*"$/;
const TITLE_SEG = Buffer.from('"title_seg"');
const TEXT_SEG = Buffer.from('"text_seg"');
const SEARCH_TERMS = Buffer.from('"search_terms":');

/**
 * Reads an enriched record for indexing without decoding or parsing it: the top-level fields of its JSON bytes are
 * found by scanning, passed on as they are (ranges of the record's own bytes), the segmented ones renamed, `tokens`
 * left out and `searchTerms` joined, so the result is {@link toEsDocument}'s document, serialised. Decoding every
 * enriched post (~2.6 KB), parsing it (~38 µs with the decoding), checking it with the schema (~13 µs), serialising it
 * again (~12 µs) and encoding the bulk body back to UTF-8 was most of the indexer's CPU per post. What the indexer
 * itself relies on is checked here (id, publishedAt, flags, the segmented fields); Elasticsearch's strict mapping
 * checks every field's type, and a document it refuses is dead-lettered with its reason. A record this scan does not
 * recognise (another layout than JSON.stringify's, a missing or odd field) takes the full path: parsed, checked with
 * the schema (a failure is dead-lettered with the schema's reasons) and converted with toEsDocument.
 * @example parseForIndex("liaowang-")(Buffer.from(JSON.stringify(enriched))) // { ok: true, value: { id, index: "liaowang-docs-2026.11", head } }
 */
export function parseForIndex(indexPrefix: string): (value: Buffer) => ParseResult<IndexRecord> {
  return (value) => scanForIndex(value, indexPrefix) ?? fullParse(value, indexPrefix);
}

function fullParse(value: Buffer, indexPrefix: string): ParseResult<IndexRecord> {
  const parsed = parseWithSchema(EnrichedDocument, value.toString());
  if (!parsed.ok) return parsed;
  const source = JSON.stringify({ ...toEsDocument(parsed.value, ""), indexedAt: undefined });
  return { ok: true, value: { id: parsed.value.id, index: documentIndexFor(indexPrefix, parsed.value), head: [Buffer.from(source.slice(0, -1))] } };
}

/**
 * The fast path of {@link parseForIndex}: undefined whenever the bytes are not laid out as JSON.stringify writes an
 * enriched document (the full path then decides).
 */
export function scanForIndex(buf: Buffer, indexPrefix: string): ParseResult<IndexRecord> | undefined {
  const n = buf.length;
  // A raw line break would split the bulk body's NDJSON; JSON.stringify never writes one.
  if (n < 2 || buf[0] !== OPEN_BRACE || buf[n - 1] !== CLOSE_BRACE || buf[1] === CLOSE_BRACE || buf.indexOf(0x0a) >= 0) return undefined;
  // The output: ranges of the record's bytes, with the renamed, joined and dropped fields in between.
  const pieces: Buffer[] = [];
  let runStart = 0;
  const closeRun = (at: number) => {
    if (at > runStart) pieces.push(buf.subarray(runStart, at));
  };
  let id: string | undefined;
  let publishedAt: string | undefined;
  let flags: unknown;
  let segments = 0;
  let pos = 1;
  for (;;) {
    if (buf[pos] !== QUOTE) return undefined;
    const keyEnd = stringEnd(buf, pos);
    if (keyEnd < 0 || buf[keyEnd] !== COLON) return undefined;
    const key = buf.toString("latin1", pos + 1, keyEnd - 1);
    const start = keyEnd + 1;
    const end = valueEnd(buf, start);
    if (end < 0) return undefined;
    const last = buf[end] === CLOSE_BRACE;
    if (!last && buf[end] !== COMMA) return undefined;
    if (last && end !== n - 1) return undefined;
    switch (key) {
      case "tokens":
      case "indexedAt":
        // Left out with its comma (the one after it, or before it when it is the last field).
        closeRun(pos);
        if (last && pieces.length > 0) {
          const previous = pieces[pieces.length - 1]!;
          pieces[pieces.length - 1] = previous.subarray(0, previous.length - 1);
        }
        runStart = last ? end : end + 1;
        break;
      case "titleSeg":
      case "textSeg":
        if (buf[start] !== QUOTE) return undefined;
        segments++;
        closeRun(pos);
        pieces.push(key === "titleSeg" ? TITLE_SEG : TEXT_SEG);
        runStart = keyEnd;
        break;
      case "searchTerms": {
        const joined = joinedStrings(buf, start, end);
        if (joined === undefined) return undefined;
        segments++;
        closeRun(pos);
        pieces.push(SEARCH_TERMS, joined);
        runStart = end;
        break;
      }
      case "id":
        id = end - start === 34 && buf[start] === QUOTE ? buf.toString("latin1", start + 1, end - 1) : undefined;
        if (id === undefined || !ID.test(id)) return undefined;
        break;
      case "publishedAt":
        publishedAt = buf.toString("latin1", start, end);
        if (!ISO_DATE.test(publishedAt)) return undefined;
        publishedAt = publishedAt.slice(1, -1);
        break;
      case "flags":
        flags = jsonOf(buf.toString("utf8", start, end));
        if (!Array.isArray(flags)) return undefined;
        break;
      case "title_seg":
      case "text_seg":
      case "search_terms":
        // Not enriched fields: the full path decides what such a record is.
        return undefined;
      default:
        if (key.includes("\\")) return undefined;
    }
    if (last) break;
    pos = end + 1;
  }
  if (id === undefined || publishedAt === undefined || segments !== 3) return undefined;
  closeRun(n - 1);
  const index = documentIndexFor(indexPrefix, { publishedAt, flags: flags as EnrichedDocument["flags"] });
  return { ok: true, value: { id, index, head: pieces } };
}

/** The value of a JSON text, or undefined when it is not JSON. */
function jsonOf(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The JSON array of strings in `buf[start, end)` as one JSON string of them joined by spaces (what
 * `JSON.stringify(terms.join(" "))` gives), made from the escaped contents without decoding them; undefined when the
 * array holds anything but strings.
 */
function joinedStrings(buf: Buffer, start: number, end: number): Buffer | undefined {
  if (buf[start] !== OPEN_BRACKET || buf[end - 1] !== CLOSE_BRACKET) return undefined;
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  out[o++] = QUOTE;
  let i = start + 1;
  if (i === end - 1) {
    out[o++] = QUOTE;
    return out.subarray(0, o);
  }
  for (;;) {
    if (buf[i] !== QUOTE) return undefined;
    const after = stringEnd(buf, i);
    if (after < 0 || after > end - 1) return undefined;
    o += buf.copy(out, o, i + 1, after - 1);
    if (after === end - 1) break;
    if (buf[after] !== COMMA) return undefined;
    out[o++] = SPACE;
    i = after + 1;
  }
  out[o++] = QUOTE;
  return out.subarray(0, o);
}

/**
 * Where the JSON value starting at `start` ends (the index after it), or -1. Compact JSON only (no whitespace between
 * tokens, as JSON.stringify writes it); strings are skipped to their closing quote, nested values by depth. UTF-8
 * never uses the bytes of `"`, `\`, brackets or braces inside a multi-byte character, so bytes can be scanned as such.
 */
function valueEnd(buf: Buffer, start: number): number {
  const first = buf[start];
  if (first === QUOTE) return stringEnd(buf, start);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let i = start; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === QUOTE) {
        const after = stringEnd(buf, i);
        if (after < 0) return -1;
        i = after - 1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to the next separator.
  for (let i = start; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === COMMA || c === CLOSE_BRACE) return i > start ? i : -1;
    if (c <= SPACE) return -1;
  }
  return -1;
}

/**
 * The index after the string literal opening at `start` (at its first quote not escaped), or -1. Short strings (keys,
 * tokens) are walked byte by byte; past 32 bytes (text, segmented fields) quotes are found natively and a quote
 * preceded by an odd number of backslashes is skipped as escaped.
 */
function stringEnd(buf: Buffer, start: number): number {
  const n = buf.length;
  let i = start + 1;
  for (const stop = Math.min(n, i + 32); i < stop; i++) {
    const c = buf[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  while (i < n) {
    const quote = buf.indexOf(QUOTE, i);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; j > start && buf[j] === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
  return -1;
}
