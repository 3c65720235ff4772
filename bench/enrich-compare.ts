// Compare this checkout's enrichment with another checkout's (e.g. main before a change), in one process: every field
// of every real post must be the same, and the per-CPU-second rate of each is measured interleaved (chunks of 100
// posts alternately), so a loaded machine slows both alike. Not a test: it reads ../shared/eval/ (never copied).
//   node --import tsx bench/enrich-compare.ts <other checkout> [seconds]
// The other checkout needs its own node_modules (`git worktree add /tmp/base main && (cd /tmp/base && pnpm install)`).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [other, seconds = "20"] = process.argv.slice(2);
if (other === undefined) throw new Error("usage: node --import tsx bench/enrich-compare.ts <other checkout> [seconds]");
const evalDir = resolve(here, "..", "shared", "eval");
const weibo = join(evalDir, "weibo_ced_dev", "originals.jsonl");
const news = join(evalDir, "thucnews_dev", "dev.txt");
if (!existsSync(weibo) || !existsSync(news)) throw new Error(`no real text under ${evalDir}`);
const texts: string[] = [];
for (const line of readFileSync(weibo, "utf8").split("\n")) {
  const text = line.trim() ? (JSON.parse(line) as { text?: string }).text?.trim() : undefined;
  if (text && text.length >= 10) texts.push(text);
}
// Weibo posts, then news titles up to 2,600 documents; some with a title and a place hint, all dated a day back.
for (const line of readFileSync(news, "utf8").split("\n")) if (line.includes("\t") && texts.length < 2_600) texts.push(line.split("\t")[0]!);
const now = Date.parse("2026-12-01T00:00:00Z");
const raws = texts.map((text, i) => ({
  v: 1 as const,
  id: createHash("sha256").update(`${i}:${text}`).digest("hex").slice(0, 32),
  source: `bench-${i % 10}`,
  sourceKind: "webhook" as const,
  ...(i % 7 === 0 ? { title: text.slice(0, 12) } : {}),
  text,
  publishedAt: new Date(now - 86_400_000 + i * 1000).toISOString(),
  ingestedAt: new Date(now).toISOString(),
  ...(i % 5 === 0 ? { region: "湖南长沙" } : {}),
  lang: "zh" as const,
}));

type Enrich = (from: number, to: number, out?: unknown[]) => void;
async function load(root: string): Promise<Enrich> {
  const { enrichDocument } = (await import(join(root, "services/enrich/src/enrich.ts"))) as typeof import("../services/enrich/src/enrich.js");
  const nlp = (await import(join(root, "packages/nlp/src/index.ts"))) as typeof import("../packages/nlp/src/index.js");
  const { loadJurisdiction } = (await import(join(root, "packages/nlp/src/jurisdiction.ts"))) as typeof import("../packages/nlp/src/jurisdiction.js");
  const segmenter = nlp.createSegmenter().warm();
  const analysis = new nlp.Analyzer().resources;
  const jurisdiction = loadJurisdiction({ configDir: join(root, "config"), env: { LIAOWANG_JURISDICTION: "430100" }, gazetteer: analysis.gazetteer });
  const options = { keywords: 20, analysis, jurisdiction };
  const at = new Date(now);
  return (from, to, out) => {
    for (let i = from; i < to; i++) {
      const doc = enrichDocument(raws[i]!, segmenter, options, at);
      out?.push(doc);
    }
  };
}

const mine = await load(here);
const theirs = await load(resolve(other));
const a: unknown[] = [];
const b: unknown[] = [];
theirs(0, raws.length, a);
mine(0, raws.length, b);
let differences = 0;
const byField = new Map<string, number>();
for (let i = 0; i < raws.length; i++) {
  const x = a[i] as Record<string, unknown>;
  const y = b[i] as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  if (Object.keys(x).join() !== Object.keys(y).join()) keys.add("(field order)");
  for (const key of keys) {
    const same = key === "(field order)" ? false : JSON.stringify(x[key]) === JSON.stringify(y[key]);
    if (same) continue;
    differences++;
    byField.set(key, (byField.get(key) ?? 0) + 1);
    if ((byField.get(key) ?? 0) <= 3) console.log(`document ${i} ${key}: ${JSON.stringify(x[key])?.slice(0, 160)} → ${JSON.stringify(y[key])?.slice(0, 160)}`);
  }
}
console.log(`${raws.length} documents compared field by field: ${differences} differences${differences > 0 ? ` ${JSON.stringify(Object.fromEntries(byField))}` : ""}`);

const cpu = { theirs: 0, mine: 0 };
let done = 0;
const started = performance.now();
while (performance.now() - started < Number(seconds) * 1000) {
  for (let i = 0; i < raws.length; i += 100) {
    const to = Math.min(raws.length, i + 100);
    for (const [name, run] of [["theirs", theirs], ["mine", mine]] as const) {
      const before = process.cpuUsage();
      run(i, to);
      const used = process.cpuUsage(before);
      cpu[name] += used.user + used.system;
    }
  }
  done += raws.length;
}
const rate = (micros: number): string => `${Math.round(done / (micros / 1e6)).toLocaleString("en")} posts per CPU second (${(micros / done).toFixed(0)} µs each)`;
console.log(`other checkout: ${rate(cpu.theirs)}\nthis checkout:  ${rate(cpu.mine)}\nspeed-up: ${(cpu.theirs / cpu.mine).toFixed(2)}× (${done} documents each, interleaved)`);
