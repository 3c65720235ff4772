import { z } from "zod";
import { CommonEnv, loadEnv, type Env } from "@liaowang/config";

const EnrichEnv = CommonEnv.extend({
  /** Consumer group; default `<LIAOWANG_TOPIC_PREFIX>enrich`, so deployments sharing a cluster never share a group. */
  ENRICH_GROUP_ID: z.string().min(1).optional(),
  ENRICH_KEYWORDS: z.coerce.number().int().min(1).max(100).default(20),
  /** Re-read the user dictionary, stop words, taxonomy, sentiment lexicons and place list when they change (no restart). */
  ENRICH_WATCH_DICTIONARIES: z.enum(["on", "off"]).default("on"),
  /**
   * The broker answers a fetch once this many bytes of raw posts are there (or after ENRICH_FETCH_WAIT_MS): under a
   * steady stream enrich then handles tens of posts per call instead of a few, and the per-call cost (a produce
   * round trip, an offset commit) is shared by them. 1 answers as soon as anything is there.
   */
  ENRICH_FETCH_MIN_BYTES: z.coerce.number().int().min(1).default(64 * 1024),
  /** The longest a fetch waits for ENRICH_FETCH_MIN_BYTES: the most a post can be delayed by it, ms. */
  ENRICH_FETCH_WAIT_MS: z.coerce.number().int().min(0).max(1_000).default(100),
  /** Overrides config/jurisdiction.yaml's area (as for the detector): each document's scope is read against it. */
  LIAOWANG_JURISDICTION: z.string().min(1).optional(),
});
export type EnrichConfig = z.output<typeof EnrichEnv>;

/** Validate the enrich service's environment (fails naming each wrong key). */
export function loadConfig(env: Env): EnrichConfig {
  return loadEnv(EnrichEnv, env);
}
