import { createHash } from "node:crypto";
import { Analyzer, createSegmenter } from "@liaowang/nlp";
import { DetectorEngine, DEFAULT_ENGINE_CONFIG, compileWatchRules } from "@liaowang/detect";
import { enrichDocument } from "../enrich/src/enrich.js";
import { toFeatures } from "./src/features.js";
import { explosionPosts, backgroundPosts } from "../../test/fixtures/incidents/stream.js";
const onset = new Date(Date.now() - 90 * 60_000);
const seg = createSegmenter();
const analysis = new Analyzer().resources;
const posts = [...explosionPosts(onset), ...backgroundPosts(onset)];
const docs = posts.map((p, i) => enrichDocument({ v: 1, id: createHash("md5").update(String(i)).digest("hex"), sourceKind: "json", lang: "zh", ingestedAt: new Date().toISOString(), ...p } as never, seg, { keywords: 20, analysis }, new Date()));
const feats = docs.map(toFeatures);
let bad = 0;
for (let trial = 0; trial < 30; trial++) {
  const order = [...feats.keys()].sort(() => Math.random() - 0.5);
  const engine = new DetectorEngine(DEFAULT_ENGINE_CONFIG, compileWatchRules([]));
  for (const i of order) { const plan = engine.process([feats[i]!], Date.now()); engine.commit(plan); }
  const incs = engine.open().filter((x) => JSON.stringify(x).includes("化工"));
  const desc = incs.map((x) => `${(x as any).volume ?? "?"}@${new Date((x as any).onsetAt).toISOString().slice(11,16)}`);
  if (incs.length !== 1) { bad++; console.log("order", order.join(","), "→", desc.join(" | ")); }
}
console.log("bad", bad, "of 30");
