import { hostname } from "node:os";
import { schedule } from "node-cron";
import { calendarCoverage, chineseCalendar, holidayConflicts, HolidaysConfig } from "@liaowang/alerting";
import { watchConfigFile } from "@liaowang/config";
import { runConsumer } from "@liaowang/kafka";
import type { Logger } from "@liaowang/logger";
import { AuditLog, authIndices } from "@liaowang/auth";
import { createChannelRouter } from "@liaowang/notify";
import { connectInfra, Lifecycle, reportStageHealth, routeCronLogs, type Started } from "@liaowang/runtime";
import { alertIndices } from "@liaowang/schemas";
import { Alerter } from "./alerter.js";
import type { AlerterConfig } from "./config.js";
import { createHttpServer, listen } from "./http.js";
import { startAlertingConfigWatch } from "./live-config.js";
import { personResolver } from "./notifications.js";
import { AlertStore } from "./store/alerts.js";
import { EsOutboxStore } from "./store/outbox.js";

/**
 * Start the alerter: incidents topic → alerts in Elasticsearch → alert-events topic; a node-cron scan sends
 * due reminders and escalations through the outbox; HTTP for acknowledge links and transitions.
 */
export async function startAlerter(config: AlerterConfig, log: Logger, fatal: (error: unknown) => void): Promise<Started> {
  const lifecycle = new Lifecycle(log);
  const infra = await connectInfra(config, log, lifecycle, ["incidents", "alertEvents", "deadLetter"]);
  const indices = alertIndices(infra.indexPrefix);
  const store = new AlertStore(infra.es, indices, log.child({ module: "store" }));
  const outbox = new EsOutboxStore(infra.es, indices);
  await store.init();
  await outbox.init();
  const securityAudit = new AuditLog(infra.es, authIndices(infra.indexPrefix).audit);
  await securityAudit.init();

  lifecycle.add("config-watch", await startAlertingConfigWatch(infra.es, infra.indexPrefix, config, log), (w) => w.stop());
  warnCalendarCoverage(config, log);
  lifecycle.add("holidays-watch", watchHolidays(config, log.child({ module: "calendar" })), async (stop) => stop());
  const router = createChannelRouter(config.notify, { resolveExtra: personResolver(config.alerting) });
  const alerter = new Alerter({
    store,
    outbox,
    router,
    events: infra.producer,
    notifications: { alerting: config.alerting, notify: config.notify, publicUrl: config.publicUrl, ackSecret: config.ALERTER_ACK_SECRET },
    replica: config.ALERTER_REPLICA ?? `${hostname()}:${process.pid}`,
    leaseMs: config.ALERTER_OUTBOX_LEASE_MS,
    log: log.child({ module: "alerter" }),
  });

  lifecycle.add("dispatch", alerter, (a) => a.drain());

  const server = createHttpServer({
    alerter,
    store,
    outbox,
    alerting: config.alerting,
    ackSecrets: [config.ALERTER_ACK_SECRET, ...(config.ALERTER_ACK_SECRET_PREVIOUS ? [config.ALERTER_ACK_SECRET_PREVIOUS] : [])],
    apiToken: config.ALERTER_API_TOKEN,
    log: log.child({ module: "http" }),
    securityAudit,
  });
  const port = await listen(server, config.ALERTER_HTTP_HOST, config.ALERTER_HTTP_PORT);
  lifecycle.add("http", server, (s) => new Promise<void>((resolve) => s.close(() => resolve())));
  log.info({ port, publicUrl: config.publicUrl }, "alerter http listening");

  // Catch up first: whatever fell due while no replica ran goes out now, not at the first tick.
  const scan = async () => {
    try {
      await alerter.scan();
    } catch (error) {
      log.warn({ err: error }, "scan failed; retrying at the next tick");
    }
  };
  await scan();

  const consumer = lifecycle.add(
    "consumer",
    await runConsumer({
      kafka: infra.kafka,
      topicPrefix: infra.topicPrefix,
      groupId: config.ALERTER_GROUP_ID,
      topic: "incidents",
      service: "alerter",
      handler: async (records) => {
        await alerter.onIncidents(records.map((r) => r.value));
      },
      deadLetters: infra.producer,
      log: log.child({ module: "consumer" }),
      onFatal: fatal,
      sessionTimeout: infra.sessionTimeout,
      fetch: { minBytes: config.ALERTER_FETCH_MIN_BYTES, maxWaitTimeInMs: config.ALERTER_FETCH_WAIT_MS },
      // The alerts held in memory are only trusted for the partitions this replica consumed throughout: after a
      // rebalance another replica may have opened alerts for incidents this one found without.
      onAssign: async () => store.forgetAll(),
      onRevoke: async () => store.forgetAll(),
    }),
    (c) => c.stop(),
  );
  reportStageHealth(infra, lifecycle, consumer, log.child({ module: "stage-health" }));

  routeCronLogs(log);
  const task = schedule(config.ALERTER_SCAN_SCHEDULE, scan, { name: "alerter-scan", noOverlap: true });
  lifecycle.add("scan", task, async (t) => {
    await t.stop();
    await t.destroy();
  });

  const digest = config.digest;
  if (digest) {
    const digestLog = log.child({ module: "digest" });
    const run = async () => {
      try {
        await alerter.digest(digest);
      } catch (error) {
        digestLog.warn({ err: error }, "daily digest failed; the next run retries (its key keeps it once a day)");
      }
    };
    const digestTask = schedule(digest.schedule, run, { name: "alerter-digest", timezone: digest.timezone, noOverlap: true });
    lifecycle.add("digest", digestTask, async (t) => {
      await t.stop();
      await t.destroy();
    });
    digestLog.info({ schedule: digest.schedule, timezone: digest.timezone, audience: digest.audience }, "daily digest scheduled");
  }
  return { stop: () => lifecycle.stop() };
}

