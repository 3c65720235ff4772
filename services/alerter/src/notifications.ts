import { composeMessage, departmentRecipients, resolveRecipients, rosterHolders, type AlertingConfig, type Audience, type DepartmentDigest, type PlannedItem, type Recipient, type RoleHolders } from "@liaowang/alerting";
import { signAckToken, type ChannelKind, type ChannelTarget, type Notification, type NotifyConfig, type TargetRef } from "@liaowang/notify";
import type { Alert } from "@liaowang/schemas";

/** What the alerter needs to turn a due item into outbox entries. */
export interface NotificationContext {
  alerting: AlertingConfig;
  notify: NotifyConfig;
  publicUrl: string;
  ackSecret: string;
}

/** One outbox enqueue: a notification for one target. */
export interface Outgoing {
  notification: Notification;
  target: TargetRef;
}

const PERSON_TARGET = /^person:([^:]+):(email|sms)$/;

/** The outbox target id of a person's channel; resolved back to an address only at send time. */
export function personTargetId(personId: string, channel: "email" | "sms"): string {
  return `person:${personId}:${channel}`;
}

/**
 * The acknowledge link of one recipient of the alert's responsible department: `<publicUrl>/ack/<signed token>`,
 * bound to the alert's current raising and valid for `ackLinkTtl` (escalation.yaml).
 */
export function ackLink(ctx: NotificationContext, alert: { id: string; raisedAt: string }, personId: string, now: number): string {
  const token = signAckToken({ alertId: alert.id, personId, raisedAt: alert.raisedAt, expiresAt: now + ctx.alerting.escalation.ackLinkTtl }, ctx.ackSecret);
  return `${ctx.publicUrl}/ack/${token}`;
}

/**
 * Whether a recipient may acknowledge: only the responsible department acts on an alert (谁主管谁负责); co-notified
 * departments (宣传、网信、公安、通信管理) and parents watch, so their messages carry no link.
 */
export function mayAcknowledge(recipient: Pick<Recipient, "department">, alert: Pick<Alert, "department">): boolean {
  return recipient.department === alert.department;
}

/** Who holds each department role at `now` per the roster (undefined without one: departments.yaml decides). */
function holdersAt(ctx: NotificationContext, now: number): RoleHolders | undefined {
  const { roster, calendar, departments } = ctx.alerting;
  return roster && calendar ? rosterHolders(roster, departments, calendar, now) : undefined;
}

function targetRef(recipient: Recipient, notify: NotifyConfig): TargetRef | undefined {
  const via = recipient.via;
  if (via.type === "person") return { channel: via.channel, targetId: personTargetId(via.personId, via.channel) };
  const configured = Object.hasOwn(notify.targets, via.targetId) ? notify.targets[via.targetId] : undefined;
  return configured ? { channel: configured.channel, targetId: via.targetId } : undefined;
}

/**
 * The notifications one due item sends: the same content and idempotency key to every recipient, each with
 * an acknowledge link signed for that recipient.
 */
export function buildOutgoing(alert: Alert, item: PlannedItem, ctx: NotificationContext, now: number): Outgoing[] {
  const departmentName = (id: string) => ctx.alerting.departments.departments.find((d) => d.id === id)?.name ?? id;
  const content = composeMessage(alert, item, { departmentName });
  const out: Outgoing[] = [];
  // Resolved when the item is enqueued: duty notices reach whoever is on duty then, escalations the role's holder.
  for (const recipient of resolveRecipients(item.recipients, alert, ctx.alerting.departments, holdersAt(ctx, now))) {
    const target = targetRef(recipient, ctx.notify);
    if (!target) continue;
    out.push({
      target,
      notification: {
        idempotencyKey: item.key,
        alertId: alert.id,
        incidentId: alert.incidentId,
        level: content.level,
        title: content.title,
        body: content.body,
        deadlines: content.deadlines,
        ...(mayAcknowledge(recipient, alert) ? { ackUrl: ackLink(ctx, alert, recipient.ackAs, now) } : {}),
        department: departmentName(alert.department),
        kind: content.kind,
      },
    });
  }
  return out;
}

/**
 * The notifications of one department's daily digest: one per recipient of `audience`, all under the digest's
 * key `digest:<department>:<date>`; each live alert is an item with an acknowledge link signed for that
 * recipient.
 */
export function buildDigestOutgoing(digest: DepartmentDigest, audience: Audience, ctx: NotificationContext, now: number): Outgoing[] {
  const department = ctx.alerting.departments.departments.find((d) => d.id === digest.department);
  if (!department) return [];
  const out: Outgoing[] = [];
  for (const recipient of departmentRecipients(department, audience, holdersAt(ctx, now))) {
    const target = targetRef(recipient, ctx.notify);
    if (!target) continue;
    const items = digest.alerts.map((a) => ({
      idempotencyKey: digest.key,
      alertId: a.alertId,
      incidentId: a.incidentId,
      level: a.level,
      kind: "digest" as const,
      title: a.title,
      department: department.name,
      // A digest lists the department's own alerts only, so every recipient here may act on them.
      ackUrl: ackLink(ctx, { id: a.alertId, raisedAt: a.raisedAt }, recipient.ackAs, now),
    }));
    const top = digest.alerts[0];
    out.push({
      target,
      notification: {
        idempotencyKey: digest.key,
        // Not an alert's id: a digest's delivery status must not show up under one of its alerts.
        alertId: `digest-${digest.department}`,
        incidentId: `digest-${digest.department}-${digest.date}`,
        level: top?.level ?? null,
        title: digest.title,
        body: digest.body,
        deadlines: digest.alerts.flatMap((a) => (a.next ? [{ label: a.next.label, dueAt: a.next.dueAt }] : [])).slice(0, 20),
        ...(items[0]?.ackUrl ? { ackUrl: items[0].ackUrl } : {}),
        department: department.name,
        kind: "digest",
        items,
      },
    });
  }
  return out;
}

/**
 * Resolve `person:<id>:<channel>` outbox targets to the person's current address from config, so phone numbers
 * and mailboxes never sit in the outbox and a corrected number applies to pending retries.
 */
export function personResolver(alerting: AlertingConfig): (channel: ChannelKind, targetId: string) => ChannelTarget | undefined {
  return (channel, targetId) => {
    const match = PERSON_TARGET.exec(targetId);
    if (!match || match[2] !== channel) return undefined;
    const person = alerting.departments.departments.flatMap((d) => d.people).find((p) => p.id === match[1]);
    if (channel === "email" && person?.email) return { channel: "email", to: [person.email] };
    if (channel === "sms" && person?.mobile) return { channel: "sms", to: [person.mobile] };
    return undefined;
  };
}
