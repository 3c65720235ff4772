import { z } from "zod";
import { CommonEnv, loadEnv, type Env } from "@liaowang/config";

const IndexerEnv = CommonEnv.extend({
  INDEXER_GROUP_ID: z.string().min(1).default("liaowang-indexer"),
});
export type IndexerConfig = z.output<typeof IndexerEnv>;

/** Validate the indexer's environment (fails naming each wrong key). */
export function loadConfig(env: Env): IndexerConfig {
  return loadEnv(IndexerEnv, env);
}
