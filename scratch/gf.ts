import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { defaultConfigDir } from "@liaowang/config";
import { Analyzer, createSegmenter } from "@liaowang/nlp";
import { assign, DEFAULT_CLUSTER_CONFIG, similarity } from "@liaowang/detect";
import { enrichDocument } from "../services/enrich/src/enrich.js";
import { toFeatures } from "../services/detector/src/features.js";

const seg = createSegmenter({ configDir: defaultConfigDir });
const analyzer = new Analyzer({ configDir: defaultConfigDir });
const texts = process.argv.slice(2);
const feats = texts.map((text, i) => {
  const raw = { v: 1 as const, id: createHash("sha256").update(text).digest("hex").slice(0, 32), source: `s${i}`, sourceKind: "api" as const, text, publishedAt: new Date(Date.now() - 60000 * (10 - i)).toISOString(), ingestedAt: new Date().toISOString(), lang: "zh" as const };
  const e = enrichDocument(raw, seg, { keywords: 20, analysis: analyzer.resources }, new Date());
  const f = toFeatures(e);
  console.log(i, f.keywords.slice(0, 8).map((k) => `${k.word}:${k.weight.toFixed(1)}`).join(" "), "| cat", f.category, "| topics", f.topics.map((t) => t.id).join(","));
  return f;
});
const now = Date.now();
let open: ReturnType<typeof assign>["incident"][] = [];
for (const f of feats) {
  const r = assign(open, f, now, DEFAULT_CLUSTER_CONFIG);
  console.log("assign", f.text.slice(0, 12), r.changes, r.match?.score?.toFixed(3), open.map((i) => similarity(i, f, DEFAULT_CLUSTER_CONFIG).score.toFixed(3)).join(" "));
  open = [...open.filter((i) => i.id !== r.incident.id), r.incident];
}
