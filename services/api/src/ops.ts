import { existsSync } from "node:fs";
import { join } from "node:path";
import { chineseCalendar, EscalationConfig, HolidaysConfig, RosterConfig, rosterProblems, type DepartmentsConfig, type WorkCalendar } from "@liaowang/alerting";
import { readConfigFile } from "@liaowang/config";
import { describeError, invalidInput } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import type { ApiApp, ApiDeps } from "./app.js";
import type { ApiConfig } from "./config.js";
import type { LiveHub } from "./live/hub.js";
import { registerDutyRoutes } from "./routes/duty.js";
import { registerInboxRoutes } from "./routes/inbox.js";
import { registerLiveRoutes } from "./routes/live.js";
import { registerPolicyRoutes } from "./routes/policy-documents.js";
import { registerSavedSearchRoutes } from "./routes/saved-searches.js";

/** What the press-office screens (duty strip, inbox, policy documents, live updates) need beyond the core API. */
export interface OpsDeps {
  roster: RosterConfig | undefined;
  calendar: WorkCalendar;
  /** Escalation policies, to tell which notified steps were addressed to a department's leadership. */
  escalation: EscalationConfig | undefined;
  /** Pushes alert changes to open dashboards (Server-Sent Events); absent when Kafka is not configured. */
  live?: LiveHub | undefined;
  /** How often open live streams are pinged and their sessions re-checked (default 15 s). */
  liveHeartbeatMs?: number | undefined;
}

/**
 * Read the roster (API_ROSTER_FILE, else `<config dir>/roster.yaml` when present; its people must be in
 * departments.yaml), `<config dir>/holidays.yaml` when present (official schedules the chinese-days package lacks
 * yet) and escalation.yaml (for the inbox; a missing file only turns that part off).
 */
export function loadOps(config: ApiConfig, departments: DepartmentsConfig, log: Logger): OpsDeps {
  const fallback = join(config.LIAOWANG_CONFIG_DIR, "roster.yaml");
  const rosterFile = config.API_ROSTER_FILE ?? (existsSync(fallback) ? fallback : undefined);
  const roster = rosterFile ? readConfigFile(rosterFile, RosterConfig) : undefined;
  const problems = roster ? rosterProblems(roster, departments) : [];
  if (problems.length > 0) throw invalidInput(`Invalid config file ${rosterFile}:\n  ${problems.join("\n  ")}`);
  let escalation: EscalationConfig | undefined;
  try {
    escalation = readConfigFile(config.escalationFile, EscalationConfig);
  } catch (error) {
    log.warn({ file: config.escalationFile }, `escalation policies not readable, the inbox shows no escalations: ${describeError(error)}`);
  }
  const holidaysFile = join(config.LIAOWANG_CONFIG_DIR, "holidays.yaml");
  const holidays = existsSync(holidaysFile) ? readConfigFile(holidaysFile, HolidaysConfig) : undefined;
  return { roster, calendar: chineseCalendar(holidays), escalation, liveHeartbeatMs: config.API_LIVE_HEARTBEAT_SECONDS * 1000 };
}

/** Register the press-office routes: duty strip, department inbox, policy documents, the live stream and saved searches. */
export function registerOpsRoutes(app: ApiApp, deps: ApiDeps): void {
  registerDutyRoutes(app, deps);
  registerInboxRoutes(app, deps);
  registerPolicyRoutes(app, deps);
  registerLiveRoutes(app, deps);
  registerSavedSearchRoutes(app, deps);
}
