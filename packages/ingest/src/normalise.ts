import { createHash } from "node:crypto";
import { invalidInput } from "@liaowang/errors";
import { RawDocument } from "@liaowang/schemas";
import type { IngestRecord, SourceKind } from "@liaowang/schemas";
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

/**
 * Turn a validated ingest record into the raw-topic document: HTML stripped, half-width forms, whitespace
 * collapsed, controls removed, content-derived id. Throws `invalid_input` when nothing readable is left.
 * @example normaliseRecord(IngestRecord.parse(line), "file", new Date())
 */
export function normaliseRecord(record: IngestRecord, sourceKind: SourceKind, now: Date | number): RawDocument {
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
  });
}

function optionalLine(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const line = normaliseLine(value);
  return line.length > 0 ? line : undefined;
}
