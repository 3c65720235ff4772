import { validate as validateCron } from "node-cron";
import { z } from "zod";
import { CommonEnv, loadEnv, type Env } from "@liaowang/config";
import { invalidInput } from "@liaowang/errors";

const EvidenceEnv = CommonEnv.extend({
  /** How often new posts of open incidents are captured (node-cron, seconds allowed). */
  EVIDENCE_CAPTURE_SCHEDULE: z.string().min(1).default("*/30 * * * * *"),
  /** How often the URLs of open incidents' posts are re-checked for deletion. */
  EVIDENCE_RECHECK_SCHEDULE: z.string().min(1).default("*/30 * * * *"),
  /** Hosts / CIDR ranges the SSRF guard lets through (comma-separated), e.g. an intranet news site. */
  EVIDENCE_ALLOW_INTERNAL: z.string().default(""),
  /** Largest original kept per post. */
  EVIDENCE_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  EVIDENCE_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
});
export type EvidenceConfig = z.output<typeof EvidenceEnv> & { allow: string[] };

/** Validate the evidence service's environment. */
export function loadConfig(env: Env): EvidenceConfig {
  const base = loadEnv(EvidenceEnv, env);
  for (const key of ["EVIDENCE_CAPTURE_SCHEDULE", "EVIDENCE_RECHECK_SCHEDULE"] as const) {
    if (!validateCron(base[key])) throw invalidInput(`${key} = "${base[key]}": expected a node-cron expression`);
  }
  return { ...base, allow: base.EVIDENCE_ALLOW_INTERNAL.split(",").map((s) => s.trim()).filter(Boolean) };
}
