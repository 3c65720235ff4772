import type { Alert } from "@liaowang/schemas";
import type { Audience, DepartmentsConfig, Department, Person, RecipientSpec } from "./config.js";

/**
 * Who holds a role of a department right now (the roster), or undefined to use departments.yaml's people of
 * that role. See `rosterHolders`.
 */
export type RoleHolders = (department: string, role: Exclude<Audience, "group">) => Person[] | undefined;

/** How one recipient is reached: a configured group target (robot, webhook, mailbox), or a person's email / SMS. */
export type Delivery = { type: "target"; targetId: string } | { type: "person"; personId: string; channel: "email" | "sms" };

/** A concrete recipient of a notification. */
export interface Recipient {
  department: string;
  audience: Audience;
  via: Delivery;
  /** Who acknowledges through this recipient's link: the person, or the department for group targets. */
  ackAs: string;
}

function departmentsOf(spec: RecipientSpec, alert: Alert, config: DepartmentsConfig): Department[] {
  const byId = (id: string) => config.departments.find((d) => d.id === id);
  switch (spec.department) {
    case "responsible":
      return [byId(alert.department)].filter((d): d is Department => d !== undefined);
    case "co":
      return alert.coDepartments.map(byId).filter((d): d is Department => d !== undefined);
    case "parent": {
      const parent = byId(alert.department)?.parent;
      return parent ? [byId(parent)].filter((d): d is Department => d !== undefined) : [];
    }
    default:
      return [byId(spec.department)].filter((d): d is Department => d !== undefined);
  }
}

/** The stable key of a delivery, for de-duplication and as part of outbox target ids. */
export function deliveryKey(via: Delivery): string {
  return via.type === "target" ? via.targetId : `person:${via.personId}:${via.channel}`;
}

/**
 * Expand recipient specs into concrete recipients, each delivery once (a person in two specs gets one message).
 * @example resolveRecipients([{ department: "responsible", audience: "head" }], alert, departments)
 */
export function resolveRecipients(specs: readonly RecipientSpec[], alert: Alert, config: DepartmentsConfig, holders?: RoleHolders): Recipient[] {
  const out = new Map<string, Recipient>();
  for (const spec of specs) {
    for (const department of departmentsOf(spec, alert, config)) {
      for (const recipient of departmentRecipients(department, spec.audience, holders)) {
        if (!out.has(deliveryKey(recipient.via))) out.set(deliveryKey(recipient.via), recipient);
      }
    }
  }
  return [...out.values()];
}

/**
 * The recipients of one audience inside one department: its group targets, or each person holding that role
 * (per the roster when `holders` knows it, else departments.yaml) by SMS and email.
 * @example departmentRecipients(department, "head")
 */
export function departmentRecipients(department: Department, audience: Audience, holders?: RoleHolders): Recipient[] {
  if (audience === "group") {
    return department.targets.map((targetId) => ({ department: department.id, audience, via: { type: "target", targetId }, ackAs: `dept:${department.id}` }));
  }
  return (holders?.(department.id, audience) ?? department.people.filter((p) => p.role === audience))
    .flatMap((person) => {
      const channels: ("email" | "sms")[] = [...(person.mobile ? ["sms" as const] : []), ...(person.email ? ["email" as const] : [])];
      return channels.map((channel): Recipient => ({ department: department.id, audience, via: { type: "person", personId: person.id, channel }, ackAs: person.id }));
    });
}
