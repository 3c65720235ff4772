import { FIGURE_KINDS } from "../types.js";
import type { DocFeatures, Figure, Region } from "../types.js";
import stream from "./explosion-stream.json" with { type: "json" };

// Real enrichment output (the enrich service's enrichDocument + the detector's toFeatures) of the end-to-end test
// stream test/fixtures/incidents/stream.ts with onset 2026-11-23T08:00:00Z: six posts on one chemical plant explosion
// in 长沙县 (首发 by a resident, media, the official 通报 with 12 deaths, a repost) and three unrelated 民生 posts
// from other districts of 长沙市. Regenerate by running those two functions over the stream and writing the features.

const LEVELS: readonly Region["level"][] = ["province", "city", "county"];

function region(r: { code: string; name: string; level: string; province: string }): Region {
  const level = LEVELS.find((l) => l === r.level);
  if (!level) throw new Error(`explosion fixture: region ${r.code} has unknown level "${r.level}"`);
  return { code: r.code, name: r.name, level, province: r.province };
}

function figure(f: { kind: string; value: number; approx: boolean; min?: number; max?: number; text: string }): Figure {
  const kind = FIGURE_KINDS.find((k) => k === f.kind);
  if (!kind) throw new Error(`explosion fixture: figure "${f.text}" has unknown kind "${f.kind}"`);
  return { kind, value: f.value, approx: f.approx, min: f.min, max: f.max, text: f.text };
}

const docs: DocFeatures[] = stream.map((d) => ({ ...d, regions: d.regions.map(region), figures: d.figures.map(figure) }));

/** The explosion posts in publication order (index 0 is the 首发, 4 the official 通报). */
export const EXPLOSION_POSTS: readonly DocFeatures[] = docs.filter((d) => d.id.startsWith("doc-blast-"));

/** The unrelated posts of the same hour: 工资拖欠 in 岳麓区, 停水 in 天心区, 食堂 in 芙蓉区. */
export const BACKGROUND_POSTS: readonly DocFeatures[] = docs.filter((d) => d.id.startsWith("doc-bg-"));
