import { LiaowangError, invalidInput } from "@liaowang/errors";
import type { Alert, AlertEventType, AlertLevel, AlertState, AuditEvent, DeadlineRevisionReason, Milestone, MilestoneKind, NotifiedItem } from "@liaowang/schemas";
import { applyMilestone, cancelRunning, computeDeadlines } from "./clocks.js";
import { type AlertingConfig } from "./config.js";
import { belongsOnBoard, type IncidentInput } from "./incident.js";
import { policyDeadlines } from "./policy.js";
import { escalationFor } from "./roster.js";
import { route } from "./routing.js";
import { isActive, nextDueAt } from "./schedule.js";
import { beijingTime, iso, ms, toMs } from "./time.js";
import { openedLifecycle } from "./opened.js";

/** The actor of changes the alerter makes on its own (incident updates, merges, re-raises). */
export const SYSTEM_ACTOR = "system:alerter";

/**
 * Everything that can happen to an alert. Officer commands carry the actor (a person id, or `link:<id>` for a
 * one-click acknowledge); `incident` is the detector's latest view; `notified` and `events_flushed` are the
 * service's bookkeeping and are not audited.
 */
export type AlertCommand =
  | { type: "incident"; incident: IncidentInput }
  | { type: "acknowledge"; actor: string; note?: string | undefined; expectRaisedAt?: string | undefined }
  | { type: "start_handling"; actor: string; note?: string | undefined }
  | { type: "respond"; actor: string; note?: string | undefined; link?: string | undefined; publishedAt?: string | undefined }
  | { type: "close"; actor: string; note?: string | undefined }
  | { type: "dismiss"; actor: string; reason: string }
  | { type: "reraise"; actor: string; note?: string | undefined }
  | { type: "record_milestone"; actor: string; kind: MilestoneKind; at: string; link?: string | undefined; note?: string | undefined }
  | { type: "correct_onset"; actor: string; onsetAt: string; reason: string }
  /** The alert of an incident merged into this alert's incident: its acknowledgement and milestones carry over. */
  | { type: "absorb_alert"; from: Alert }
  | { type: "notified"; items: readonly NotifiedItem[] }
  | { type: "events_flushed"; throughSeq: number };

/** An alert after a command, and the audit events the command produced (already queued on `pendingEvents`). */
export interface Applied {
  alert: Alert;
  events: AuditEvent[];
}

/** The alert id of an incident: one alert per incident, so replays and restarts find the same alert. */
export function alertIdFor(incidentId: string): string {
  return `alert-${incidentId}`;
}

interface Draft {
  alert: Alert;
  events: AuditEvent[];
  now: string;
}

function emit(draft: Draft, type: AlertEventType, actor: string, extra: { from?: AlertState; to?: AlertState; note?: string | undefined; data?: Record<string, unknown> } = {}): void {
  const seq = draft.alert.seq + 1;
  const event: AuditEvent = {
    id: `${draft.alert.id}:${seq}`,
    alertId: draft.alert.id,
    incidentId: draft.alert.incidentId,
    seq,
    type,
    actor,
    at: draft.now,
    ...(extra.from ? { from: extra.from } : {}),
    ...(extra.to ? { to: extra.to } : {}),
    ...(extra.note ? { note: extra.note } : {}),
    ...(extra.data ? { data: extra.data } : {}),
  };
  draft.alert = { ...draft.alert, seq, pendingEvents: [...draft.alert.pendingEvents, event] };
  draft.events.push(event);
}

function moveTo(draft: Draft, to: AlertState, type: AlertEventType, actor: string, note?: string, data?: Record<string, unknown>): void {
  const from = draft.alert.state;
  draft.alert = { ...draft.alert, state: to, stateChangedAt: draft.now };
  emit(draft, type, actor, { from, to, note, ...(data ? { data } : {}) });
}

