import { parseArgs } from "node:util";
import { CommonEnv, esSettings, loadEnv } from "@liaowang/config";
import { createEsClient, trends, type TrendDimension } from "@liaowang/es";
import { println, type CliIo } from "./io.js";
import { querySegmenter } from "./segmenter.js";

const LABELS: Record<TrendDimension, string> = { topics: "话题 topics", keywords: "关键词 keywords", sentiment: "情感 sentiment", regions: "地区 regions", sources: "来源 sources" };

/** `trends [--json] [--days N] [--hours N] [--query Q]`: volume and top topics/keywords/sentiment/regions/sources over time. */
export async function trendsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: "boolean", default: false },
      days: { type: "string", default: "7" },
      hours: { type: "string" },
      query: { type: "string" },
      top: { type: "string", default: "10" },
    },
  });
  const env = loadEnv(CommonEnv, io.env);
  const hourly = values.hours !== undefined;
  const spanMs = hourly ? Number(values.hours) * 3_600_000 : Number(values.days) * 86_400_000;
  if (!Number.isFinite(spanMs) || spanMs <= 0) {
    println(io.stderr, "trends: --days / --hours must be a positive number");
    return 2;
  }
  const until = new Date();
  const since = new Date(until.getTime() - spanMs);
  const terms = values.query ? (await querySegmenter(env.LIAOWANG_CONFIG_DIR)).searchTerms(values.query) : undefined;
  const es = createEsClient(esSettings(env));
  try {
    const result = await trends(es, env.LIAOWANG_INDEX_PREFIX, {
      since: since.toISOString(),
      until: until.toISOString(),
      interval: hourly ? "hour" : "day",
      top: Number(values.top),
      ...(terms ? { terms } : {}),
    });
    if (values.json) {
      println(io.stdout, JSON.stringify(result, null, 2));
      return 0;
    }
    println(io.stdout, `${result.total} document(s) from ${since.toISOString()} to ${until.toISOString()}, per ${result.interval}`);
    println(io.stdout, `volume: ${result.volume.join(" ")}`);
    for (const [dim, series] of Object.entries(result.series) as [TrendDimension, { key: string; total: number; counts: number[] }[]][]) {
      println(io.stdout, "");
      println(io.stdout, LABELS[dim]);
      for (const s of series) println(io.stdout, `  ${s.key.padEnd(12, "　")} ${String(s.total).padStart(6)}  ${s.counts.join(" ")}`);
    }
    return 0;
  } finally {
    await es.close();
  }
}
