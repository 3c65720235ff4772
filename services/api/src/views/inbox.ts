import type { DepartmentsConfig, EscalationConfig } from "@liaowang/alerting";
import type { Alert } from "@liaowang/schemas";
import { z } from "zod";
import { AlertView, alertView, compareUrgency } from "./alerts.js";

/** One escalation step that reached a department head about an alert. */
export const InboxEscalation = z.object({ stepId: z.string(), at: z.string(), cycle: z.number().int() });

/** GET /api/v1/inbox: a department head's 部门待办. */
export const InboxBody = z.object({
  now: z.string(),
  department: z.string(),
  departmentName: z.string(),
  /** Alerts an escalation step addressed to the department's head (or deputy / leader) for, latest step first. */
  escalated: z.array(AlertView.extend({ escalations: z.array(InboxEscalation) })),
  /** The department's live alerts it is responsible for, most urgent first (overdue ones lead). */
  open: z.array(AlertView),
  overdue: z.number().int(),
  /** Live alerts the department is co-notified on (watch only). */
  watching: z.array(AlertView),
});
export type InboxBody = z.infer<typeof InboxBody>;

const ESCALATION_KEY = /:esc:([A-Za-z0-9._-]+):([A-Za-z0-9._-]+):(?:.*:)?c(\d+)(?::|$)/;

/**
 * The escalation steps of an alert that were addressed to `department`'s leadership (head, deputy or leader):
 * steps naming the responsible department (when it is this one), its parent (when that is this one), or this
 * department by id. Read from what the alerter recorded as notified, so it shows what was really sent.
 */
export function escalationsTo(alert: Alert, department: string, escalation: EscalationConfig, departments: DepartmentsConfig): z.infer<typeof InboxEscalation>[] {
  const parent = departments.departments.find((d) => d.id === alert.department)?.parent;
  const out: z.infer<typeof InboxEscalation>[] = [];
  for (const item of alert.notified) {
    if (item.outcome !== "enqueued") continue;
    const match = ESCALATION_KEY.exec(item.key);
    if (!match) continue;
    const [, policyId, stepId, cycle] = match as unknown as [string, string, string, string];
    const step = escalation.policies.find((p) => p.id === policyId)?.steps.find((s) => s.id === stepId);
    if (!step) continue;
    const addressed = step.notify.some(
      (spec) =>
        spec.audience !== "group" &&
        spec.audience !== "duty" &&
        ((spec.department === "responsible" && alert.department === department) || (spec.department === "parent" && parent === department) || spec.department === department),
    );
    if (addressed) out.push({ stepId, at: item.at, cycle: Number(cycle) });
  }
  return out.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

/**
 * A department's inbox from its live alerts (responsible or co-notified, and those of the departments below it):
 * escalations addressed to its leadership, its own open alerts most urgent first, how many are overdue, and what
 * it only watches.
 */
export function inbox(alerts: readonly Alert[], department: string, departments: DepartmentsConfig, escalation: EscalationConfig | undefined, now: number): InboxBody {
  const own = alerts.filter((a) => a.department === department);
  const open = own.map((a) => alertView(a, now)).sort(compareUrgency);
  // Escalations may be addressed to a parent department about its children's alerts: taken from every alert given.
  const escalated = escalation
    ? alerts
        .map((a) => ({ alert: a, escalations: escalationsTo(a, department, escalation, departments) }))
        .filter((e) => e.escalations.length > 0)
        .sort((a, b) => Date.parse(b.escalations[0]?.at ?? "") - Date.parse(a.escalations[0]?.at ?? ""))
        .map((e) => ({ ...alertView(e.alert, now), escalations: e.escalations }))
    : [];
  return {
    now: new Date(now).toISOString(),
    department,
    departmentName: departments.departments.find((d) => d.id === department)?.name ?? department,
    escalated,
    open,
    overdue: open.filter((a) => a.overdue).length,
    watching: alerts
      .filter((a) => a.department !== department && a.coDepartments.includes(department))
      .map((a) => alertView(a, now))
      .sort(compareUrgency),
  };
}
