import { join } from "node:path";
import { repoRoot } from "@liaowang/config";
import { DOCUMENTS, documentIndex, installTemplate, toEsDocument, type Client } from "@liaowang/es";
import { createSegmenter } from "@liaowang/nlp";
import type { EnrichedDocument } from "@liaowang/schemas";

// Posts as the indexer stores them, with search terms from the production segmenter (so searches find them as
// they would find enriched posts), for tests that need documents without running ingest and enrich.

const segmenter = createSegmenter({ configDir: join(repoRoot, "config") });

/** An enriched post numbered `n` (its id is `n` in hex), published at `at`. */
export function post(n: number, fields: { title: string; text: string; at: string; words: string[]; topic: string; sentiment: number; url?: string }): EnrichedDocument {
  return {
    v: 1,
    id: n.toString(16).padStart(32, "0"),
    source: n % 2 ? "微博" : "本地论坛",
    sourceKind: "webhook",
    title: fields.title,
    text: fields.text,
    url: fields.url ?? `https://posts.example/${n}`,
    publishedAt: fields.at,
    ingestedAt: fields.at,
    lang: "zh",
    tokens: fields.words,
    titleSeg: fields.title,
    textSeg: fields.text,
    searchTerms: segmenter.cutForSearch(`${fields.title} ${fields.text}`),
    keywords: fields.words.map((word, i) => ({ word, weight: 1 - i * 0.1 })),
    enrichedAt: fields.at,
    topics: [{ id: fields.topic, score: 0.9 }],
    sentiment: { score: fields.sentiment, label: fields.sentiment < -0.2 ? "negative" : fields.sentiment > 0.2 ? "positive" : "neutral" },
  };
}

/** Index posts where the indexer would (monthly index, documents alias), searchable at once. */
export async function indexPosts(es: Client, indexPrefix: string, posts: EnrichedDocument[]): Promise<void> {
  await installTemplate(es, join(repoRoot, "config"), indexPrefix, DOCUMENTS);
  const indexedAt = new Date().toISOString();
  const bulk = await es.bulk({ refresh: true, operations: posts.flatMap((d) => [{ index: { _index: documentIndex(indexPrefix, d.publishedAt), _id: d.id } }, toEsDocument(d, indexedAt)]) });
  if (bulk.errors) throw new Error(`indexing posts failed: ${JSON.stringify(bulk.items.map((i) => i.index?.error).filter(Boolean))}`);
}
