import { DepartmentsConfig, EscalationConfig, rosterProblems } from "@liaowang/alerting";
import { initialLiveConfig, LiveConfigStore, watchLiveConfig, type Client } from "@liaowang/es";
import { invalidInput } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { checkTargets, type AlerterConfig } from "./config.js";

/**
 * Departments (contacts, routing) and escalation policies edited in the admin screens: the stored versions replace
 * the files' at start and whenever a new version is saved, without a restart. Routing, notifications, reminders and
 * escalations read `config.alerting` at the moment they run, so replacing its fields applies from the next alert or
 * scan on. A version that does not fit notify.yaml's targets or the roster is refused (logged) and the old one kept.
 */
export async function startAlertingConfigWatch(es: Client, indexPrefix: string, config: AlerterConfig, log: Logger): Promise<{ stop(): Promise<void> }> {
  const store = new LiveConfigStore(es, indexPrefix);
  const alerting = config.alerting;
  const parseDepartments = (data: unknown): DepartmentsConfig => {
    const departments = DepartmentsConfig.parse(data);
    checkTargets({ ...alerting, departments }, config.notify, "notify.yaml");
    const problems = alerting.roster ? rosterProblems(alerting.roster, departments) : [];
    if (problems.length > 0) throw invalidInput(`the roster does not fit the stored departments: ${problems.join("; ")}`);
    return departments;
  };
  const parseEscalation = (data: unknown): EscalationConfig => EscalationConfig.parse(data);
  const departments = await initialLiveConfig(store, "departments", parseDepartments, () => alerting.departments, log);
  const escalation = await initialLiveConfig(store, "escalation", parseEscalation, () => alerting.escalation, log);
  alerting.departments = departments.value;
  alerting.escalation = escalation.value;
  if (departments.version > 0 || escalation.version > 0) log.info({ departments: departments.version, escalation: escalation.version }, "using stored departments / escalation configuration");
  const watches = [
    watchLiveConfig({ store, kind: "departments", parse: parseDepartments, apply: (v) => void (alerting.departments = v), since: departments.version, log }),
    watchLiveConfig({ store, kind: "escalation", parse: parseEscalation, apply: (v) => void (alerting.escalation = v), since: escalation.version, log }),
  ];
  return { stop: async () => void (await Promise.all(watches.map((w) => w.stop()))) };
}
