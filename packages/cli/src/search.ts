import { parseArgs } from "node:util";
import { CommonEnv, esSettings, loadEnv } from "@liaowang/config";
import { createEsClient, searchDocuments } from "@liaowang/es";
import { println, type CliIo } from "./io.js";
import { querySegmenter } from "./segmenter.js";

/** `search <query> [--json] [--size N] [--source S] [--region R] [--topic T]`: search documents with highlights. */
export async function searchCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      size: { type: "string", default: "10" },
      source: { type: "string" },
      region: { type: "string" },
      topic: { type: "string" },
    },
  });
  const query = positionals.join(" ").trim();
  if (!query) {
    println(io.stderr, "usage: pnpm liaowang search <query> [--json] [--size N] [--source S] [--region R] [--topic T]");
    return 2;
  }
  const env = loadEnv(CommonEnv, io.env);
  const terms = (await querySegmenter(env.LIAOWANG_CONFIG_DIR)).searchTerms(query);
  const es = createEsClient(esSettings(env));
  try {
    const result = await searchDocuments(es, env.LIAOWANG_INDEX_PREFIX, {
      terms,
      size: Number(values.size),
      ...(values.source ? { source: values.source } : {}),
      ...(values.region ? { region: values.region } : {}),
      ...(values.topic ? { topic: values.topic } : {}),
    });
    if (values.json) {
      println(io.stdout, JSON.stringify({ query, terms, ...result }, null, 2));
      return 0;
    }
    println(io.stdout, `${result.total} document(s) match "${query}" (terms: ${terms.join(" ")})`);
    for (const hit of result.hits) {
      println(io.stdout, "");
      println(io.stdout, `${hit.publishedAt}  [${hit.source}]  ${hit.highlights.title ?? hit.title ?? "(no title)"}`);
      for (const fragment of hit.highlights.text) println(io.stdout, `  … ${fragment} …`);
      if (hit.url) println(io.stdout, `  ${hit.url}`);
    }
    return 0;
  } finally {
    await es.close();
  }
}
