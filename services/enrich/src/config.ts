import { z } from "zod";
import { CommonEnv, loadEnv, type Env } from "@liaowang/config";

const EnrichEnv = CommonEnv.extend({
  ENRICH_GROUP_ID: z.string().min(1).default("liaowang-enrich"),
  ENRICH_KEYWORDS: z.coerce.number().int().min(1).max(100).default(20),
  /** Re-read the user dictionary and stop words when their files change (no restart needed). */
  ENRICH_WATCH_DICTIONARIES: z.enum(["on", "off"]).default("on"),
});
export type EnrichConfig = z.output<typeof EnrichEnv>;

/** Validate the enrich service's environment (fails naming each wrong key). */
export function loadConfig(env: Env): EnrichConfig {
  return loadEnv(EnrichEnv, env);
}
