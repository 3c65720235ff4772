import { z } from "zod";
import { CommonEnv, loadEnv, type Env } from "@liaowang/config";

const IndexerEnv = CommonEnv.extend({
  /** Consumer group; default `<LIAOWANG_TOPIC_PREFIX>indexer`, so deployments sharing a cluster never share a group. */
  INDEXER_GROUP_ID: z.string().min(1).optional(),
});
export type IndexerConfig = z.output<typeof IndexerEnv>;

/** Validate the indexer's environment (fails naming each wrong key). */
export function loadConfig(env: Env): IndexerConfig {
  return loadEnv(IndexerEnv, env);
}
