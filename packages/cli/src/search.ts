import { parseArgs } from "node:util";
import { CommonEnv, esSettings, loadEnv } from "@liaowang/config";
import { createEsClient, searchDocuments } from "@liaowang/es";
import { Analyzer } from "@liaowang/nlp";
import { loadJurisdiction } from "@liaowang/nlp/jurisdiction";
import { backfillScope } from "./backfill-scope.js";
import { println, type CliIo } from "./io.js";
import { querySegmenter } from "./segmenter.js";

const SCOPES = ["本地", "涉本地", "外地", "境外", "未知"] as const;
const USAGE = "usage: pnpm liaowang search <query> [--json] [--size N] [--source S] [--region R] [--topic T] [--scope 本地,涉本地,外地,境外,未知]\n       pnpm liaowang search backfill-scope [--json] [--batch N] [--limit N]";

/**
 * `search <query> [--json] [--size N] [--source S] [--region R] [--topic T] [--scope S,…]`: search documents with
 * highlights; `search backfill-scope`: give documents indexed before the scope field their scope.
 */
export async function searchCommand(args: string[], io: CliIo): Promise<number> {
  if (args[0] === "backfill-scope") return backfillScopeCommand(args.slice(1), io);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      size: { type: "string", default: "10" },
      source: { type: "string" },
      region: { type: "string" },
      topic: { type: "string" },
      scope: { type: "string" },
    },
  });
  const query = positionals.join(" ").trim();
  if (!query) {
    println(io.stderr, USAGE);
    return 2;
  }
  // 本地+涉本地 as the dashboard writes it, or commas.
  const scope = values.scope?.split(/[,，+、]/).map((s) => s.trim()).filter((s) => s !== "");
  const unknown = (scope ?? []).filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (scope && (scope.length === 0 || unknown.length > 0)) {
    println(io.stderr, `search: --scope takes ${SCOPES.join(", ")} (comma-separated)${unknown.length > 0 ? `, not ${unknown.join(", ")}` : ""}`);
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
      ...(scope ? { scope } : {}),
    });
    if (values.json) {
      println(io.stdout, JSON.stringify({ query, terms, ...result }, null, 2));
      return 0;
    }
    println(io.stdout, `${result.total} document(s) match "${query}"${scope ? ` in scope ${scope.join(", ")}` : ""} (terms: ${terms.join(" ")})`);
    if (result.unscoped) println(io.stdout, `note: ${result.unscoped} more document(s) match but carry no scope (indexed before the scope field), so no --scope finds them; run \`pnpm liaowang search backfill-scope\``);
    for (const hit of result.hits) {
      println(io.stdout, "");
      println(io.stdout, `${hit.publishedAt}  [${hit.source}]${hit.scope ? ` [${hit.scope}]` : ""}  ${hit.highlights.title ?? hit.title ?? "(no title)"}`);
      for (const fragment of hit.highlights.text) println(io.stdout, `  … ${fragment} …`);
      if (hit.url) println(io.stdout, `  ${hit.url}`);
    }
    return 0;
  } finally {
    await es.close();
  }
}

/** `search backfill-scope [--json] [--batch N] [--limit N]`: see {@link backfillScope}. */
async function backfillScopeCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false }, batch: { type: "string", default: "500" }, limit: { type: "string" } } });
  const batch = Number(values.batch);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (!Number.isInteger(batch) || batch < 1 || (limit !== undefined && (!Number.isInteger(limit) || limit < 1))) {
    println(io.stderr, "search backfill-scope: --batch and --limit take a positive whole number");
    return 2;
  }
  const env = loadEnv(CommonEnv, io.env);
  // The jurisdiction as enrich reads it (config/jurisdiction.yaml, LIAOWANG_JURISDICTION overriding its area).
  const analyzer = new Analyzer({ configDir: env.LIAOWANG_CONFIG_DIR });
  const jurisdiction = loadJurisdiction({ configDir: env.LIAOWANG_CONFIG_DIR, env: { LIAOWANG_JURISDICTION: io.env.LIAOWANG_JURISDICTION }, gazetteer: analyzer.resources.gazetteer });
  const es = createEsClient(esSettings(env));
  try {
    if (!values.json) println(io.stderr, `reading unscoped documents against the jurisdiction ${jurisdiction.label}…`);
    const report = await backfillScope(es, env.LIAOWANG_INDEX_PREFIX, jurisdiction, {
      batch,
      ...(limit !== undefined ? { limit } : {}),
      progress: (r) => values.json || println(io.stderr, `  ${r.scanned} read, ${r.updated} scoped`),
    });
    if (values.json) println(io.stdout, JSON.stringify({ jurisdiction: jurisdiction.label, ...report }, null, 2));
    else {
      const scopes = Object.entries(report.byScope).map(([s, n]) => `${s} ${n}`).join(", ");
      println(io.stdout, `${report.updated} document(s) given a scope${scopes ? ` (${scopes})` : ""}; ${report.conflicts} changed meanwhile and left; ${report.failed} failed`);
      for (const e of report.errors) println(io.stdout, `  ${e}`);
      println(io.stdout, report.remaining === 0 ? "every analysed document has a scope" : `${report.remaining} analysed document(s) still without a scope: run the command again to go on`);
      if (report.unanalysed > 0) println(io.stdout, `${report.unanalysed} document(s) have no place analysis (indexed before enrich read places): no scope can be read from them, they stay unscoped`);
    }
    return report.failed > 0 ? 1 : 0;
  } finally {
    await es.close();
  }
}