/** Fresh deadlines of an alert: a policy document's fixed working-day clock, else the statutory ones of its level. */
function deadlinesOf(a: Alert, config: AlertingConfig) {
  return a.policyDocument ? policyDeadlines(a.policyDocument, a.milestones) : computeDeadlines(a.level, ms(a.onsetAt), a.milestones, config.escalation.clocks);
}

function revise(draft: Draft, config: AlertingConfig, reason: DeadlineRevisionReason, actor: string, note?: string): void {
  const a = draft.alert;
  // An ended alert's clocks are its record (问责): a later grade or onset never recomputes them. A re-raise
  // starts them again from the then current grade and onset.
  if (!isActive(a)) return;
  const deadlines = deadlinesOf(a, config);
  draft.alert = {
    ...a,
    deadlines,
    deadlineHistory: [
      ...a.deadlineHistory,
      { at: draft.now, reason, actor, level: a.level, onsetAt: a.onsetAt, ...(note ? { note } : {}), deadlines: deadlines.map((d) => ({ clock: d.clock, dueAt: d.dueAt })) },
    ],
  };
}

function finish(draft: Draft, config: AlertingConfig): Applied {
  const next = nextDueAt(draft.alert, escalationFor(draft.alert.department, config), ms(draft.now));
  return { alert: { ...draft.alert, nextDueAt: next === null ? null : iso(next), updatedAt: draft.now }, events: draft.events };
}

function requireActor(actor: string): void {
  if (actor.trim().length === 0) throw invalidInput("an alert transition needs an actor (who did it)");
}

function illegal(alert: Alert, action: string): LiaowangError {
  return new LiaowangError("conflict", `alert ${alert.id} cannot ${action}: it is ${alert.state}`);
}

function validIso(text: string, what: string): string {
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw invalidInput(`${what} "${text}" is not an ISO-8601 date-time`);
  return iso(t);
}

/**
 * Open the alert for a newly seen incident: routed, deadlines computed from onset and level, an `opened`
 * audit event queued. Opening is the same for a replay: the id and the first event derive from the incident.
 * @example const { alert, events } = openAlert(incident, config, new Date())
 */
