import { join } from "node:path";
import { z } from "zod";
import { CommonEnv, loadEnv, repoRoot, type Env } from "@liaowang/config";

const ApiEnv = CommonEnv.extend({
  API_HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  API_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Users and their hashed bearer tokens; see config/users.yaml. */
  API_USERS_FILE: z.string().min(1).optional(),
  /** Users inline (YAML or JSON, same shape as the file), added to the file's, e.g. in containers and tests. */
  API_USERS: z.string().min(1).optional(),
  /**
   * Local demo convenience: with `on`, a demo duty officer is added and its login link printed at start.
   * Only an explicit `on` enables it (`pnpm start` sets it), never a missing value.
   */
  LIAOWANG_DEMO: z.enum(["on", "off"]).default("off"),
  /** Fixed demo token (≥ 24 characters); otherwise one is kept in <LIAOWANG_STACK_DIR>/api-demo-token. */
  API_DEMO_TOKEN: z.string().min(24, "expected at least 24 characters").optional(),
  LIAOWANG_STACK_DIR: z.string().min(1).default(join(repoRoot, ".devstack")),
  /** The alerter's HTTP base URL: transitions go through it, so the lifecycle lives in one place. */
  ALERTER_URL: z.url({ protocol: /^https?$/ }).optional(),
  ALERTER_HTTP_PORT: z.coerce.number().int().min(1).max(65_535).default(8083),
  /** The alerter's bearer token for transitions; without it transitions answer 503. */
  ALERTER_API_TOKEN: z.string().min(1).optional(),
  /** The ingest service `POST /api/v1/documents` is forwarded to (push tokens are the ingest service's). */
  INGEST_URL: z.url({ protocol: /^https?$/ }).optional(),
  INGEST_HTTP_PORT: z.coerce.number().int().min(1).max(65_535).default(8081),
  /**
   * Push tokens (the ingest service's, comma-separated): the API checks them before reading a push body.
   * Unset: POST /api/v1/documents answers 401 (push to the ingest service directly, or set them here too).
   */
  LIAOWANG_INGEST_TOKENS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").map((t) => t.trim()).filter((t) => t.length > 0))
    .refine((tokens) => tokens.every((t) => t.length >= 16), "expected comma-separated tokens of at least 16 characters each"),
  /** Largest push body forwarded (the ingest service has its own limit, INGEST_MAX_BODY_BYTES). */
  API_PUSH_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** Sessions end after this long without a request (idle) … */
  API_SESSION_IDLE_SECONDS: z.coerce.number().int().min(1).default(30 * 60),
  /** How often an open live stream (GET /api/v1/live) is pinged and its session re-checked (a signed-out session's stream ends then). */
  API_LIVE_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  /** … and this long after sign-in whatever the activity (absolute). */
  API_SESSION_ABSOLUTE_SECONDS: z.coerce.number().int().min(1).default(12 * 3600),
  /** How often the security audit's chain head is written to its anchor index (truncation after it is detected); 0: never. */
  API_AUDIT_ANCHOR_SECONDS: z.coerce.number().int().min(0).default(300),
  /** Consecutive wrong passwords before an account locks, and for how long. */
  API_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  API_SIGNIN_LOCK_SECONDS: z.coerce.number().int().min(1).default(15 * 60),
  /** Sign-in attempts per source address per 5 minutes, whatever the account. */
  API_SIGNIN_PER_SOURCE: z.coerce.number().int().min(1).default(30),
  /** Secure session cookies: `auto` when the request came over TLS (behind a proxy: API_TRUST_PROXY=true), or always / never. */
  API_COOKIE_SECURE: z.enum(["auto", "always", "never"]).default("auto"),
  /** Trust X-Forwarded-For / -Proto from a reverse proxy (source addresses in the audit, Secure cookies). */
  API_TRUST_PROXY: z.enum(["true", "false"]).default("false"),
  /** Departments (read-only here), as the alerter routes with them. */
  API_DEPARTMENTS_FILE: z.string().min(1).optional(),
  /** The duty roster (值班表) the duty board shows; default `<config dir>/roster.yaml`, used when present. */
  API_ROSTER_FILE: z.string().min(1).optional(),
  /** Escalation policies, to tell a department head which escalations were addressed to them. */
  API_ESCALATION_FILE: z.string().min(1).optional(),
  /** Internal feed hosts / CIDR ranges the admin screens' test fetch may reach, comma-separated (the ingest service's setting). */
  INGEST_ALLOW_INTERNAL: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean)),
  /** Most live alerts the duty board sorts at once (they are sorted in memory by deadline). */
  API_MAX_LIVE_ALERTS: z.coerce.number().int().min(10).max(10_000).default(2_000),
  /**
   * How long an alert list (GET /api/v1/alerts, the inbox) may be served again without reading Elasticsearch, while
   * the live feed is connected; any alert event drops it at once (see store/alert-list-cache.ts). 0: never kept.
   */
  API_ALERT_LIST_CACHE_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  /** Notification settings: the daily brief email uses its `smtp` section. */
  API_NOTIFY_FILE: z.string().min(1).optional(),
  /** Daily brief settings (schedule, time zone, email recipients); see config/brief.yaml. */
  API_BRIEF_FILE: z.string().min(1).optional(),
  /** The dashboard's address as readers reach it: links in brief PDFs and emails point here. */
  API_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The Chinese font brief PDFs are set in (`file` or `file.ttc#PostScriptName`); default: the first installed of WenQuanYi Micro Hei, Noto Sans CJK. */
  LIAOWANG_CJK_FONT: z.string().min(1).optional(),
});

/** The API service's validated settings. */
export type ApiConfig = z.output<typeof ApiEnv> & { alerterUrl: string; ingestUrl: string; usersFile: string; departmentsFile: string; briefFile: string; notifyFile: string; publicUrl: string; escalationFile: string };

/** Validate the API's environment (fails naming each wrong key). */
export function loadConfig(env: Env): ApiConfig {
  const base = loadEnv(ApiEnv, env);
  return {
    ...base,
    alerterUrl: (base.ALERTER_URL ?? `http://127.0.0.1:${base.ALERTER_HTTP_PORT}`).replace(/\/+$/, ""),
    ingestUrl: (base.INGEST_URL ?? `http://127.0.0.1:${base.INGEST_HTTP_PORT}`).replace(/\/+$/, ""),
    usersFile: base.API_USERS_FILE ?? join(base.LIAOWANG_CONFIG_DIR, "users.yaml"),
    departmentsFile: base.API_DEPARTMENTS_FILE ?? join(base.LIAOWANG_CONFIG_DIR, "departments.yaml"),
    briefFile: base.API_BRIEF_FILE ?? join(base.LIAOWANG_CONFIG_DIR, "brief.yaml"),
    notifyFile: base.API_NOTIFY_FILE ?? join(base.LIAOWANG_CONFIG_DIR, "notify.yaml"),
    publicUrl: (base.API_PUBLIC_URL ?? `http://${base.API_HTTP_HOST.includes(":") ? `[${base.API_HTTP_HOST}]` : base.API_HTTP_HOST}:${base.API_HTTP_PORT}`).replace(/\/+$/, ""),
    escalationFile: base.API_ESCALATION_FILE ?? join(base.LIAOWANG_CONFIG_DIR, "escalation.yaml"),
  };
}
