import { z } from "zod";
import { CommonEnv, loadEnv, type Env } from "@liaowang/config";

const EnrichEnv = CommonEnv.extend({
  /** Consumer group; default `<LIAOWANG_TOPIC_PREFIX>enrich`, so deployments sharing a cluster never share a group. */
  ENRICH_GROUP_ID: z.string().min(1).optional(),
  ENRICH_KEYWORDS: z.coerce.number().int().min(1).max(100).default(20),
  /** Re-read the user dictionary, stop words, taxonomy, sentiment lexicons and place list when they change (no restart). */
  ENRICH_WATCH_DICTIONARIES: z.enum(["on", "off"]).default("on"),
  /** Overrides config/jurisdiction.yaml's area (as for the detector): each document's scope is read against it. */
  LIAOWANG_JURISDICTION: z.string().min(1).optional(),
});
export type EnrichConfig = z.output<typeof EnrichEnv>;

/** Validate the enrich service's environment (fails naming each wrong key). */
export function loadConfig(env: Env): EnrichConfig {
  return loadEnv(EnrichEnv, env);
}
