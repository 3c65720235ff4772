import { createHash } from "node:crypto";
import { invalidInput } from "@liaowang/errors";
import { RawDocument } from "@liaowang/schemas";
import type { DocumentFlag, IngestRecord, SourceKind } from "@liaowang/schemas";
import { normaliseLine, normaliseText } from "./text.js";

/**
 * The content-derived document id: first 32 hex chars of sha256 over source, title, text and url (already
 * normalised), NUL-separated so field boundaries cannot shift. publishedAt and metrics are deliberately left
 * out: the same post from the same source always gets the same id, so replays, re-polls of a feed whose dates
 * drift, and engagement updates never create a duplicate document. The source is in, so two sources carrying
 * the same wire story stay two documents (near-duplicates are the enrichment simhash's job).
 * @example documentId({ source: "xinghe-gov", title: "通报", text: "造成3人死亡", url: undefined })
 */
export function documentId(parts: { source: string; title?: string | undefined; text: string; url?: string | undefined }): string {
  return createHash("sha256")
    .update([parts.source, parts.title ?? "", parts.text, parts.url ?? ""].join("\u0000"), "utf8")
    .digest("hex")
    .slice(0, 32);
}

/** What a parser noticed about a record that the document must carry (e.g. an unreadable date). */
export interface RecordNotes {
  readonly flags?: readonly DocumentFlag[];
  /** The date text the source gave when it could not be read. */
  readonly dateText?: string;
}

/**
 * How far publishedAt may lie from the ingest time. A date outside is kept as the source's claim but flagged
 * `date_out_of_window`: it is indexed apart (not one monthly index per absurd month) and never moves an
 * incident's onset.
 */
export interface DateWindow {
  /** Oldest accepted age of a post, in days. */
  readonly maxAgeDays: number;
  /** How far in the future a post may be dated (clock skew), in minutes. */
  readonly maxFutureMinutes: number;
}

/** Five years back (replays of archives), fifteen minutes ahead (clock skew). */
export const DEFAULT_DATE_WINDOW: DateWindow = { maxAgeDays: 5 * 366, maxFutureMinutes: 15 };

/**
 * Whether publishedAt lies inside the window around `now`.
 * @example inDateWindow("1001-05-01T00:00:00.000Z", new Date(), DEFAULT_DATE_WINDOW) === false
 */
export function inDateWindow(publishedAt: string, now: Date | number, window: DateWindow): boolean {
  const at = Date.parse(publishedAt);
  const nowMs = new Date(now).getTime();
  return at >= nowMs - window.maxAgeDays * 86_400_000 && at <= nowMs + window.maxFutureMinutes * 60_000;
}

/** Options for {@link normaliseRecord}. */
export interface NormaliseOptions {
  readonly notes?: RecordNotes;
  /** The plausible publishedAt window (default {@link DEFAULT_DATE_WINDOW}). */
  readonly window?: DateWindow;
}

/**
 * Turn a validated ingest record into the raw-topic document: HTML stripped, half-width forms, whitespace
 * collapsed, controls removed, content-derived id, and flags for what is wrong but worth keeping (an unreadable
 * or implausible date, text with U+FFFD replacement characters). Throws `invalid_input` when nothing readable
 * is left.
 * @example normaliseRecord(IngestRecord.parse(line), "file", new Date())
 */
export function normaliseRecord(record: IngestRecord, sourceKind: SourceKind, now: Date | number, options: NormaliseOptions = {}): RawDocument {
  const source = normaliseLine(record.source);
  const text = normaliseText(record.text);
  const title = optionalLine(record.title);
  const url = record.url?.trim();
  if (source.length === 0) throw invalidInput(`record from "${record.source.slice(0, 40)}": source is empty after normalisation`);
  if (text.length === 0) {
    const what = title === undefined ? "record" : `record "${title.slice(0, 40)}"`;
    throw invalidInput(`${what} from ${source}: text is empty after removing HTML and control characters`);
  }
  const author = optionalLine(record.author);
  const region = optionalLine(record.region);
  const flags = new Set<DocumentFlag>(options.notes?.flags ?? []);
  if (!inDateWindow(record.publishedAt, now, options.window ?? DEFAULT_DATE_WINDOW)) flags.add("date_out_of_window");
  if (text.includes("\ufffd") || title?.includes("\ufffd") === true) flags.add("replacement_characters");
  const dateText = options.notes?.dateText;
  return RawDocument.parse({
    v: 1,
    id: documentId({ source, title, text, url }),
    source,
    sourceKind,
    text,
    publishedAt: record.publishedAt,
    ingestedAt: new Date(now).toISOString(),
    lang: "zh",
    ...(title === undefined ? {} : { title }),
    ...(url === undefined ? {} : { url }),
    ...(author === undefined ? {} : { author }),
    ...(region === undefined ? {} : { region }),
    ...(record.metrics === undefined ? {} : { metrics: record.metrics }),
    ...(flags.size === 0 ? {} : { flags: [...flags].sort() }),
    ...(dateText === undefined ? {} : { dateText }),
  });
}

function optionalLine(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const line = normaliseLine(value);
  return line.length > 0 ? line : undefined;
}
