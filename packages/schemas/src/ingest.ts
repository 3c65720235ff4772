import { z } from "zod";

/** Beijing time offset: feeds and records without a zone are read as UTC+8 (China has no DST). */
const BEIJING_OFFSET = "+08:00";

/**
 * Parse an ISO-8601 timestamp; one without a zone is taken as Beijing time.
 * @example toUtcIso("2024-05-01T09:30:00") === "2024-05-01T01:30:00.000Z"
 */
export function toUtcIso(value: string): string | undefined {
  const trimmed = value.trim();
  const hasZone = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(trimmed);
  const withTime = /T|\s\d{1,2}:/.test(trimmed) ? trimmed.replace(" ", "T") : `${trimmed}T00:00:00`;
  const candidate = hasZone ? withTime : `${withTime}${BEIJING_OFFSET}`;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:?\d{2})$/.test(candidate)) return undefined;
  const ms = Date.parse(candidate);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const isoTimestamp = z.string().transform((value, ctx) => {
  const iso = toUtcIso(value);
  if (iso === undefined) {
    ctx.addIssue({ code: "custom", message: `expected an ISO-8601 date-time, got "${value.slice(0, 40)}"` });
    return z.NEVER;
  }
  return iso;
});

const count = z.number().int().nonnegative();

/** Engagement counters a source may report with a post. */
export const Metrics = z.object({
  reposts: count.optional(),
  comments: count.optional(),
  likes: count.optional(),
});
export type Metrics = z.infer<typeof Metrics>;

/**
 * The ingest contract: one NDJSON line, webhook body or API item (ARCHITECTURE §4).
 * `publishedAt` is normalised to UTC ISO; a value without a zone is Beijing time.
 */
export const IngestRecord = z.object({
  source: z.string().trim().min(1, "source must not be empty").max(200),
  text: z.string().min(1, "text must not be empty").max(200_000),
  title: z.string().max(2_000).optional(),
  url: z.url({ protocol: /^https?$/ }).max(4_096).optional(),
  author: z.string().max(500).optional(),
  publishedAt: isoTimestamp,
  region: z.string().max(200).optional(),
  lang: z.literal("zh").optional(),
  metrics: Metrics.optional(),
});
export type IngestRecordInput = z.input<typeof IngestRecord>;
export type IngestRecord = z.output<typeof IngestRecord>;

/** How a record reached us; lets analysts filter and lets the flatline check know what to expect. */
export const SourceKind = z.enum(["rss", "atom", "json", "webhook", "hotline", "file", "api"]);
export type SourceKind = z.infer<typeof SourceKind>;
