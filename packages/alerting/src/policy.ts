import { createHash } from "node:crypto";
import { invalidInput } from "@liaowang/errors";
import type { Alert, AuditEvent, Deadline, Milestone } from "@liaowang/schemas";
import { workingDaysDeadline, type WorkCalendar } from "./calendar.js";
import type { AlertingConfig } from "./config.js";
import { escalationFor } from "./roster.js";
import { nextDueAt } from "./schedule.js";
import { openedLifecycle } from "./opened.js";
import { iso, ms, toMs } from "./time.js";

const HOUR = 3_600_000;

/** The working days within which interpretation material follows a major policy document (the seeds). */
export const POLICY_WORKING_DAYS = 3;

/** A major policy document an officer registers to start its interpretation clock. */
export interface PolicyDocumentInput {
  title: string;
  /** 文号, e.g. "某政发〔2026〕12号". */
  docNumber?: string | undefined;
  url?: string | undefined;
  /** When the document was published (ISO-8601); the clock counts working days after that day. */
  publishedAt: string;
  /** The department responsible for the interpretation (usually the drafting department). */
  department: string;
  registeredBy: string;
}

/**
 * The alert id of a policy document: derived from its 文号 (or title) and publication date, so registering the
 * same document twice finds the same alert.
 */
export function policyAlertId(doc: Pick<PolicyDocumentInput, "title" | "docNumber" | "publishedAt">): string {
  const key = `${(doc.docNumber ?? doc.title).trim()}|${iso(ms(doc.publishedAt)).slice(0, 10)}`;
  return `alert-policy-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
}

/** The interpretation deadline of a policy alert, met by the first recorded information-published milestone. */
export function policyDeadlines(doc: NonNullable<Alert["policyDocument"]>, milestones: readonly Milestone[]): Deadline[] {
  // By recording time, like every clock: a back-dated entry never displaces the first record.
  const stop = [...milestones].filter((m) => m.kind === "info_published").sort((a, b) => ms(a.recordedAt) - ms(b.recordedAt) || a.id.localeCompare(b.id))[0];
  return [
    {
      clock: "policy_interpretation",
      dueAt: doc.dueAt,
      hours: Math.max(1, Math.round(((ms(doc.dueAt) - ms(doc.publishedAt)) / HOUR) * 10) / 10),
      metAt: stop?.at ?? null,
      metRecordedAt: stop?.recordedAt ?? null,
      milestoneId: stop?.id ?? null,
      cancelledAt: null,
    },
  ];
}

/**
 * Open the alert of a registered major policy document: state new, routed to the given department, one
 * `policy_interpretation` deadline at 24:00 of the third working day after publication (official calendar,
 * 调休 included), and the same reminders and audit trail as every other alert. The alerter stores it and its
 * scan sends the reminders.
 * @example openPolicyAlert({ title, publishedAt, department: "hrss", registeredBy: "p-duty-1" }, config, chineseCalendar(), new Date())
 */
export function openPolicyAlert(input: PolicyDocumentInput, config: AlertingConfig, calendar: WorkCalendar, now: Date | number): { alert: Alert; events: AuditEvent[] } {
  const t = toMs(now);
  const at = iso(t);
  const title = input.title.trim();
  if (title.length === 0) throw invalidInput("a policy document needs a title");
  const published = ms(input.publishedAt);
  if (Number.isNaN(published)) throw invalidInput(`policy document "${title}": publishedAt "${input.publishedAt}" is not an ISO-8601 date-time`);
  if (published > t + 60_000) throw invalidInput(`policy document "${title}": publishedAt ${iso(published)} is in the future`);
  const department = config.departments.departments.find((d) => d.id === input.department);
  if (!department) throw invalidInput(`policy document "${title}": unknown department "${input.department}"`);
  const counted = workingDaysDeadline(published, POLICY_WORKING_DAYS, calendar);
  const dueAt = iso(counted.dueAt);
  const id = policyAlertId(input);
  const policyDocument = {
    title,
    ...(input.docNumber ? { docNumber: input.docNumber.trim() } : {}),
    ...(input.url ? { url: input.url } : {}),
    publishedAt: iso(published),
    workingDays: POLICY_WORKING_DAYS,
    dueAt,
    registeredBy: input.registeredBy,
    ...(counted.note ? { calendarNote: counted.note } : {}),
  };
  const deadlines = policyDeadlines(policyDocument, []);
  const opened: AuditEvent = {
    id: `${id}:1`,
    alertId: id,
    incidentId: id.replace(/^alert-/, ""),
    seq: 1,
    type: "opened",
    actor: input.registeredBy,
    at,
    to: "new",
    note: "登记重大政策文件，启动解读时限",
    data: { level: null, department: department.id, coDepartments: [], policyDocument: { title, publishedAt: iso(published), dueAt } },
  };
  const reason = `重大政策文件${input.docNumber ? `（${input.docNumber.trim()}）` : ""}：发布后 ${POLICY_WORKING_DAYS} 个工作日内发布解读材料（按国家法定节假日和调休安排计算）${counted.note ? `；${counted.note}` : ""}`;
  const alert: Alert = {
    v: 1,
    id,
    incidentId: id.replace(/^alert-/, ""),
    title: `政策解读：${title}`,
    level: null,
    levelReason: reason,
    gradeHistory: [],
    onsetAt: iso(published),
    onsetHistory: [],
    topics: ["政策解读"],
    regions: [],
    keywords: [],
    sourceCount: 0,
    volume: 0,
    incidentStatus: "policy_document",
    incidentUpdatedAt: at,
    incidentRevision: 0,
    ...openedLifecycle(at),
    policyDocument,
    department: department.id,
    departmentName: department.name,
    coDepartments: [],
    routeReason: `登记人指定责任单位 ${department.name}`,
    deadlines,
    deadlineHistory: [{ at, reason: "opened", actor: input.registeredBy, level: null, onsetAt: iso(published), deadlines: deadlines.map((d) => ({ clock: d.clock, dueAt: d.dueAt })) }],
    milestones: [],
    notified: [],
    nextDueAt: null,
    seq: 1,
    pendingEvents: [opened],
    updatedAt: at,
  };
  const next = nextDueAt(alert, escalationFor(alert.department, config), t);
  return { alert: { ...alert, nextDueAt: next === null ? null : iso(next) }, events: [opened] };
}
