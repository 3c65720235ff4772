import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { chineseCalendar, DepartmentsConfig, HolidaysConfig, DigestSettings, EscalationConfig, RosterConfig, rosterProblems, type AlertingConfig } from "@liaowang/alerting";
import { CommonEnv, formatIssues, interpolateEnv, loadEnv, type Env } from "@liaowang/config";
import { invalidInput } from "@liaowang/errors";
import { NotifyConfig } from "@liaowang/notify";
import { validate as validateCron } from "node-cron";

const AlerterEnv = CommonEnv.extend({
  /** Consumer group; default `<LIAOWANG_TOPIC_PREFIX>alerter`, so deployments sharing a cluster never share a group. */
  ALERTER_GROUP_ID: z.string().min(1).optional(),
  ALERTER_HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  ALERTER_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8083),
  /** Base URL people reach the alerter at; acknowledge links are `<base>/ack/<token>`. */
  ALERTER_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** HMAC key of acknowledge links (≥ 32 characters); no default, so links are never signed with a known key. */
  ALERTER_ACK_SECRET: z.string().min(32, "expected at least 32 characters"),
  /** The previous key while its links are still out (key rotation). */
  ALERTER_ACK_SECRET_PREVIOUS: z.string().min(32, "expected at least 32 characters").optional(),
  /** Bearer token for POST /alerts/<id>/transition (the API service calls it on behalf of signed-in officers). */
  ALERTER_API_TOKEN: z.string().min(24, "expected at least 24 characters"),
  /** node-cron schedule (with seconds) of the reminder / escalation scan and outbox dispatch. */
  ALERTER_SCAN_SCHEDULE: z
    .string()
    .default("*/15 * * * * *")
    .refine((expr) => validateCron(expr), "expected a node-cron expression, e.g. */15 * * * * *"),
  /**
   * Overrides `digest.schedule` of escalation.yaml (drills, tests); set without a `digest` section it turns the
   * digest on with the defaults (Asia/Shanghai, group targets).
   */
  ALERTER_DIGEST_SCHEDULE: z
    .string()
    .refine((expr) => validateCron(expr), "expected a node-cron expression, e.g. 0 8 * * *")
    .optional(),
  /**
   * The broker answers the incidents consumer's fetch once this many bytes of snapshots are there (or after
   * ALERTER_FETCH_WAIT_MS). With 1 byte (kafkajs's default) a busy detector's snapshots came a few per fetch, and
   * each fetch paid a multi-get, a bulk, an offset commit and the next fetch: round trips whose socket writes were
   * most of the alerter's CPU on the 2-core machine. `1` turns the gathering off.
   */
  ALERTER_FETCH_MIN_BYTES: z.coerce.number().int().min(1).default(64 * 1024),
  /** The longest a fetch waits for ALERTER_FETCH_MIN_BYTES (ms): at most this much is added to an alert's way. */
  ALERTER_FETCH_WAIT_MS: z.coerce.number().int().min(0).max(5_000).default(100),
  /** How long a replica's claim on an outbox entry is exclusive; keep well above a channel's timeout. */
  ALERTER_OUTBOX_LEASE_MS: z.coerce.number().int().min(1_000).default(120_000),
  /** This replica's name on outbox leases. */
  ALERTER_REPLICA: z.string().min(1).optional(),
  ALERTER_DEPARTMENTS_FILE: z.string().min(1).optional(),
  ALERTER_ESCALATION_FILE: z.string().min(1).optional(),
  ALERTER_NOTIFY_FILE: z.string().min(1).optional(),
  /** The duty roster (值班表); default `<config dir>/roster.yaml`, used when present. */
  ALERTER_ROSTER_FILE: z.string().min(1).optional(),
});

/** The alerter's validated settings and config files. */
export type AlerterConfig = z.output<typeof AlerterEnv> & {
  alerting: AlertingConfig;
  notify: NotifyConfig;
  publicUrl: string;
  /** config/holidays.yaml (official schedules the chinese-days package lacks yet), when present. */
  holidays: HolidaysConfig | undefined;
  /** Where holidays.yaml is (followed while the alerter runs). */
  holidaysFile: string;
  /** The daily digest after the environment override; undefined when off. */
  digest: DigestSettings | undefined;
};

/** Moved to @liaowang/config (the api reads notify.yaml's smtp settings too); re-exported for existing callers. */
export { interpolateEnv };

