import { invalidInput } from "@liaowang/errors";
import { parseCsv } from "./csv.js";
import { parseFeed } from "./feed.js";
import type { FeedParseOptions } from "./feed.js";
import { fromFeedItems, fromItems, fromLines } from "./intake.js";
import type { ParsedUnit } from "./intake.js";
import { truncate } from "./issues.js";
import { parseNdjson, validateItems, validateRecord } from "./records.js";
import type { RecordDefaults, RecordParseOptions } from "./records.js";

/** What a body or file holds. CSV is never detected from content (any text is "CSV"): callers choose it. */
export type InputFormat = "ndjson" | "json" | "feed" | "csv";

/**
 * Tell NDJSON, a JSON document (array, JSON Feed or single record) and an RSS/Atom feed apart by content.
 * A document starting with "{" is NDJSON unless its first line alone is not a complete JSON value (a
 * pretty-printed object). Returns undefined when it is none of them.
 * @example detectFormat('{"source":"a","text":"b","publishedAt":"2024-05-01"}\n{…}') === "ndjson"
 */
export function detectFormat(text: string): InputFormat | undefined {
  const body = text.replace(/^\ufeff/, "").trimStart();
  const first = body[0];
  if (first === "<") return "feed";
  if (first === "[") return "json";
  if (first !== "{") return undefined;
  const firstLine = body.slice(0, body.indexOf("\n") === -1 ? body.length : body.indexOf("\n")).trim();
  try {
    JSON.parse(firstLine);
    return "ndjson";
  } catch {
    return "json";
  }
}

/** Options for {@link parseJsonDocument}. */
export interface JsonDocumentOptions extends RecordParseOptions {
  /** When the document was fetched: the date of JSON Feed items that have none. */
  readonly fetchedAt: Date | number;
}

/**
 * Parse a JSON document into units: an array of ingest records, a single record object, or a JSON Feed 1.x
 * (`{"version":"https://jsonfeed.org/version/1.1","items":[…]}`), whose items are mapped to records.
 * Throws `invalid_input` only when the whole text is not JSON or none of these shapes.
 * @example parseJsonDocument(body, { defaults: { source: "hotline-api" }, fetchedAt: now })
 */
export function parseJsonDocument(text: string, options: JsonDocumentOptions): ParsedUnit[] {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\ufeff/, ""));
  } catch (error) {
    throw invalidInput(`not valid JSON (${truncate(error instanceof Error ? error.message : String(error), 120)})`, error);
  }
  if (isJsonFeed(value)) return parseJsonFeedItems(value.items, options);
  if (value === null || typeof value !== "object") {
    throw invalidInput(`expected a JSON array of records, one record object or a JSON Feed, got ${value === null ? "null" : typeof value}`);
  }
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return fromItems(validateItems(items, options));
}

function isJsonFeed(value: unknown): value is { version: string; items: unknown[] } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record["version"] === "string" && record["version"].startsWith("https://jsonfeed.org/version/") && Array.isArray(record["items"]);
}

function parseJsonFeedItems(items: unknown[], options: JsonDocumentOptions): ParsedUnit[] {
  const max = options.maxItems ?? 10_000;
  const fallbackDate = new Date(options.fetchedAt).toISOString();
  const units: ParsedUnit[] = items.slice(0, max).map((raw, i) => {
    const n = i + 1;
    const item = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    const str = (key: string) => (typeof item[key] === "string" && item[key] !== "" ? item[key] : undefined);
    const title = str("title");
    const text = str("content_text") ?? str("content_html") ?? str("summary") ?? title;
    const authors = Array.isArray(item["authors"]) ? item["authors"] : item["author"] === undefined ? [] : [item["author"]];
    const firstAuthor: unknown = authors[0];
    const author = firstAuthor !== null && typeof firstAuthor === "object" && typeof (firstAuthor as { name?: unknown }).name === "string" ? (firstAuthor as { name: string }).name : undefined;
    const url = str("url") ?? str("external_url");
    const result = validateRecord(
      {
        text,
        publishedAt: str("date_published") ?? str("date_modified") ?? fallbackDate,
        ...(title === undefined ? {} : { title }),
        ...(url === undefined ? {} : { url }),
        ...(author === undefined ? {} : { author }),
      },
      options.defaults,
    );
    const label = title === undefined ? `item ${n}` : `item ${n} (${truncate(title, 30)})`;
    return result.ok ? { at: { kind: "item", n }, ok: true, record: result.record } : { at: { kind: "item", n }, ok: false, reason: `${label}: ${result.reason}` };
  });
  if (items.length > max) units.push({ at: { kind: "item", n: max + 1 }, ok: false, reason: `items ${max + 1}–${items.length} not read: at most ${max} per document` });
  return units;
}

/** Options for {@link parseDocument}: the source id and region are applied to feeds and fill records that lack them. */
export interface DocumentOptions {
  readonly format?: InputFormat;
  readonly defaults?: RecordDefaults;
  readonly fetchedAt: Date | number;
  readonly baseUrl?: string;
  readonly feed?: Pick<FeedParseOptions, "maxChars" | "maxItems" | "maxItemChars">;
  /** Most JSON array / JSON Feed items read (default 10,000). */
  readonly maxItems?: number;
}

/**
 * Parse a whole decoded document of any supported format into units (format detected unless given).
 * Feeds need `defaults.source`. Throws `invalid_input` when the document as a whole cannot be read.
 * @example parseDocument(text, { defaults: { source: "xinghe-gov" }, fetchedAt: Date.now() })
 */
export function parseDocument(text: string, options: DocumentOptions): { format: InputFormat; units: ParsedUnit[] } {
  const format = options.format ?? detectFormat(text);
  switch (format) {
    case "ndjson":
      return { format, units: fromLines(parseNdjson(text, options.defaults === undefined ? {} : { defaults: options.defaults })) };
    case "json":
      return {
        format,
        units: parseJsonDocument(text, {
          fetchedAt: options.fetchedAt,
          ...(options.defaults === undefined ? {} : { defaults: options.defaults }),
          ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
        }),
      };
    case "feed": {
      const source = options.defaults?.source;
      if (source === undefined) throw invalidInput("a feed needs a source name (e.g. --source NAME)");
      const feed = parseFeed(text, {
        ...options.feed,
        source,
        fetchedAt: options.fetchedAt,
        ...(options.defaults?.region === undefined ? {} : { region: options.defaults.region }),
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      });
      return { format, units: fromFeedItems(feed.items) };
    }
    case "csv":
      return { format, units: parseCsv(text, { ...(options.defaults === undefined ? {} : { defaults: options.defaults }), ...(options.maxItems === undefined ? {} : { maxRows: options.maxItems }) }) };
    case undefined:
      throw invalidInput(`not NDJSON, JSON or an RSS/Atom feed (starts with ${JSON.stringify(truncate(text.replace(/^\ufeff/, "").trimStart(), 20))})`);
  }
}
