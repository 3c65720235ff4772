import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { invalidInput } from "@liaowang/errors";
import { buildGazetteer, divisionByCode, divisionsNamed } from "./regions.js";
import type { Gazetteer } from "./regions.js";

/** The area a deployment answers for (属地管理), resolved to GB/T 2260 codes; see config/jurisdiction.yaml. */
export interface ResolvedJurisdiction {
  /** `全国`: every division of mainland China. */
  all: boolean;
  codes: string[];
  /** Names as officers read them: "长沙市", "长沙市、株洲市", "全国". */
  label: string;
  entities: string[];
  localSources: string[];
}

/** config/jurisdiction.yaml. */
export const JurisdictionFile = z
  .object({
    /** Division names or GB/T 2260 codes, any level; `全国` for all of mainland China. */
    area: z.array(z.union([z.string().min(1), z.number().int()])).min(1),
    /** Local parks, plants, schools, scenic spots, companies (also added to the segmenter's dictionary). */
    entities: z.array(z.string().min(2).max(40)).default([]),
    /** Sources (by name) that are local media besides the feeds marked `local: true` in sources.yaml. */
    localSources: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type JurisdictionFile = z.output<typeof JurisdictionFile>;

/**
 * Resolve division names or GB/T 2260 codes (any level) to codes. `全国` means all of mainland China. A name shared
 * by several divisions (鼓楼区) must be given by its code; unknown names and codes fail naming the entry.
 * @example resolveArea(["长沙市"]) // { all: false, codes: ["430100"], label: "长沙市" }
 */
export function resolveArea(entries: readonly string[], gazetteer: Gazetteer = buildGazetteer()): Pick<ResolvedJurisdiction, "all" | "codes" | "label"> {
  const cleaned = entries.map((e) => e.trim()).filter((e) => e !== "");
  if (cleaned.length === 0) throw invalidInput("jurisdiction: no area given (division names or GB/T 2260 codes, or 全国)");
  if (cleaned.includes("全国")) return { all: true, codes: [], label: "全国" };
  const codes: string[] = [];
  const names: string[] = [];
  for (const entry of cleaned) {
    if (/^\d{6}$/.test(entry)) {
      const d = divisionByCode(entry);
      if (!d) throw invalidInput(`jurisdiction: "${entry}" is not a GB/T 2260 code of the division data`);
      codes.push(d.code);
      names.push(d.name);
      continue;
    }
    const found = divisionsNamed(entry, gazetteer);
    const distinct = [...new Map(found.map((d) => [d.code, d])).values()];
    const rank = { province: 3, city: 2, county: 1 } as const;
    const top = Math.max(0, ...distinct.map((d) => rank[d.level]));
    const best = distinct.filter((d) => rank[d.level] === top);
    if (best.length === 0) throw invalidInput(`jurisdiction: "${entry}" is not the name of a province, city or county`);
    if (best.length > 1) {
      throw invalidInput(`jurisdiction: "${entry}" names ${best.length} divisions (${best.map((d) => `${d.province}${d.name} ${d.code}`).join(", ")}); give the GB/T 2260 code`);
    }
    const d = best[0] as (typeof best)[number];
    codes.push(d.code);
    names.push(d.name);
  }
  return { all: false, codes: [...new Set(codes)], label: [...new Set(names)].join("、") };
}

function localFeeds(path: string): string[] {
  if (!existsSync(path)) return [];
  const doc = parse(readFileSync(path, "utf8")) as { sources?: { name?: unknown; local?: unknown }[] } | null;
  return (doc?.sources ?? []).filter((s) => s.local === true && typeof s.name === "string").map((s) => s.name as string);
}

/**
 * The deployment's jurisdiction: config/jurisdiction.yaml, with its area overridden by `LIAOWANG_JURISDICTION`
 * (comma-separated names or codes, `全国`; a contract scripts and acceptance checks rely on). Local media are the
 * file's `localSources` plus the feeds marked `local: true` in sources.yaml and sources.demo.yaml.
 * @example loadJurisdiction({ configDir: "config", env: process.env }).label // "长沙市"
 */
export function loadJurisdiction(options: { configDir: string; env?: Record<string, string | undefined>; gazetteer?: Gazetteer }): ResolvedJurisdiction {
  const path = join(options.configDir, "jurisdiction.yaml");
  let file: JurisdictionFile = { area: ["全国"], entities: [], localSources: [] };
  if (existsSync(path)) {
    const parsed = JurisdictionFile.safeParse(parse(readFileSync(path, "utf8")));
    if (!parsed.success) {
      throw invalidInput(`Invalid config file ${path}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
    }
    file = parsed.data;
  }
  const override = options.env?.LIAOWANG_JURISDICTION?.trim();
  const area = override ? override.split(/[,，、]/) : file.area.map(String);
  const resolved = resolveArea(area, options.gazetteer);
  const localSources = [...new Set([...file.localSources, ...localFeeds(join(options.configDir, "sources.yaml")), ...localFeeds(join(options.configDir, "sources.demo.yaml"))])];
  return { ...resolved, entities: file.entities, localSources };
}