/** Read a YAML config file, interpolate `${ENV}` placeholders and validate it, naming file, key, value and expectation. */
export function readYamlConfig<S extends z.ZodType>(path: string, schema: S, env: Env): z.output<S> {
  if (!existsSync(path)) throw invalidInput(`Config file ${path} does not exist`);
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw invalidInput(`Config file ${path} is not valid YAML: ${String(error)}`, error);
  }
  const interpolated = interpolateEnv(data, env, path);
  const result = schema.safeParse(interpolated);
  if (result.success) return result.data;
  throw invalidInput(`Invalid config file ${path}:\n${formatIssues(result.error.issues, interpolated, "  ")}`);
}

/** Every department target id must be a configured notify target, or messages would be dropped at send time. */
export function checkTargets(alerting: AlertingConfig, notify: NotifyConfig, file: string): void {
  const problems: string[] = [];
  for (const d of alerting.departments.departments) {
    for (const t of d.targets) if (!Object.hasOwn(notify.targets, t)) problems.push(`department "${d.id}" names target "${t}", which ${file} does not define`);
    for (const p of d.people) {
      if (p.email && !notify.smtp) problems.push(`person "${p.id}" has an email but ${file} has no smtp settings`);
      if (p.mobile && !notify.sms) problems.push(`person "${p.id}" has a mobile number but ${file} has no sms gateway`);
    }
  }
  if (problems.length > 0) throw invalidInput(`Inconsistent alerter config:\n  ${problems.join("\n  ")}`);
}

/**
 * Validate the alerter's environment and read config/departments.yaml, config/escalation.yaml and
 * config/notify.yaml (paths overridable). Fails at start-up naming each wrong key.
 */
export function loadConfig(env: Env): AlerterConfig {
  const base = loadEnv(AlerterEnv, env);
  const dir = base.LIAOWANG_CONFIG_DIR;
  const departmentsFile = base.ALERTER_DEPARTMENTS_FILE ?? join(dir, "departments.yaml");
  const escalationFile = base.ALERTER_ESCALATION_FILE ?? join(dir, "escalation.yaml");
  const notifyFile = base.ALERTER_NOTIFY_FILE ?? join(dir, "notify.yaml");
  const departments = readYamlConfig(departmentsFile, DepartmentsConfig, env);
  const holidaysFile = join(dir, "holidays.yaml");
  const holidays = existsSync(holidaysFile) ? readYamlConfig(holidaysFile, HolidaysConfig, env) : undefined;
  const alerting: AlertingConfig = {
    departments,
    escalation: readYamlConfig(escalationFile, EscalationConfig, env),
    roster: loadRoster(base.ALERTER_ROSTER_FILE, join(dir, "roster.yaml"), departments, env),
    calendar: chineseCalendar(holidays),
  };
  const notify = readYamlConfig(notifyFile, NotifyConfig, env);
  checkTargets(alerting, notify, notifyFile);
  const configured = alerting.escalation.digest;
  if (configured && !validateCron(configured.schedule)) {
    throw invalidInput(`Invalid config file ${escalationFile}:\n  digest.schedule: "${configured.schedule}" is not a node-cron expression (expected e.g. "0 8 * * *")`);
  }
  const digest = base.ALERTER_DIGEST_SCHEDULE ? DigestSettings.parse({ ...configured, schedule: base.ALERTER_DIGEST_SCHEDULE }) : configured;
  return { ...base, alerting, notify, digest, holidays, holidaysFile, publicUrl: (base.ALERTER_PUBLIC_URL ?? `http://${base.ALERTER_HTTP_HOST}:${base.ALERTER_HTTP_PORT}`).replace(/\/+$/, "") };
}

/**
 * Read the duty roster: the file named by ALERTER_ROSTER_FILE (which must exist), else `<config dir>/roster.yaml`
 * when present; its departments and people must be those of departments.yaml.
 */
export function loadRoster(explicit: string | undefined, fallback: string, departments: DepartmentsConfig, env: Env): RosterConfig | undefined {
  const file = explicit ?? (existsSync(fallback) ? fallback : undefined);
  if (file === undefined) return undefined;
  const roster = readYamlConfig(file, RosterConfig, env);
  const problems = rosterProblems(roster, departments);
  if (problems.length > 0) throw invalidInput(`Invalid config file ${file}:\n  ${problems.join("\n  ")}`);
  return roster;
}
