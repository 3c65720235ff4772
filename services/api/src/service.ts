import { existsSync } from "node:fs";
import { join } from "node:path";
import { DepartmentsConfig, EscalationConfig } from "@liaowang/alerting";
import { esSettings, kafkaSettings, readConfigFile } from "@liaowang/config";
import { AccountStore, AuditLog, authIndices, SessionStore } from "@liaowang/auth";
import { createEsClient, LiveConfigStore, watchLiveConfig, type Client } from "@liaowang/es";
import { invalidInput } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { createSegmenter } from "@liaowang/nlp";
import { Lifecycle, routeCronLogs, type Started } from "@liaowang/runtime";
import { AlerterClient } from "./alerter-client.js";
import { loadBriefConfig } from "./brief/config.js";
import { BriefMailer, readSmtp } from "./brief/mailer.js";
import { buildApp, type ApiDeps } from "./app.js";
import { startAlertFeed } from "./live/feed.js";
import { LiveHub } from "./live/hub.js";
import { watchHolidays } from "./holidays-watch.js";
import { loadOps } from "./ops.js";
import { SignIn } from "./auth/session-auth.js";
import { demoToken, DEMO_USER, loadUsers } from "./auth/users.js";
import type { ApiConfig } from "./config.js";
import { AlertListCache } from "./store/alert-list-cache.js";
import { ReadStore } from "./store/read-store.js";

/** Accounts, sessions and the security audit in Elasticsearch (indices created when missing). */
async function startAuth(config: ApiConfig, es: Client) {
  const indices = authIndices(config.LIAOWANG_INDEX_PREFIX);
  const accounts = new AccountStore(es, indices.accounts);
  const sessions = new SessionStore(es, indices.sessions, { idleMs: config.API_SESSION_IDLE_SECONDS * 1000, absoluteMs: config.API_SESSION_ABSOLUTE_SECONDS * 1000 });
  const audit = new AuditLog(es, indices.audit, undefined, indices.anchors);
  await Promise.all([accounts.init(), sessions.init(), audit.init()]);
  const signIn = new SignIn({
    accounts,
    sessions,
    audit,
    clock: () => new Date(),
    settings: {
      maxFailures: config.API_SIGNIN_MAX_FAILURES,
      lockMs: config.API_SIGNIN_LOCK_SECONDS * 1000,
      perSourceLimit: config.API_SIGNIN_PER_SOURCE,
      windowMs: 5 * 60_000,
      secureCookie: config.API_COOKIE_SECURE,
      absoluteMs: config.API_SESSION_ABSOLUTE_SECONDS * 1000,
    },
  });
  return { accounts, audit, signIn };
}

/**
 * Write the security audit's chain head to its anchor index every `ms` (and once at start), so `audit verify`
 * detects records removed from the chain's end before the newest anchor. Returns a stop function.
 */
