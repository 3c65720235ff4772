import { join } from "node:path";
import { z } from "zod";
import { CommonEnv, loadEnv, type Env } from "@liaowang/config";

const list = (value: string | undefined) => (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);

const IngestEnv = CommonEnv.extend({
  INGEST_HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  INGEST_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** Bearer tokens accepted by push ingestion. Required: there is no unauthenticated mode. */
  LIAOWANG_INGEST_TOKENS: z
    .string({ error: "required: comma-separated bearer tokens for POST /api/v1/documents" })
    .transform(list)
    .refine((tokens) => tokens.length > 0 && tokens.every((t) => t.length >= 16), "expected one or more tokens of at least 16 characters"),
  /** Feed sources to poll; "none" polls nothing (push and replay only). */
  INGEST_SOURCES_FILE: z.string().min(1).optional(),
  INGEST_MAX_BODY_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** Internal hosts an admin allows feeds to be fetched from (public addresses only otherwise). */
  INGEST_ALLOW_INTERNAL: z.string().optional().transform(list),
});
export type IngestConfig = z.output<typeof IngestEnv> & { sourcesFile: string | undefined };

/** Validate the ingest service's environment (fails naming each wrong key). */
export function loadConfig(env: Env): IngestConfig {
  const config = loadEnv(IngestEnv, env);
  const file = config.INGEST_SOURCES_FILE ?? join(config.LIAOWANG_CONFIG_DIR, "sources.yaml");
  return { ...config, sourcesFile: file === "none" ? undefined : file };
}
