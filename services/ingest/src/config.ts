import { join } from "node:path";
import { z } from "zod";
import { CommonEnv, loadEnv, type Env } from "@liaowang/config";

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const IngestEnv = CommonEnv.extend({
  INGEST_HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  /** 0 picks a free port (tests); the service logs the URL it listens on. */
  INGEST_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** Bearer tokens accepted by push ingestion, comma-separated. Unset: every push is refused (401). */
  LIAOWANG_INGEST_TOKENS: z
    .string()
    .optional()
    .transform(list)
    .refine((tokens) => tokens.every((t) => t.length >= 16), "expected comma-separated tokens of at least 16 characters each"),
  /** Feed sources to poll (default <config dir>/sources.yaml); "none" polls no configured feeds. */
  INGEST_SOURCES_FILE: z.string().min(1).optional(),
  INGEST_MAX_BODY_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** Pushed records that may wait for Kafka at once; a push beyond it answers 503 with Retry-After (overload). */
  INGEST_PUSH_MAX_PENDING_RECORDS: z.coerce.number().int().positive().default(50_000),
  /** Internal feed hosts or CIDR ranges an admin allows, comma-separated (public addresses only otherwise). */
  INGEST_ALLOW_INTERNAL: z.string().optional().transform(list),
  INGEST_FEED_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  INGEST_FEED_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** Time budget of one feed's parse (XML in a worker thread plus item mapping); a feed over it is abandoned. */
  INGEST_FEED_PARSE_BUDGET_MS: z.coerce.number().int().positive().default(10_000),
  /** publishedAt window: older posts (in days) or posts dated further ahead (in minutes) are kept but flagged date_out_of_window. */
  INGEST_PUBLISHED_MAX_AGE_DAYS: z.coerce.number().int().positive().default(5 * 366),
  INGEST_PUBLISHED_MAX_FUTURE_MINUTES: z.coerce.number().int().nonnegative().default(15),
  /** How many recently produced ids are remembered to skip re-producing unchanged feed items. */
  INGEST_DEDUPE_MAX: z.coerce.number().int().positive().default(100_000),
  /** Demo mode (the default for `pnpm start`): serve the bundled demo feeds, poll them and run the demo ticker. */
  LIAOWANG_DEMO: z.enum(["on", "off"], { error: 'expected "on" or "off"' }).default("off"),
  /** Demo ticker posts per minute (0: no ticker). */
  INGEST_DEMO_POSTS_PER_MINUTE: z.coerce.number().min(0).max(600).default(6),
});
export type IngestConfig = z.output<typeof IngestEnv> & {
  /** The sources file to poll, or undefined for none. */
  sourcesFile: string | undefined;
  /** Demo data (feeds, ticker catalogue, demo sources) when demo mode is on. */
  demo: { dir: string; sourcesFile: string } | undefined;
};

/** Validate the ingest service's environment (fails naming each wrong key). */
export function loadConfig(env: Env): IngestConfig {
  const config = loadEnv(IngestEnv, env);
  const file = config.INGEST_SOURCES_FILE ?? join(config.LIAOWANG_CONFIG_DIR, "sources.yaml");
  const demo = config.LIAOWANG_DEMO === "on" ? { dir: join(config.LIAOWANG_CONFIG_DIR, "demo"), sourcesFile: join(config.LIAOWANG_CONFIG_DIR, "sources.demo.yaml") } : undefined;
  return { ...config, sourcesFile: file === "none" ? undefined : file, demo };
}
