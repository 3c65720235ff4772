import { parseDocument } from "yaml";
import { z } from "zod";
import { formatIssues } from "@liaowang/config";
import { invalidInput } from "@liaowang/errors";
import { PhraseIndex } from "./phrases.js";
import { indexForm } from "./text.js";

const Weight = z
  .number()
  .finite()
  .refine((w) => w !== 0 && Math.abs(w) <= 10, "weight must be non-zero and between -10 and 10");

const Entry = z.object({
  id: z.string().trim().min(1),
  description: z.string().optional(),
  keywords: z.record(z.string().trim().min(1), Weight).refine((k) => Object.keys(k).length > 0, "needs at least one keyword"),
});

/** The schema of config/taxonomy.yaml: topics and 突发事件 categories, each with weighted keywords. */
export const TaxonomyConfig = z
  .object({
    version: z.literal(1),
    minScore: z.number().min(0).max(1).default(0.4),
    maxTopics: z.number().int().min(1).max(20).default(3),
    categoryMinScore: z.number().min(0).max(1).default(0.5),
    topics: z.array(Entry).min(1),
    categories: z.array(Entry).default([]),
  })
  .superRefine((config, ctx) => {
    for (const list of ["topics", "categories"] as const) {
      const seen = new Map<string, number>();
      config[list].forEach((entry, i) => {
        const first = seen.get(entry.id);
        if (first !== undefined) ctx.addIssue({ code: "custom", path: [list, i, "id"], message: `duplicate id "${entry.id}" (also ${list}[${first}])` });
        seen.set(entry.id, i);
        const words = new Map<string, string>();
        for (const word of Object.keys(entry.keywords)) {
          const form = indexForm(word);
          const other = words.get(form);
          if (other !== undefined) ctx.addIssue({ code: "custom", path: [list, i, "keywords", word], message: `same keyword as "${other}" (case and width are ignored)` });
          words.set(form, word);
        }
      });
    }
  });
export type TaxonomyConfig = z.output<typeof TaxonomyConfig>;

/** A topic or category with its score in [0, 1]. */
export interface TopicScore {
  id: string;
  score: number;
}

/** A compiled taxonomy, ready for {@link classify}. */
export interface Taxonomy {
  readonly config: TaxonomyConfig;
  /** keyword → (entry index, weight) pairs; topics first, then categories (offset by topics.length). */
  readonly index: PhraseIndex<ReadonlyArray<readonly [number, number]>>;
}

/** What a document is about: its topics (best first) and its 突发事件 category, if any. */
export interface Classification {
  topics: TopicScore[];
  category?: string | undefined;
}

// score = 1 - exp(-sum / SCALE): one defining keyword (3) scores 0.63, one supporting keyword (1) 0.28.
const SCALE = 3;

/** The entries of one list (at `offset` in `sums`) scoring above zero and at least `min`, best first, ties in list order. */
function ranked(entries: readonly { id: string }[], sums: Float64Array, offset: number, min: number): TopicScore[] {
  const out: Array<TopicScore & { order: number }> = [];
  for (let i = 0; i < entries.length; i++) {
    const sum = sums[offset + i]!;
    if (!(sum > 0)) continue;
    const score = Math.round((1 - Math.exp(-sum / SCALE)) * 1000) / 1000;
    if (score > 0 && score >= min) out.push({ id: entries[i]!.id, score, order: i });
  }
  if (out.length > 1) out.sort((a, b) => b.score - a.score || a.order - b.order);
  return out.map(({ id, score }) => ({ id, score }));
}

/** Compile a validated taxonomy config. */
export function compileTaxonomy(config: TaxonomyConfig): Taxonomy {
  const byWord = new Map<string, Array<readonly [number, number]>>();
  [...config.topics, ...config.categories].forEach((entry, i) => {
    for (const [word, weight] of Object.entries(entry.keywords)) {
      const form = indexForm(word);
      const list = byWord.get(form) ?? [];
      list.push([i, weight]);
      byWord.set(form, list);
    }
  });
  return { config, index: new PhraseIndex(byWord) };
}

/**
 * Parse and compile the taxonomy YAML, naming the source, the key, the value and what was expected on any error.
 * @example parseTaxonomy(readFileSync("config/taxonomy.yaml", "utf8"), "config/taxonomy.yaml")
 */
export function parseTaxonomy(text: string, source: string): Taxonomy {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw invalidInput(`Taxonomy ${source} is not valid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
  }
  const data: unknown = doc.toJS();
  const result = TaxonomyConfig.safeParse(data);
  if (!result.success) throw invalidInput(`Invalid taxonomy ${source}:\n${formatIssues(result.error.issues, data, "  ")}`);
  return compileTaxonomy(result.data);
}

/**
 * Score every topic and category by the weighted keywords found among `tokens` (segmenter tokens, in any form;
 * a keyword also counts inside a longer token, "爆炸" in "发生爆炸"): each keyword adds weight × (1 + ln count), the sum maps to 1 - exp(-sum / 3). Returns the topics reaching
 * `minScore` (at most `maxTopics`, best first) and the best category reaching `categoryMinScore`.
 * @example classify(seg.tokensForIndex("拖欠农民工工资半年，工人讨薪无果"), taxonomy) // { topics: [{ id: "工资拖欠", score: 0.99 }] }
 */
export function classify(tokens: readonly string[], taxonomy: Taxonomy): Classification {
  return classifyIndexed(tokens.map(indexForm), taxonomy);
}

/** {@link classify} of tokens already in index form (`indexForm` of each, as `Segmenter.contentTokens` gives them). */
export function classifyIndexed(tokens: readonly string[], taxonomy: Taxonomy): Classification {
  const { config, index } = taxonomy;
  const matches = index.findAllIndexed(tokens, { insideTokens: true });
  if (matches.length === 0) return { topics: [] };
  const counts = new Map<string, number>();
  for (const match of matches) counts.set(match.phrase, (counts.get(match.phrase) ?? 0) + 1);
  const sums = new Float64Array(config.topics.length + config.categories.length);
  for (const [phrase, count] of counts) {
    for (const [entry, weight] of index.get(phrase) ?? []) sums[entry] = (sums[entry] ?? 0) + weight * (1 + Math.log(count));
  }
  const topics = ranked(config.topics, sums, 0, config.minScore).slice(0, config.maxTopics);
  const category = ranked(config.categories, sums, config.topics.length, config.categoryMinScore)[0]?.id;
  return { topics, ...(category === undefined ? {} : { category }) };
}
