// One core, no I/O: full enrichment of real posts, and the detector engine (clustering, grading, bursts) on them.
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { DEFAULT_ENGINE_CONFIG, DetectorEngine, compileWatchRules } from "@liaowang/detect";
import { Analyzer, type Segmenter } from "@liaowang/nlp";
import type { EnrichedDocument, RawDocument } from "@liaowang/schemas";
import { enrichDocument } from "../../services/enrich/src/enrich.js";
import { toFeatures } from "../../services/detector/src/features.js";
import { rate } from "./measure.js";

/** Posts per CPU second (one dedicated core) and per wall-clock second of this run. */
export interface UnitsResult {
  enrichPerSec: number;
  enrichPerSecWall: number;
  detectPerSec: number;
  detectPerSecWall: number;
  openIncidents: number;
}

export function benchUnits(texts: string[], segmenter: Segmenter): UnitsResult {
  const now = Date.now();
  const raws: RawDocument[] = texts.map((text, i) => ({
    v: 1,
    id: createHash("sha256").update(`${i}:${text}`).digest("hex").slice(0, 32),
    source: `bench-${i % 10}`,
    sourceKind: "webhook",
    text,
    publishedAt: new Date(now - (texts.length - i) * 1000).toISOString(),
    ingestedAt: new Date(now).toISOString(),
    lang: "zh",
  }));
  const analysis = new Analyzer().resources;
  let enriched: EnrichedDocument[] = [];
  const enrich = rate(() => {
    enriched = raws.map((r) => enrichDocument(r, segmenter, { keywords: 20, analysis }, new Date()));
  }, 5_000);
  const features = enriched.map(toFeatures);
  const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let detected = 0;
  while (performance.now() - start < 5_000) {
    for (let i = 0; i < features.length; i += 500) {
      // fresh ids each round so every post is new to the engine
      const batch = features.slice(i, i + 500).map((f) => ({ ...f, id: `${detected}-${f.id}` }));
      engine.commit(engine.process(batch, Date.now()));
      detected += batch.length;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    enrichPerSec: enrich.cpu * raws.length,
    enrichPerSecWall: enrich.wall * raws.length,
    detectPerSec: detected / ((cpu.user + cpu.system) / 1e6),
    detectPerSecWall: detected / ((performance.now() - start) / 1000),
    openIncidents: engine.open().length,
  };
}
