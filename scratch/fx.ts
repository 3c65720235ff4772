import { defaultConfigDir } from "@liaowang/config";
import { Analyzer, createSegmenter, analyze } from "@liaowang/nlp";
const seg = createSegmenter({ configDir: defaultConfigDir });
const analyzer = new Analyzer({ configDir: defaultConfigDir });
for (const text of process.argv.slice(2)) {
  const segments = seg.segments(text);
  const a = analyze({ text, segments, tokens: seg.contentTokens(segments), keywords: seg.keywords(text, 20) }, analyzer.resources);
  console.log(text.slice(0, 30), "|", segments.slice(0, 8).join("/"), "| abroad", JSON.stringify(a.abroad.map((p) => [p.code, p.city, p.role])), "| regions", a.regions.map((r) => r.name).join(","), "| cat", a.category);
}
