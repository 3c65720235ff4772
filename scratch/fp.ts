import { readFileSync } from "node:fs";
import { defaultConfigDir } from "@liaowang/config";
import { Analyzer, createSegmenter, recognizeForeign } from "@liaowang/nlp";
const seg = createSegmenter({ configDir: defaultConfigDir });
const f = new Analyzer({ configDir: defaultConfigDir }).resources.foreign;
const texts = [
  ...readFileSync("/work/shared/eval/thucnews_dev/dev.txt", "utf8").split("\n").map((l) => l.split("\t")[0] ?? ""),
  ...readFileSync("/work/shared/eval/weibo_ced_dev/originals.jsonl", "utf8").split("\n").filter((l) => l.trim()).map((l) => (JSON.parse(l) as { text: string }).text),
];
const counts = new Map<string, number>();
for (const t of texts) {
  for (const tok of seg.segments(t)) {
    if ([...tok].length < 2) continue;
    if (f.index.get(tok)) continue;
    const r = recognizeForeign([tok], f);
    if (r.length > 0) counts.set(`${tok}→${r.map((x) => x.code).join(",")}`, (counts.get(`${tok}→${r.map((x) => x.code).join(",")}`) ?? 0) + 1);
  }
}
console.log([...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}:${n}`).join("  "));
