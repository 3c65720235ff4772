import type { DocFeatures } from "@liaowang/detect";
import { parseWithSchema, type ParseResult } from "@liaowang/kafka";
import { EnrichedDocument, FIGURE_KINDS, TIME_REF_KINDS } from "@liaowang/schemas";
import { toFeatures } from "./features.js";

const ID = /^[0-9a-f]{32}$/;
const SIMHASH = /^[0-9a-f]{16}$/;
// The schema's `z.iso.datetime({ offset: true })`: date, time with seconds and optional fraction, Z or ±hh:mm.
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const isTime = (v: unknown): boolean => typeof v === "string" && ISO.test(v) && !Number.isNaN(Date.parse(v));
const REGION_LEVELS = new Set(["province", "city", "county"]);
const ROLES = new Set(["venue", "origin"]);
const FIGURES = new Set<string>(FIGURE_KINDS);
const TIME_REFS = new Set<string>(TIME_REF_KINDS);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const optString = (v: unknown): boolean => v === undefined || typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The index of the first element of `list` that `ok` refuses, -1 when none does. */
function firstBad(list: unknown, ok: (item: unknown) => boolean): number | "not a list" {
  if (!Array.isArray(list)) return "not a list";
  for (let i = 0; i < list.length; i++) if (!ok(list[i])) return i;
  return -1;
}

/** Why a parsed record is not what the detector reads, or undefined when it is (see {@link parseEnriched}). */
function problem(d: Obj): string | undefined {
  if (d.v !== 1) return "v";
  if (typeof d.id !== "string" || !ID.test(d.id)) return "id";
  if (typeof d.source !== "string" || d.source.length === 0) return "source";
  if (typeof d.text !== "string" || d.text.length === 0) return "text";
  if (!optString(d.title)) return "title";
  if (!optString(d.url)) return "url";
  if (!isTime(d.publishedAt)) return "publishedAt";
  if (!isTime(d.ingestedAt)) return "ingestedAt";
  if (d.flags !== undefined && firstBad(d.flags, (f) => typeof f === "string") !== -1) return "flags";
  if (firstBad(d.tokens, (t) => typeof t === "string") !== -1) return "tokens";
  if (firstBad(d.keywords, (k) => isObj(k) && typeof k.word === "string" && isNumber(k.weight)) !== -1) return "keywords";
  if (d.simhash !== undefined && (typeof d.simhash !== "string" || !SIMHASH.test(d.simhash))) return "simhash";
  if (d.topics !== undefined && firstBad(d.topics, (t) => isObj(t) && typeof t.id === "string" && isNumber(t.score)) !== -1) return "topics";
  if (!optString(d.category)) return "category";
  if (d.sentiment !== undefined && !(isObj(d.sentiment) && isNumber(d.sentiment.score))) return "sentiment";
  const place = (r: Obj) => typeof r.code === "string" && typeof r.name === "string" && (r.role === undefined || ROLES.has(r.role as string));
  if (d.regions !== undefined && firstBad(d.regions, (r) => isObj(r) && place(r) && typeof r.province === "string" && REGION_LEVELS.has(r.level as string)) !== -1) return "regions";
  if (d.abroad !== undefined && firstBad(d.abroad, (r) => isObj(r) && place(r) && optString(r.city)) !== -1) return "abroad";
  if (d.timeRef !== undefined && !(isObj(d.timeRef) && TIME_REFS.has(d.timeRef.kind as string) && optString(d.timeRef.cue) && (d.timeRef.year === undefined || Number.isInteger(d.timeRef.year)))) return "timeRef";
  const figure = (f: unknown) => isObj(f) && FIGURES.has(f.kind as string) && isNumber(f.value) && f.value >= 0 && typeof f.approx === "boolean" && typeof f.text === "string";
  if (d.figures !== undefined && firstBad(d.figures, figure) !== -1) return "figures";
  if (d.metrics !== undefined && !(isObj(d.metrics) && Object.values(d.metrics).every((m) => m === undefined || (Number.isInteger(m) && (m as number) >= 0)))) return "metrics";
  return undefined;
}

/**
 * The detector's reading of an enriched record: its JSON parsed once, then a structural check of the fields detection
 * reads (types, the id, ISO times, enum values) instead of the topic's full zod schema. Enrich builds these records
 * with typed code its tests check against the schema and publishes them without a second parse; checking all of every
 * record again with zod (~40% of the consume path, plus a copy of each document) was most of the detector's cost of
 * reading a post. The fields detection never reads (`titleSeg`, `textSeg`, `searchTerms`, …) are not looked at. A
 * record the check refuses is parsed with the schema, so the dead letter names the record's offset and the schema's
 * reasons (and a record the schema accepts after all is used).
 * @example parseEnriched(Buffer.from(JSON.stringify(enriched))) // { ok: true, value: enriched }
 */
export function parseEnriched(value: Buffer): ParseResult<EnrichedDocument> {
  const text = value.toString();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The schema path words the JSON error.
    return parseWithSchema(EnrichedDocument, text);
  }
  if (isObj(json) && problem(json) === undefined) return { ok: true, value: json as EnrichedDocument };
  const checked = EnrichedDocument.safeParse(json);
  if (checked.success) return { ok: true, value: checked.data };
  const id = isObj(json) && typeof json.id === "string" ? `record ${json.id.slice(0, 64)}: ` : "";
  return { ok: false, reason: `${id}${checked.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` };
}

/**
 * The consumer's reading of an enriched record: {@link parseEnriched}, then what detection reads of it. The document
 * itself (its segmented text and search terms, a third of it) is dropped at once instead of living, with the batch,
 * through the collections that run while the batch is handled.
 */
export function readEnriched(value: Buffer): ParseResult<DocFeatures> {
  const parsed = parseEnriched(value);
  return parsed.ok ? { ok: true, value: toFeatures(parsed.value) } : parsed;
}
