import { z } from "zod";
import { mostSpecificRegions } from "./similarity.js";
import type { DocFeatures, ForeignPlace, Region } from "./types.js";

/**
 * Whose incident it is, seen from the deployment's jurisdiction (属地管理): 本地 inside it, 涉本地 elsewhere but
 * involving its people, entities or government, 外地 elsewhere in China, 境外 abroad, 未知 when the posts name no
 * place that decides it.
 */
export const SCOPES = ["本地", "涉本地", "外地", "境外", "未知"] as const;
export type Scope = (typeof SCOPES)[number];

/** The area a deployment answers for, resolved to GB/T 2260 codes, plus its local entities and local media. */
export interface Jurisdiction {
  /** True for a national-level office (`全国`): every division of mainland China is inside. */
  all: boolean;
  /** GB/T 2260 codes (6 digits) of the divisions, any level. */
  codes: string[];
  /** Display name, e.g. "长沙市" or "长沙市、株洲市". */
  label: string;
  /** Parks, plants, schools, scenic spots, companies of the area: naming one places a post there. */
  entities: string[];
  /** Sources that are local media: a post of theirs naming no place is presumed to be about the area. */
  localSources: string[];
}

/** Schema of {@link Jurisdiction}. */
export const jurisdictionSchema = z.object({
  all: z.boolean(),
  codes: z.array(z.string().regex(/^\d{6}$/)),
  label: z.string().min(1),
  entities: z.array(z.string().min(1)),
  localSources: z.array(z.string().min(1)),
});

/** No jurisdiction configured: all of mainland China (a national office), no entities, no local media. */
export const NATIONWIDE: Jurisdiction = { all: true, codes: [], label: "全国", entities: [], localSources: [] };

// 港澳台 are divisions of China in GB/T 2260 but outside a mainland office's area even when it is 全国.
const OUTSIDE_MAINLAND = /^(71|81|82)/;

function prefixOf(code: string): string {
  if (code.endsWith("0000")) return code.slice(0, 2);
  if (code.endsWith("00")) return code.slice(0, 4);
  return code;
}

/** Where a division lies relative to the jurisdiction. */
export type Relation = "inside" | "contains" | "outside";

/** Whether a division is inside the jurisdiction, contains part of it (湖南省 for 长沙市), or lies outside. */
export function relationTo(code: string, j: Jurisdiction): Relation {
  if (!/^\d{6}$/.test(code)) return "outside";
  if (j.all) return OUTSIDE_MAINLAND.test(code) ? "outside" : "inside";
  let contains = false;
  for (const own of j.codes) {
    if (code.startsWith(prefixOf(own))) return "inside";
    if (own.startsWith(prefixOf(code))) contains = true;
  }
  return contains ? "contains" : "outside";
}

/** One post's scope and the places that decided it (names, for the reason). */
export interface DocScope {
  scope: Scope;
  /** Places named inside the jurisdiction (or its entities). */
  local: string[];
  /** Places named elsewhere in China. */
  other: string[];
  /** Places named abroad. */
  abroad: string[];
  /** Local people or bodies involved ("长沙籍"), for 涉本地. */
  involved: string[];
  /** Only the province or city around the jurisdiction was named (湖南省 for 长沙市). */
  vague: string[];
}

function foreignName(p: ForeignPlace): string {
  return p.city === undefined ? p.name : `${p.name}${p.city}`;
}

/**
 * The scope of one post: where it says something happened (a place named with 在/于/赴 …, else the places it
 * names plainly) against the jurisdiction; local people or entities named in a story elsewhere make it 涉本地.
 * @example docScope(doc, jurisdiction).scope // "涉本地" for "长沙籍游客在泰国遇险" with jurisdiction 长沙市
 */
export function docScope(doc: Pick<DocFeatures, "regions" | "abroad" | "title" | "text">, j: Jurisdiction): DocScope {
  const out: DocScope = { scope: "未知", local: [], other: [], abroad: [], involved: [], vague: [] };
  let localVenue = false;
  let elsewhereVenue = false;
  const otherOrigin: string[] = [];
  const abroadOrigin: string[] = [];
  for (const r of mostSpecificRegions(doc.regions) as (Region & { role?: "venue" | "origin" | undefined })[]) {
    const rel = relationTo(r.code, j);
    if (rel === "contains") {
      out.vague.push(r.name);
      continue;
    }
    const local = rel === "inside";
    if (r.role === "origin") (local ? out.involved : otherOrigin).push(r.name);
    else {
      (local ? out.local : out.other).push(r.name);
      if (r.role === "venue") {
        if (local) localVenue = true;
        else elsewhereVenue = true;
      }
    }
  }
  const body = `${doc.title ?? ""}\n${doc.text}`;
  for (const e of j.entities) if (body.includes(e)) out.local.push(e);
  for (const p of doc.abroad ?? []) {
    if (p.role === "origin") abroadOrigin.push(foreignName(p));
    else {
      out.abroad.push(foreignName(p));
      if (p.role === "venue") elsewhereVenue = true;
    }
  }
  const localNamed = out.local.length > 0;
  const elsewhereNamed = out.other.length + out.abroad.length > 0;
  if (localVenue) out.scope = "本地";
  else if (elsewhereVenue && (localNamed || out.involved.length > 0)) {
    out.involved.push(...out.local);
    out.scope = "涉本地";
  } else if (localNamed && !elsewhereNamed) out.scope = "本地";
  else if (localNamed) {
    // Named beside places elsewhere and no 在/于 to say where it happened: the area is involved at least.
    out.involved.push(...out.local);
    out.scope = "涉本地";
  } else if (out.involved.length > 0) out.scope = "涉本地";
  else if (out.abroad.length > 0 && out.abroad.length >= out.other.length) out.scope = "境外";
  else if (out.other.length > 0) out.scope = "外地";
  else if (abroadOrigin.length > 0) {
    out.abroad.push(...abroadOrigin);
    out.scope = "境外";
  } else if (otherOrigin.length > 0) {
    out.other.push(...otherOrigin);
    out.scope = "外地";
  }
  return out;
}

