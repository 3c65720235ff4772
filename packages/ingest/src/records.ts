import { invalidInput } from "@liaowang/errors";
import { IngestRecord } from "@liaowang/schemas";
import { describeIssues, truncate } from "./issues.js";

/** One NDJSON line's outcome: the validated record, or why it was rejected (the reason starts with "line N: "). */
export type LineResult = { line: number; ok: true; record: IngestRecord } | { line: number; ok: false; reason: string };

/** One JSON array item's outcome; `index` is the 0-based array index and the reason starts with "index N: ". */
export type ItemResult = { index: number; ok: true; record: IngestRecord } | { index: number; ok: false; reason: string };

/** Values filled in when a record leaves them out, e.g. the configured source id of a JSON API feed. */
export interface RecordDefaults {
  readonly source?: string;
  readonly region?: string;
}

/** Options shared by the record parsers. */
export interface RecordParseOptions {
  /** Fill `source` / `region` when a record has none. */
  readonly defaults?: RecordDefaults;
  /** Longest accepted NDJSON line in bytes (default 1 MiB); longer lines are rejected, not read. */
  readonly maxLineBytes?: number;
  /** Most items read from one JSON array (default 10,000); the rest are reported as one rejection. */
  readonly maxItems?: number;
}

/** Default bound on one NDJSON line: the contract's 200,000-character text in 3-byte UTF-8 plus the other fields. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const DEFAULT_MAX_ITEMS = 10_000;

/**
 * Validate one already-decoded JSON value against the ingest contract; the reason has no position prefix.
 * @example validateRecord({ text: "…", publishedAt: "2024-05-01 09:30" }, { source: "12345" })
 */
export function validateRecord(value: unknown, defaults?: RecordDefaults): { ok: true; record: IngestRecord } | { ok: false; reason: string } {
  const input = withDefaults(value, defaults);
  const result = IngestRecord.safeParse(input);
  if (result.success) return { ok: true, record: result.data };
  return { ok: false, reason: describeIssues(result.error.issues, input) };
}

function withDefaults(value: unknown, defaults: RecordDefaults | undefined): unknown {
  if (defaults === undefined || value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  return {
    ...(defaults.source !== undefined && record["source"] === undefined ? { source: defaults.source } : {}),
    ...(defaults.region !== undefined && record["region"] === undefined ? { region: defaults.region } : {}),
    ...record,
  };
}

/** Parse and validate one NDJSON line's text (without its newline). Blank lines are the caller's to skip. */
export function parseLine(line: number, text: string, options: RecordParseOptions = {}): LineResult {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  // text.length <= bytes, so only long lines pay for the exact UTF-8 count.
  if (text.length > max || (text.length * 3 > max && Buffer.byteLength(text, "utf8") > max)) {
    return { line, ok: false, reason: `line ${line}: longer than ${max} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, ok: false, reason: `line ${line}: not valid JSON (${truncate(error instanceof Error ? error.message : String(error), 120)})` };
  }
  const result = validateRecord(value, options.defaults);
  return result.ok ? { line, ok: true, record: result.record } : { line, ok: false, reason: `line ${line}: ${result.reason}` };
}

/**
 * Parse NDJSON text (or already-split lines) into per-line results; a bad line never stops the good ones.
 * Blank lines are skipped but still counted, so line numbers match an editor's.
 * @example for (const r of parseNdjson(text)) if (!r.ok) console.error(r.reason)
 */
export function* parseNdjson(input: string | Iterable<string>, options: RecordParseOptions = {}): Generator<LineResult> {
  const lines = typeof input === "string" ? input.split("\n") : input;
  let line = 0;
  for (const raw of lines) {
    line += 1;
    let text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === 1 && text.startsWith("\ufeff")) text = text.slice(1);
    if (text.trim().length === 0) continue;
    yield parseLine(line, text, options);
  }
}

/**
 * Parse a JSON array of records (or a single record object, as a webhook body) into per-item results.
 * Throws `invalid_input` only when the text as a whole is not JSON or not an array/object.
 * @example parseJsonArray(body, { defaults: { source: "hotline-api" } }).filter((r) => r.ok)
 */
export function parseJsonArray(text: string, options: RecordParseOptions = {}): ItemResult[] {
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith("\ufeff") ? text.slice(1) : text);
  } catch (error) {
    throw invalidInput(`not valid JSON (${truncate(error instanceof Error ? error.message : String(error), 120)})`, error);
  }
  if (value === null || typeof value !== "object") {
    throw invalidInput(`expected a JSON array of records or one record object, got ${value === null ? "null" : typeof value}`);
  }
  return validateItems(Array.isArray(value) ? value : [value], options);
}

/**
 * Validate already-decoded JSON values as records, each labelled with its 0-based index; at most `maxItems`.
 * @example validateItems(JSON.parse(body), { defaults: { source: "hotline-api" } })
 */
export function validateItems(items: readonly unknown[], options: RecordParseOptions = {}): ItemResult[] {
  const max = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const results: ItemResult[] = items.slice(0, max).map((item, index) => {
    const result = validateRecord(item, options.defaults);
    return result.ok ? { index, ok: true, record: result.record } : { index, ok: false, reason: `index ${index}: ${result.reason}` };
  });
  if (items.length > max) {
    results.push({ index: max, ok: false, reason: `index ${max}: ${items.length - max} more items not read (at most ${max} per document)` });
  }
  return results;
}
