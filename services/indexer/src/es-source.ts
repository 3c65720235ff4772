import { documentIndexFor, toEsDocument } from "@liaowang/es";
import { parseWithSchema, type ParseResult } from "@liaowang/kafka";
import { EnrichedDocument } from "@liaowang/schemas";

/** An enriched record as the indexer writes it: where, under which id, and its Elasticsearch source. */
export interface IndexRecord {
  id: string;
  index: string;
  /**
   * The document's Elasticsearch source as JSON without its closing brace and without `indexedAt`, which the bulk adds
   * (`${head},"indexedAt":"…"}`): what {@link toEsDocument} makes of the enriched document, already serialised.
   */
  head: string;
}

/** The Elasticsearch source of a record: its head plus the time of the bulk that writes it. */
export function esSource(record: IndexRecord, indexedAt: string): string {
  return `${record.head},"indexedAt":${JSON.stringify(indexedAt)}}`;
}

const ID = /^"[0-9a-f]{32}"$/;
const ISO_DATE = /^"\d{4}-\d{2}-\d{2}T[^"\\]*"$/;

/**
 * Reads an enriched record's JSON for indexing without parsing the whole document: its top-level fields are found by
 * scanning (strings are skipped with `indexOf`), passed on as their JSON text, the segmented ones renamed, `tokens`
 * left out and `searchTerms` joined, so the result is {@link toEsDocument}'s document, serialised. Parsing every
 * enriched post (~2.6 KB, ~38 µs), checking it with the schema (~13 µs) and serialising it again (~12 µs) was most of
 * the indexer's CPU per post. What the indexer itself relies on is checked here (id, publishedAt, flags, the
 * segmented fields); Elasticsearch's strict mapping checks every field's type, and a document it refuses is
 * dead-lettered with its reason. A record this scan does not recognise (another field order or JSON layout than
 * JSON.stringify's, a missing or odd field) takes the full path: parsed, checked with the schema (a failure is
 * dead-lettered with the schema's reasons) and converted with toEsDocument.
 * @example parseForIndex("liaowang-")(JSON.stringify(enriched)) // { ok: true, value: { id, index: "liaowang-docs-2026.11", head } }
 */
export function parseForIndex(indexPrefix: string): (text: string) => ParseResult<IndexRecord> {
  return (text) => scanForIndex(text, indexPrefix) ?? fullParse(text, indexPrefix);
}

function fullParse(text: string, indexPrefix: string): ParseResult<IndexRecord> {
  const parsed = parseWithSchema(EnrichedDocument, text);
  if (!parsed.ok) return parsed;
  const source = JSON.stringify({ ...toEsDocument(parsed.value, ""), indexedAt: undefined });
  return { ok: true, value: { id: parsed.value.id, index: documentIndexFor(indexPrefix, parsed.value), head: source.slice(0, -1) } };
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
 * The fast path of {@link parseForIndex}: undefined whenever the text is not laid out as JSON.stringify writes an
 * enriched document (the full path then decides).
 */
export function scanForIndex(text: string, indexPrefix: string): ParseResult<IndexRecord> | undefined {
  // A raw line break would split the bulk body's NDJSON; JSON.stringify never writes one.
  if (text.charCodeAt(0) !== 0x7b /* { */ || text.includes("\n")) return undefined;
  const parts: string[] = [];
  let id: string | undefined;
  let publishedAt: string | undefined;
  let flags: unknown;
  let segments = 0;
  let pos = 1;
  if (text.charCodeAt(pos) === 0x7d /* } */) return undefined;
  for (;;) {
    if (text.charCodeAt(pos) !== 0x22 /* " */) return undefined;
    const keyEnd = text.indexOf('"', pos + 1);
    if (keyEnd < 0) return undefined;
    const key = text.slice(pos + 1, keyEnd);
    if (key.includes("\\") || text.charCodeAt(keyEnd + 1) !== 0x3a /* : */) return undefined;
    const start = keyEnd + 2;
    const end = valueEnd(text, start);
    if (end < 0) return undefined;
    const raw = text.slice(start, end);
    switch (key) {
      case "tokens":
      case "indexedAt":
        break;
      case "titleSeg":
      case "textSeg":
        if (raw.charCodeAt(0) !== 0x22) return undefined;
        segments++;
        parts.push(`"${key === "titleSeg" ? "title_seg" : "text_seg"}":${raw}`);
        break;
      case "searchTerms": {
        const joined = joinedStrings(raw);
        if (joined === undefined) return undefined;
        segments++;
        parts.push(`"search_terms":${joined}`);
        break;
      }
      case "title_seg":
      case "text_seg":
      case "search_terms":
        // Not enriched fields: the full path decides what such a record is.
        return undefined;
      default:
        if (key === "id") {
          if (!ID.test(raw)) return undefined;
          id = raw.slice(1, -1);
        } else if (key === "publishedAt") {
          if (!ISO_DATE.test(raw)) return undefined;
          publishedAt = raw.slice(1, -1);
        } else if (key === "flags") {
          flags = jsonOf(raw);
          if (!Array.isArray(flags)) return undefined;
        }
        parts.push(`"${key}":${raw}`);
    }
    const next = text.charCodeAt(end);
    if (next === 0x2c /* , */) {
      pos = end + 1;
      continue;
    }
    if (next === 0x7d /* } */ && end === text.length - 1) break;
    return undefined;
  }
  if (id === undefined || publishedAt === undefined || segments !== 3) return undefined;
  const index = documentIndexFor(indexPrefix, { publishedAt, flags: flags as EnrichedDocument["flags"] });
  return { ok: true, value: { id, index, head: `{${parts.join(",")}` } };
}

/**
 * Where the JSON value starting at `start` ends (the index after it), or -1. Compact JSON only (no whitespace between
 * tokens, as JSON.stringify writes it); strings are skipped to their closing quote, nested values by depth.
 */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === 0x22) return stringEnd(text, start);
  if (first === 0x7b || first === 0x5b /* { [ */) {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const after = stringEnd(text, i);
        if (after < 0) return -1;
        i = after - 1;
      } else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to the next separator.
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x7d) return i > start ? i : -1;
    if (c <= 0x20) return -1;
  }
  return -1;
}

/**
 * A JSON array of strings as one JSON string of them joined by spaces (what `terms.join(" ")` serialises to), built
 * from the escaped contents without decoding them; undefined when the array holds anything but strings.
 */
function joinedStrings(raw: string): string | undefined {
  if (raw === "[]") return '""';
  const contents: string[] = [];
  let i = 1;
  for (;;) {
    if (raw.charCodeAt(i) !== 0x22) return undefined;
    const end = stringEnd(raw, i);
    if (end < 0) return undefined;
    contents.push(raw.slice(i + 1, end - 1));
    const next = raw.charCodeAt(end);
    if (next === 0x5d /* ] */ && end === raw.length - 1) return `"${contents.join(" ")}"`;
    if (next !== 0x2c) return undefined;
    i = end + 1;
  }
}

/** The index after the string literal opening at `start` (its closing quote is the first not escaped), or -1. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}
