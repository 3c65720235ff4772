import { existsSync } from "node:fs";
import { join } from "node:path";
import { validate as validateCron } from "node-cron";
import { z } from "zod";
import { CommonEnv, loadEnv, readConfigFile, type Env } from "@liaowang/config";
import { RetentionConfig } from "@liaowang/es";
import { invalidInput } from "@liaowang/errors";

const IndexerEnv = CommonEnv.extend({
  /** Consumer group; default `<LIAOWANG_TOPIC_PREFIX>indexer`, so deployments sharing a cluster never share a group. */
  INDEXER_GROUP_ID: z.string().min(1).optional(),
  /** Retention settings (config/retention.yaml by default; built-in defaults when absent). */
  INDEXER_RETENTION_FILE: z.string().min(1).optional(),
  /** `off` disables the retention sweep on this replica (e.g. when another job prunes the cluster). */
  INDEXER_RETENTION: z.enum(["on", "off"]).default("on"),
  /**
   * Most documents per bulk request. Elasticsearch syncs its translog once per bulk request (the offsets are only
   * committed after that), so on a busy disk a few large bulks index several times faster than many small ones.
   */
  INDEXER_BULK_DOCS: z.coerce.number().int().min(1).max(20_000).default(2_000),
  /** Most bytes fetched from one partition at a time, which bounds one bulk request's size (default 8 MiB). */
  INDEXER_FETCH_BYTES: z.coerce.number().int().min(65_536).default(8 * 1024 * 1024),
  /**
   * The broker answers a fetch once this many bytes are there (or after INDEXER_FETCH_WAIT_MS): under a steady stream
   * the indexer then writes bulks of hundreds of documents instead of one small bulk per few records, and Elasticsearch
   * spends less CPU per document (one bulk's overhead, one translog sync per bulk). An enriched short post is 1–3 KB
   * (tokens, segmented title and text, search terms), so 1 MiB is ~400–800 of them; below ~1,000 posts/s the wait ends
   * a fetch first either way, above it bulks grow towards the 250 ms of posts instead of stopping at ~100–200.
   */
  INDEXER_FETCH_MIN_BYTES: z.coerce.number().int().min(1).default(1024 * 1024),
  /**
   * The longest a fetch waits for INDEXER_FETCH_MIN_BYTES: what a post can wait at most before its bulk is written, on
   * top of the index's 1 s refresh (the search delay users see).
   */
  INDEXER_FETCH_WAIT_MS: z.coerce.number().int().min(0).max(5_000).default(250),
});
export type IndexerConfig = z.output<typeof IndexerEnv> & { retention: RetentionConfig };

/** Validate the indexer's environment and read the retention file (fails naming each wrong key). */
export function loadConfig(env: Env): IndexerConfig {
  const base = loadEnv(IndexerEnv, env);
  const fallback = join(base.LIAOWANG_CONFIG_DIR, "retention.yaml");
  const file = base.INDEXER_RETENTION_FILE ?? (existsSync(fallback) ? fallback : undefined);
  const retention = file ? readConfigFile(file, RetentionConfig) : RetentionConfig.parse({});
  if (!validateCron(retention.schedule)) throw invalidInput(`Invalid config file ${file}:\n  schedule: "${retention.schedule}" is not a node-cron expression (expected e.g. "30 3 * * *")`);
  return { ...base, retention };
}