/**
 * Follow config/holidays.yaml: a valid edit (next year's 节假日安排) replaces the calendar the working-day clocks and
 * the roster use from the next alert or scan on; a refused one is logged and the last good calendar stays.
 */
function watchHolidays(config: AlerterConfig, log: Logger): () => void {
  return watchConfigFile(config.holidaysFile, HolidaysConfig, {
    apply: (holidays) => {
      config.holidays = holidays;
      config.alerting.calendar = chineseCalendar(holidays);
      log.info({ file: config.holidaysFile, years: (holidays?.years ?? []).map((y) => y.year) }, "holiday calendar reloaded");
      warnCalendarCoverage(config, log);
    },
    reject: (rejection) => log.error({ file: config.holidaysFile }, `holiday calendar edit refused, the last good calendar stays in force: ${rejection.message}`),
  });
}

/** The holiday data comes with chinese-days (and config/holidays.yaml): say so when it ends within 60 days. */
function warnCalendarCoverage(config: AlerterConfig, log: Logger): void {
  const calendar = config.alerting.calendar;
  if (!calendar) return;
  const coverage = calendarCoverage(calendar, Date.now());
  if (coverage.warning) {
    log.warn({ coveredUntil: coverage.coveredUntil, daysLeft: coverage.daysLeft }, `the holiday calendar (chinese-days + config/holidays.yaml) ends ${coverage.coveredUntil ?? "before this year"}: working days after it count Monday–Friday until the next year's official schedule is added (pnpm update chinese-days, or config/holidays.yaml)`);
  }
  const conflicts = holidayConflicts(config.holidays);
  if (conflicts.length > 0) {
    log.warn({ conflicts: conflicts.slice(0, 20) }, "config/holidays.yaml differs from the chinese-days package on some days; the config's days are used (remove the year from holidays.yaml once the package has it right)");
  }
  if (config.alerting.roster) log.info({ departments: config.alerting.roster.departments.map((d) => d.department) }, "duty roster loaded");
}