function anchorPeriodically(audit: AuditLog, ms: number, log: Logger): () => void {
  const run = () => {
    audit.anchor().then(
      (anchor) => anchor && log.debug({ anchor: anchor.seq, record: anchor.auditSeq }, "security audit head anchored"),
      (error: unknown) => log.warn({ err: error }, "security audit head not anchored (retried at the next interval)"),
    );
  };
  run();
  const timer = setInterval(run, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** Where the demo token is kept when API_DEMO_TOKEN is not given (beside the other local secrets). */
function demoFile(config: ApiConfig): string {
  return join(config.LIAOWANG_STACK_DIR, "secrets", "api-demo-token");
}

/**
 * Start the API + dashboard: read-only Elasticsearch access for search, trends, incidents, alerts and audit;
 * transitions through the alerter; users from config/users.yaml (+ API_USERS, + the demo user when LIAOWANG_DEMO=on).
 */
export async function startApi(config: ApiConfig, log: Logger): Promise<Started> {
  const lifecycle = new Lifecycle(log);
  const es = lifecycle.add("elasticsearch", createEsClient(esSettings(config)), (client) => client.close());

  const demo = config.LIAOWANG_DEMO === "on" ? { token: demoToken(config.API_DEMO_TOKEN, demoFile(config)) } : undefined;
  const users = loadUsers({ file: config.usersFile, inline: config.API_USERS, demo });
  if (users.size === 0) log.warn({ file: config.usersFile }, `no API users configured: only /api/v1/health answers; add users to ${config.usersFile} (pnpm --filter @liaowang/api token <user-id>)`);

  const departments = existsSync(config.departmentsFile) ? readConfigFile(config.departmentsFile, DepartmentsConfig) : undefined;
  if (!departments) log.warn({ file: config.departmentsFile }, "departments file not found: GET /api/v1/departments answers 503");
  for (const user of users.list()) {
    if (user.department && departments && !departments.departments.some((d) => d.id === user.department)) {
      throw invalidInput(`user ${user.id} heads department "${user.department}", which ${config.departmentsFile} does not define`);
    }
  }

  const briefConfig = loadBriefConfig(config.briefFile);
  for (const r of briefConfig.recipients) {
    if (r.department && departments && !departments.departments.some((d) => d.id === r.department)) throw invalidInput(`${config.briefFile}: recipients name department "${r.department}", which ${config.departmentsFile} does not define`);
  }
  // SMTP only when someone is to receive the brief: the page and PDF need none.
  const smtp = briefConfig.recipients.length > 0 ? readSmtp(config.notifyFile, process.env) : undefined;
  if (briefConfig.recipients.length > 0 && !smtp) throw invalidInput(`${config.briefFile} lists brief recipients, but ${config.notifyFile} has no smtp settings to send with`);
  const briefSettings = { timeZone: briefConfig.timezone, publicUrl: config.publicUrl, fontPath: config.LIAOWANG_CJK_FONT };
  const store = new ReadStore(es, config.LIAOWANG_INDEX_PREFIX, log.child({ module: "store" }));
  const ops = departments ? loadOps(config, departments, log) : undefined;
  // Alert lists polled by duty boards are kept until an alert changes (or API_ALERT_LIST_CACHE_MS), while the live feed runs.
  let liveFeedReady = () => false;
  const alertLists = new AlertListCache<Awaited<ReturnType<ReadStore["listAlerts"]>>>({ ttlMs: config.API_ALERT_LIST_CACHE_MS, active: () => liveFeedReady() });
  store.useAlertListCache(alertLists);
  if (ops) {
    const hub = new LiveHub((id) => store.getAlert(id), log.child({ module: "live" }));
    ops.live = hub;
    hub.onChange(() => alertLists.invalidate());
    liveFeedReady = () => hub.ready;
    // A year's 节假日安排 typed into holidays.yaml applies without a restart.
    lifecycle.add("holidays-watch", watchHolidays(join(config.LIAOWANG_CONFIG_DIR, "holidays.yaml"), ops, log.child({ module: "calendar" })), async (stop) => stop());
    // Live updates are an addition to polling: an API without Kafka still serves, and says so.
    try {
      const feed = await startAlertFeed(kafkaSettings(config), hub, log.child({ module: "live" }));
      lifecycle.add("live-feed", feed, (f) => f.stop());
    } catch (error) {
      log.warn({ err: error }, "live alert feed not started: dashboards fall back to polling");
    }
  }
  const auth = await startAuth(config, es);
  users.useSessions((token) => auth.signIn.resolve(token));
  if (config.API_AUDIT_ANCHOR_SECONDS > 0) lifecycle.add("audit-anchor", anchorPeriodically(auth.audit, config.API_AUDIT_ANCHOR_SECONDS * 1000, log.child({ module: "audit" })), async (stop) => stop());

  // Admin screens: configuration edited live, stored in Elasticsearch; the files in config/ are version 0.
  const liveConfig = new LiveConfigStore(es, config.LIAOWANG_INDEX_PREFIX);
  await liveConfig.init();
  const dir = config.LIAOWANG_CONFIG_DIR;
  const admin = {
    store: liveConfig,
    files: { "watch-rules": join(dir, "watch-rules.yaml"), sources: join(dir, "sources.yaml"), departments: config.departmentsFile, escalation: config.escalationFile },
    notifyFile: config.notifyFile,
    allowInternal: config.INGEST_ALLOW_INTERNAL,
    accounts: auth.accounts,
  };

  const segmenter = createSegmenter({ configDir: config.LIAOWANG_CONFIG_DIR });
  const apiDeps: ApiDeps = {
    es,
    indexPrefix: config.LIAOWANG_INDEX_PREFIX,
    store,
    users,
    alerter: new AlerterClient(config.alerterUrl, config.ALERTER_API_TOKEN, undefined, () => alertLists.invalidate()),
    searchTerms: (query) => [...new Set(segmenter.cutForSearch(query))],
    departments,
    ops,
    maxLiveAlerts: config.API_MAX_LIVE_ALERTS,
    ingest: { url: config.ingestUrl, maxBytes: config.API_PUSH_MAX_BYTES, tokens: config.LIAOWANG_INGEST_TOKENS },
    log,
    brief: briefSettings,
    auth,
    trustProxy: config.API_TRUST_PROXY === "true",
    admin,
  };
  const app = await buildApp(apiDeps);
  // What this API reads itself (department names, inbox, escalations) follows the stored versions, edits made
  // through another replica included.
  const storedDepartments = await liveConfig.current("departments");
  const storedEscalation = await liveConfig.current("escalation");
  try {
    if (storedDepartments) apiDeps.departments = DepartmentsConfig.parse(storedDepartments.data);
    if (storedEscalation && apiDeps.ops) apiDeps.ops.escalation = EscalationConfig.parse(storedEscalation.data);
  } catch (error) {
    log.error({ err: error }, "stored departments / escalation configuration is invalid: the files are used");
  }
  const watchLog = log.child({ module: "admin" });
  lifecycle.add("departments-watch", watchLiveConfig({ store: liveConfig, kind: "departments", parse: (d) => DepartmentsConfig.parse(d), apply: (v) => void (apiDeps.departments = v), since: storedDepartments?.version ?? 0, log: watchLog }), (w) => w.stop());
  lifecycle.add("escalation-watch", watchLiveConfig({ store: liveConfig, kind: "escalation", parse: (d) => EscalationConfig.parse(d), apply: (v) => void (apiDeps.ops && (apiDeps.ops.escalation = v)), since: storedEscalation?.version ?? 0, log: watchLog }), (w) => w.stop());
  if (smtp) {
    routeCronLogs(log);
    const mailer = BriefMailer.create({ es, indexPrefix: config.LIAOWANG_INDEX_PREFIX, departments, log: log.child({ module: "brief" }) }, briefSettings, briefConfig, smtp);
    lifecycle.add("brief-mail", mailer.start(() => new Date()), (task) => task.stop());
  }
  const address = await app.listen({ host: config.API_HTTP_HOST, port: config.API_HTTP_PORT });
  lifecycle.add("http", app, (a) => a.close());
  const url = address.replace("[::1]", "localhost");
  log.info({ url, users: users.size, alerter: config.alerterUrl, transitions: config.ALERTER_API_TOKEN ? "enabled" : "disabled (no ALERTER_API_TOKEN)" }, `dashboard and API listening on ${url}/`);
  // The token stays out of the log (`pnpm start` prints the link on the operator's terminal instead).
  if (demo) log.info({ user: DEMO_USER.id, roles: DEMO_USER.roles }, `demo mode: ${DEMO_USER.name} signs in with the link \`pnpm start\` printed (token in ${demoFile(config)} unless API_DEMO_TOKEN is set)`);
  return { stop: () => lifecycle.stop() };
}