export function openAlert(incident: IncidentInput, config: AlertingConfig, now: Date | number): Applied {
  const at = iso(toMs(now));
  const r = route(incident, config.departments);
  const alert: Alert = {
    v: 1,
    id: alertIdFor(incident.id),
    incidentId: incident.id,
    ...incidentView(incident),
    level: incident.level,
    levelReason: incident.levelReason,
    gradeHistory: [],
    onsetAt: validIso(incident.onsetAt, `onset of incident ${incident.id}`),
    onsetHistory: [],
    ...openedLifecycle(at),
    department: r.department,
    departmentName: r.departmentName,
    coDepartments: r.coDepartments,
    routeReason: r.reason,
    deadlines: [],
    deadlineHistory: [],
    milestones: [],
    notified: [],
    nextDueAt: null,
    seq: 0,
    pendingEvents: [],
    updatedAt: at,
  };
  const draft: Draft = { alert, events: [], now: at };
  revise(draft, config, "opened", SYSTEM_ACTOR);
  emit(draft, "opened", SYSTEM_ACTOR, { to: "new", data: { level: incident.level, department: r.department, coDepartments: r.coDepartments, routeReason: r.reason, ...(incident.boardReason ? { raiseReason: incident.boardReason } : {}) } });
  recordRefutation(draft, incident);
  return finish(draft, config);
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

function levelRank(level: AlertLevel): number {
  return level === null ? 0 : { I: 4, II: 3, III: 2, IV: 1 }[level];
}

/**
 * The lifecycle state machine: `(alert, command, now) → { alert, events }`. Illegal transitions throw a
 * `conflict` error naming the alert and its state; every applied transition queues an audit event with
 * actor, time and note, and the alert's `nextDueAt` is recomputed.
 * @example applyCommand(alert, { type: "acknowledge", actor: "p-duty-1" }, config, new Date())
 */
export function applyCommand(alert: Alert, command: AlertCommand, config: AlertingConfig, now: Date | number): Applied {
  const draft: Draft = { alert, events: [], now: iso(toMs(now)) };
  switch (command.type) {
    case "incident":
      onIncident(draft, command.incident, config);
      break;
    case "acknowledge":
      requireActor(command.actor);
      if (alert.state !== "new") throw illegal(alert, "be acknowledged");
      // An acknowledge link names the raising it was sent for; a re-raise in between makes it stale.
      if (command.expectRaisedAt !== undefined && command.expectRaisedAt !== alert.raisedAt) throw new LiaowangError("conflict", `alert ${alert.id} was re-raised at ${alert.raisedAt}; a link for the raising of ${command.expectRaisedAt} cannot acknowledge it`);
      draft.alert = { ...draft.alert, acknowledgedAt: draft.now, acknowledgedBy: command.actor };
      moveTo(draft, "acknowledged", "acknowledged", command.actor, command.note);
      break;
    case "start_handling":
      requireActor(command.actor);
      if (alert.state !== "new" && alert.state !== "acknowledged") throw illegal(alert, "start handling");
      acknowledgeImplicitly(draft, command.actor);
      moveTo(draft, "handling", "handling_started", command.actor, command.note);
      break;
    case "respond": {
      requireActor(command.actor);
      if (alert.state !== "new" && alert.state !== "acknowledged" && alert.state !== "handling") throw illegal(alert, "be marked responded");
      acknowledgeImplicitly(draft, command.actor);
      const milestone = addMilestone(draft, { kind: "info_published", at: command.publishedAt ?? draft.now, link: command.link, note: command.note, actor: command.actor });
      draft.alert = { ...draft.alert, respondedAt: draft.now };
      moveTo(draft, "responded", "responded", command.actor, command.note, { milestoneId: milestone.id, publishedAt: milestone.at, ...(milestone.link ? { link: milestone.link } : {}) });
      break;
    }
    case "close":
      requireActor(command.actor);
      if (alert.state !== "responded") throw illegal(alert, "be closed (only a responded alert closes)");
      draft.alert = { ...draft.alert, closedAt: draft.now, deadlines: cancelRunning(draft.alert.deadlines, draft.now) };
      moveTo(draft, "closed", "closed", command.actor, command.note);
      break;
    case "dismiss":
      requireActor(command.actor);
      if (command.reason.trim().length === 0) throw invalidInput(`dismissing alert ${alert.id} needs a reason`);
      if (alert.state !== "new" && alert.state !== "acknowledged" && alert.state !== "handling") throw illegal(alert, "be dismissed");
      draft.alert = { ...draft.alert, dismissedAt: draft.now, dismissReason: command.reason, volumeAtDismissal: alert.volume, deadlines: cancelRunning(draft.alert.deadlines, draft.now) };
      moveTo(draft, "dismissed", "dismissed", command.actor, command.reason);
      break;
    case "reraise":
      requireActor(command.actor);
      if (alert.state !== "dismissed") throw illegal(alert, "be re-raised (only a dismissed alert is)");
      reraise(draft, config, command.actor, command.note ?? "officer re-raised the alert");
      break;
    case "record_milestone": {
      requireActor(command.actor);
      // Closed and dismissed alerts are the record the department is held to; nothing is added to them afterwards.
      if (!isActive(alert)) throw illegal(alert, "record a milestone");
      const milestone = addMilestone(draft, { kind: command.kind, at: command.at, link: command.link, note: command.note, actor: command.actor });
      emit(draft, "milestone_recorded", command.actor, { note: command.note, data: { milestoneId: milestone.id, kind: milestone.kind, at: milestone.at, ...(milestone.link ? { link: milestone.link } : {}) } });
      break;
    }
    case "correct_onset": {
      requireActor(command.actor);
      if (command.reason.trim().length === 0) throw invalidInput(`correcting the onset of alert ${alert.id} needs a reason`);
      if (!isActive(alert)) throw illegal(alert, "have its onset corrected (its clocks are frozen)");
      if (alert.policyDocument) throw new LiaowangError("conflict", `alert ${alert.id} is a policy document: its clock counts from the publication date given at registration`);
      const to = validIso(command.onsetAt, "corrected onset");
      if (ms(to) > ms(draft.now)) throw invalidInput(`corrected onset ${to} of alert ${alert.id} is in the future`);
      const from = alert.onsetAt;
      if (to === from) break;
      draft.alert = { ...draft.alert, onsetAt: to, onsetHistory: [...alert.onsetHistory, { at: draft.now, from, to, actor: command.actor, reason: command.reason }] };
      revise(draft, config, "onset_corrected", command.actor, command.reason);
      emit(draft, "onset_corrected", command.actor, { note: command.reason, data: { from, to } });
      break;
    }
    case "absorb_alert":
      absorbAlert(draft, command.from);
      break;
    case "notified": {
      const known = new Set(alert.notified.map((n) => n.key));
      const fresh = command.items.filter((i) => !known.has(i.key));
      if (fresh.length > 0) draft.alert = { ...draft.alert, notified: [...alert.notified, ...fresh] };
      break;
    }
    case "events_flushed":
      draft.alert = { ...draft.alert, pendingEvents: alert.pendingEvents.filter((e) => e.seq > command.throughSeq) };
      break;
  }
  return finish(draft, config);
}

function acknowledgeImplicitly(draft: Draft, actor: string): void {
  if (draft.alert.acknowledgedAt === null) draft.alert = { ...draft.alert, acknowledgedAt: draft.now, acknowledgedBy: actor };
}

function addMilestone(draft: Draft, m: { kind: MilestoneKind; at: string; link?: string | undefined; note?: string | undefined; actor: string }): Milestone {
  const at = validIso(m.at, `${m.kind} time`);
  if (ms(at) > ms(draft.now) + 60_000) throw invalidInput(`milestone ${m.kind} of alert ${draft.alert.id} is dated in the future (${at})`);
  const milestone: Milestone = {
    id: `m${draft.alert.milestones.length + 1}`,
    kind: m.kind,
    at,
    ...(m.link ? { link: m.link } : {}),
    ...(m.note ? { note: m.note } : {}),
    recordedAt: draft.now,
    actor: m.actor,
  };
  draft.alert = { ...draft.alert, milestones: [...draft.alert.milestones, milestone], deadlines: applyMilestone(draft.alert.deadlines, milestone) };
  return milestone;
}

function reraise(draft: Draft, config: AlertingConfig, actor: string, note: string): void {
  draft.alert = {
    ...draft.alert,
    reraiseCount: draft.alert.reraiseCount + 1,
    raisedAt: draft.now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    dismissedAt: null,
    dismissReason: null,
  };
  moveTo(draft, "new", "reraised", actor, note, { reraiseCount: draft.alert.reraiseCount, volume: draft.alert.volume });
  // Clocks run again: recompute from onset (they may already be overdue; the reminders say so).
  draft.alert = { ...draft.alert, deadlines: deadlinesOf(draft.alert, config) };
}

/** What an alert shows of its incident's latest revision (level and onset have their own history-keeping paths). */
function incidentView(incident: IncidentInput) {
  const refuted = incident.refutedBy ? stripUndefined(incident.refutedBy) : undefined;
  return {
    ...(incident.scope ? { scope: incident.scope } : {}),
    ...(incident.scopeReason ? { scopeReason: incident.scopeReason } : {}),
    ...(incident.boardReason && belongsOnBoard(incident) ? { raiseReason: incident.boardReason } : {}),
    ...(refuted ? { refuted } : {}),
    title: incident.title,
    ...(incident.summary ? { summary: incident.summary } : {}),
    ...(incident.firstPost ? { firstPost: stripUndefined(incident.firstPost) } : {}),
    topics: [...incident.topics],
    regions: incident.regions.map(stripUndefined),
    keywords: [...incident.keywords],
    sourceCount: incident.sourceCount,
    volume: incident.volume,
    incidentStatus: incident.status,
    incidentUpdatedAt: incident.updatedAt,
    incidentRevision: incident.revision,
  };
}

function onIncident(draft: Draft, incident: IncidentInput, config: AlertingConfig): void {
  const alert = draft.alert;
  if (incident.id !== alert.incidentId) throw invalidInput(`incident ${incident.id} does not belong to alert ${alert.id}`);
  // Kafka may redeliver an older version after a newer one was applied: never go back in time.
  if (incident.revision < alert.incidentRevision) return;
  draft.alert = { ...alert, ...incidentView(incident) };

  // The detector moves onset earlier when it finds an earlier first post, or carries an officer's correction
  // made there; a correction made here on the alert wins over the detector's own moves.
  const onset = validIso(incident.onsetAt, `onset of incident ${incident.id}`);
  const officerSetOnset = alert.onsetHistory.some((h) => !h.actor.startsWith("system:"));
  const byOfficer = incident.onsetCorrection;
  if (onset !== alert.onsetAt && (!officerSetOnset || byOfficer) && isActive(alert)) {
    const from = alert.onsetAt;
    const actor = byOfficer?.by ?? "system:detector";
    const reason = byOfficer?.reason ?? detectorOnsetReason(incident, from, onset);
    draft.alert = { ...draft.alert, onsetAt: onset, onsetHistory: [...draft.alert.onsetHistory, { at: draft.now, from, to: onset, actor, reason }] };
    revise(draft, config, "onset_corrected", actor, reason);
    emit(draft, "onset_corrected", actor, { note: reason, data: { from, to: onset } });
  }

  const wasDismissed = alert.state === "dismissed";
  if (incident.level !== alert.level) {
    const from = alert.level;
    const r = route({ ...incident, title: incident.title }, config.departments);
    draft.alert = {
      ...draft.alert,
      level: incident.level,
      levelReason: incident.levelReason,
      gradeHistory: [...alert.gradeHistory, { at: draft.now, from, to: incident.level, reason: incident.levelReason }],
      // Ownership stays where it is; the circle told widens or narrows with the grade.
      coDepartments: r.coDepartments.filter((id) => id !== draft.alert.department),
    };
    revise(draft, config, "regraded", "system:detector", incident.levelReason);
    emit(draft, "regraded", "system:detector", { note: incident.levelReason, data: { from, to: incident.level } });
  } else if (incident.levelReason !== alert.levelReason) {
    draft.alert = { ...draft.alert, levelReason: incident.levelReason };
  }

  recordRefutation(draft, incident);

  if (wasDismissed && grewSinceDismissal(draft.alert, alert, config)) {
    reraise(draft, config, SYSTEM_ACTOR, `dismissed incident grew: volume ${alert.volumeAtDismissal ?? 0} → ${incident.volume}${levelRank(incident.level) > levelRank(alert.level) ? `, grade ${alert.level ?? "ungraded"} → ${incident.level ?? "ungraded"}` : ""}`);
  }

  if (incident.status === "merged" && draft.alert.mergedInto === null) {
    const into = incident.mergedInto ?? "unknown";
    draft.alert = { ...draft.alert, mergedInto: into };
    if (isActive(draft.alert)) {
      draft.alert = { ...draft.alert, closedAt: draft.now, deadlines: cancelRunning(draft.alert.deadlines, draft.now) };
      moveTo(draft, "closed", "merged", SYSTEM_ACTOR, `事件已并入 ${into}，由其预警继续处置`, { mergedInto: into });
    }
  }
}

const STATE_RANK: Record<AlertState, number> = { new: 0, acknowledged: 1, handling: 2, responded: 2, closed: -1, dismissed: -1 };

/**
 * One story found split in two is one alert: the alert of the incident merged into this one hands over its record.
 * Its milestones (information published, press conference held) stop the same clocks here, and an acknowledgement
 * or handling there is one here (the officers already took the story up). Taken over once per absorbed alert; an
 * ended alert keeps its record as it is.
 */
function absorbAlert(draft: Draft, from: Alert): void {
  const alert = draft.alert;
  if (from.id === alert.id || (alert.absorbedAlerts ?? []).includes(from.id) || from.policyDocument) return;
  if (!isActive(alert)) return;
  draft.alert = { ...alert, absorbedAlerts: [...(alert.absorbedAlerts ?? []), from.id] };
  const carried: string[] = [];
  for (const m of from.milestones) {
    if (draft.alert.milestones.some((x) => x.kind === m.kind && x.at === m.at)) continue;
    const milestone: Milestone = { ...m, id: `m${draft.alert.milestones.length + 1}` };
    draft.alert = { ...draft.alert, milestones: [...draft.alert.milestones, milestone], deadlines: applyMilestone(draft.alert.deadlines, milestone) };
    carried.push(milestone.kind === "press_conference" ? "新闻发布会已召开" : "权威信息已发布");
  }
  if (draft.alert.acknowledgedAt === null && from.acknowledgedAt !== null) {
    draft.alert = { ...draft.alert, acknowledgedAt: from.acknowledgedAt, acknowledgedBy: from.acknowledgedBy };
    carried.push(`已由${from.acknowledgedBy ?? "值班员"}接报`);
  }
  const note = `并入预警 ${from.id}（${from.title}）的处置记录${carried.length > 0 ? `：${carried.join("、")}` : ""}`;
  const target: AlertState | undefined = STATE_RANK[from.state] >= 2 ? "handling" : STATE_RANK[from.state] === 1 ? "acknowledged" : undefined;
  const data = { absorbedAlert: from.id, absorbedIncident: from.incidentId };
  if (target !== undefined && STATE_RANK[target] > STATE_RANK[draft.alert.state]) moveTo(draft, target, "merged", SYSTEM_ACTOR, note, data);
  else emit(draft, "merged", SYSTEM_ACTOR, { note, data });
}

/**
 * Why the detector moved the onset, in the officers' words: the 首发 it now knows (a post that arrived late, or the
 * earlier first post of an incident merged into this one) and how far the clocks moved.
 */
function detectorOnsetReason(incident: IncidentInput, from: string, to: string): string {
  const earlier = ms(to) < ms(from);
  const minutes = Math.round(Math.abs(ms(from) - ms(to)) / 60_000);
  const first = incident.firstPost ? `：${incident.firstPost.source}${incident.firstPost.title ? `「${incident.firstPost.title}」` : ""}` : "";
  return `${earlier ? "监测发现更早的首发" : "首发更正"}${first}，起始时间${earlier ? "提前" : "推后"}${minutes}分钟（${beijingTime(from)} → ${beijingTime(to)}）`;
}

/**
 * An authority's 辟谣 that joined the incident is authoritative information published: recorded once as the
 * `info_published` milestone (with its source and link), which stops the 5 h / 48 h clocks it answers.
 */
function recordRefutation(draft: Draft, incident: IncidentInput): void {
  const r = incident.refutedBy;
  if (!r || !r.authority || draft.alert.state === "dismissed") return;
  if (draft.alert.milestones.some((m) => m.kind === "info_published" && m.note?.startsWith("官方辟谣"))) return;
  const at = ms(r.at) > ms(draft.now) ? draft.now : validIso(r.at, `refutation of incident ${incident.id}`);
  const note = `官方辟谣：${r.source}${r.title ? `「${r.title}」` : ""}`;
  const milestone = addMilestone(draft, { kind: "info_published", at, link: r.url, note, actor: "system:detector" });
  emit(draft, "milestone_recorded", "system:detector", { note, data: { milestoneId: milestone.id, kind: milestone.kind, at: milestone.at, ...(milestone.link ? { link: milestone.link } : {}) } });
}

function grewSinceDismissal(updated: Alert, before: Alert, config: AlertingConfig): boolean {
  if (levelRank(updated.level) > levelRank(before.level)) return true;
  const base = before.volumeAtDismissal ?? before.volume;
  const rule = config.escalation.reraise;
  return updated.volume >= base * rule.volumeFactor && updated.volume - base >= rule.minNewDocuments;
}
