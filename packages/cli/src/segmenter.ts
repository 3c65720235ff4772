import { createSegmenter, type Segmenter } from "@liaowang/nlp";

/** The production segmenter, as the enrich service builds it, for query terms. */
export async function querySegmenter(configDir: string): Promise<{ segmenter: Segmenter; searchTerms: (query: string) => string[] }> {
  const segmenter = createSegmenter({ configDir });
  return { segmenter, searchTerms: (query) => [...new Set(segmenter.cutForSearch(query))] };
}