/** Per-scope post counts of an incident plus the places named, as stored on the incident. */
export interface ScopeTally {
  votes: Record<Scope, number>;
  local: string[];
  other: string[];
  abroad: string[];
  involved: string[];
  vague: string[];
}

/** Schema of {@link ScopeTally} (stored incident state). */
export const scopeTallySchema = z.object({
  votes: z.object({ 本地: z.number().int().nonnegative(), 涉本地: z.number().int().nonnegative(), 外地: z.number().int().nonnegative(), 境外: z.number().int().nonnegative(), 未知: z.number().int().nonnegative() }),
  local: z.array(z.string()),
  other: z.array(z.string()),
  abroad: z.array(z.string()),
  involved: z.array(z.string()),
  vague: z.array(z.string()),
});

const MAX_NAMES = 6;

// Most tallies name nothing in most lists: one frozen empty list for all of them (lists are never changed in place).
const NO_NAMES = Object.freeze([]) as readonly string[] as string[];

function addNames(a: readonly string[], b: readonly string[]): string[] {
  if (a.length === 0 && b.length === 0) return NO_NAMES;
  return [...new Set([...a, ...b])].slice(0, MAX_NAMES);
}

/** An empty tally. */
export function emptyTally(): ScopeTally {
  return { votes: { 本地: 0, 涉本地: 0, 外地: 0, 境外: 0, 未知: 0 }, local: [], other: [], abroad: [], involved: [], vague: [] };
}

/** Adds one post's scope (or another incident's tally) to a tally. */
export function addToTally(t: ScopeTally, s: DocScope | ScopeTally): ScopeTally {
  const votes = { ...t.votes };
  if ("scope" in s) votes[s.scope] += 1;
  else for (const k of Object.keys(votes) as Scope[]) votes[k] += s.votes[k];
  return {
    votes,
    local: addNames(t.local, s.local),
    other: addNames(t.other, s.other),
    abroad: addNames(t.abroad, s.abroad),
    involved: addNames(t.involved, s.involved),
    vague: addNames(t.vague, s.vague),
  };
}

/** An incident's scope with the reason officers read. */
export interface ScopeDecision {
  scope: Scope;
  reason: string;
  /** True when the duty board of this jurisdiction answers for it (本地, 涉本地, or 未知 reported by local media). */
  inScope: boolean;
}

function list(names: readonly string[]): string {
  return names.slice(0, 3).join("、");
}

/** The scope a tally decides, whatever the jurisdiction's media (see {@link decideScope}). */
export function scopeValue(t: ScopeTally): Scope {
  const v = t.votes;
  if (v.本地 > 0 && v.本地 >= v.外地 + v.境外) return "本地";
  if (v.本地 + v.涉本地 > 0) return "涉本地";
  if (v.境外 > 0 && v.境外 >= v.外地) return "境外";
  if (v.外地 > 0) return "外地";
  return "未知";
}

/**
 * The incident's scope from its posts' scopes: 本地 when most posts that name a place put it inside; 涉本地 when
 * any post ties the area to a story elsewhere; else 境外 or 外地 by majority; 未知 when no post names a place.
 * A 未知 incident is in scope when a local medium reported it.
 * @example decideScope(incident.scope, incident.sources.list, jurisdiction).reason // "事发地长沙市岳麓区在辖区（长沙市）内"
 */
export function decideScope(t: ScopeTally, sources: readonly string[], j: Jurisdiction): ScopeDecision {
  const area = `辖区（${j.label}）`;
  const scope = scopeValue(t);
  switch (scope) {
    case "本地":
      return { scope, reason: `事发地${list(t.local)}在${area}内`, inScope: true };
    case "涉本地": {
      const where = addNames(t.abroad, t.other);
      const who = t.involved.length > 0 ? t.involved : t.local;
      return { scope, reason: `${where.length > 0 ? `事发地${list(where)}不在${area}内，但` : ""}涉及${area}的人员、单位或地点：${list(who)}`, inScope: true };
    }
    case "境外":
      return { scope, reason: `事发地${list(t.abroad)}在境外，不属${area}`, inScope: false };
    case "外地":
      return { scope, reason: `事发地${list(t.other)}不在${area}内`, inScope: false };
    case "未知": {
      const local = sources.filter((s) => j.localSources.includes(s));
      const why = t.vague.length > 0 ? `仅提及${list(t.vague)}，无法判定是否在${area}内` : "未提及可判定的地点";
      if (local.length > 0) return { scope, reason: `${why}；本地媒体（${list(local)}）报道，按辖区事件处理`, inScope: true };
      return { scope, reason: `${why}，且无本地媒体报道`, inScope: false };
    }
    default: {
      const _exhaustive: never = scope;
      return _exhaustive;
    }
  }
}
