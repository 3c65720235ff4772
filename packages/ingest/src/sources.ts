import { readConfigFile } from "@liaowang/config";
import { validateDetailed } from "node-cron";
import { z } from "zod";
import { resolveCharset } from "./charset.js";

/** Feed kinds a source can be: RSS 2.0/1.0, Atom, or JSON (an array of ingest records or a JSON Feed). */
export const FeedKind = z.enum(["rss", "atom", "json"]);
export type FeedKind = z.infer<typeof FeedKind>;

const cronExpression = z.string().superRefine((value, ctx) => {
  const result = validateDetailed(value);
  if (!result.valid) {
    const why = result.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    ctx.addIssue({ code: "custom", message: `expected a node-cron expression such as "*/5 * * * *" (${why || "invalid"})` });
  }
});

/** One polled source in config/sources.yaml. */
export const SourceConfig = z
  .object({
    /** The source id every record from this feed carries (letters, digits, '.', '_', '-'). */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "expected a lowercase id of letters, digits, '.', '_' or '-' (at most 100)"),
    /** A human-readable name, e.g. 星河市人民政府. */
    title: z.string().min(1).max(200).optional(),
    kind: FeedKind,
    url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }),
    /** When to poll, a node-cron expression (5 fields, or 6 with seconds), in `timezone`. */
    schedule: cronExpression,
    region: z.string().min(1).max(200).optional(),
    enabled: z.boolean().default(true),
    /** A local medium of the deployment's jurisdiction (config/jurisdiction.yaml): its posts naming no place count as local. */
    local: z.boolean().optional(),
    /** Decode with this charset whatever the server or the XML declaration says (for feeds that lie). */
    charset: z
      .string()
      .max(40)
      .refine((label) => resolveCharset(label) !== undefined, "expected a charset name such as gb18030, gbk or utf-8")
      .optional(),
  })
  .strict();
export type SourceConfig = z.output<typeof SourceConfig>;

/** The whole sources file: a list of sources with unique names, and the time zone schedules are read in. */
export const SourcesFile = z
  .object({
    /** IANA time zone the cron schedules are in (default Asia/Shanghai: "0 8 * * *" means 08:00 Beijing time). */
    timezone: z
      .string()
      .min(1)
      .default("Asia/Shanghai")
      .refine((zone) => isTimeZone(zone), "expected an IANA time zone such as Asia/Shanghai"),
    sources: z.array(SourceConfig).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.sources.forEach((source, index) => {
      const first = seen.get(source.name);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: ["sources", index, "name"], message: `duplicate source name (also sources.${first}.name)` });
      else seen.set(source.name, index);
    });
  });
export type SourcesFile = z.output<typeof SourcesFile>;

/** The origin demo sources use for "this ingest service" (.invalid never resolves, RFC 2606); see {@link loadSources}. */
export const SELF_ORIGIN = "http://self.invalid";

/**
 * Read and validate a sources file; fails naming the file, the key, the value and what was expected.
 * URLs on {@link SELF_ORIGIN} are rebased onto `self` (the ingest service's own base URL, for the demo feeds).
 * @example loadSources("config/sources.yaml").sources.filter((s) => s.enabled)
 */
export function loadSources(path: string, vars: { self?: string } = {}): SourcesFile {
  const file = readConfigFile(path, SourcesFile);
  const self = vars.self;
  if (self === undefined) return file;
  return { ...file, sources: file.sources.map((source) => ({ ...source, url: rebaseSelf(source.url, self) })) };
}

/**
 * Replace the {@link SELF_ORIGIN} of a URL with a real base URL; other URLs are returned unchanged.
 * @example rebaseSelf("http://self.invalid/demo/feeds/a.xml", "http://127.0.0.1:8081") === "http://127.0.0.1:8081/demo/feeds/a.xml"
 */
export function rebaseSelf(url: string, self: string): string {
  return url.startsWith(`${SELF_ORIGIN}/`) ? `${self.replace(/\/$/, "")}${url.slice(SELF_ORIGIN.length)}` : url;
}

/**
 * Merge several sources files (e.g. sources.yaml and the demo's), refusing a name defined twice.
 * @example mergeSources([loadSources(main), loadSources(demo, { self })])
 */
export function mergeSources(files: readonly SourcesFile[]): SourcesFile {
  const sources: SourceConfig[] = [];
  const names = new Set<string>();
  for (const file of files) {
    for (const source of file.sources) {
      if (names.has(source.name)) throw new RangeError(`source "${source.name}" is defined in more than one sources file`);
      names.add(source.name);
      sources.push(source);
    }
  }
  return { timezone: files[0]?.timezone ?? "Asia/Shanghai", sources };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
