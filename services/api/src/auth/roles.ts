import { Role } from "@liaowang/auth";

/** Who a user is to the API (ARCHITECTURE §1, 三员分立): defined with the accounts in @liaowang/auth. */
export { Role };

/** What an endpoint needs. */
export type Permission =
  | "documents:search"
  | "trends:read"
  | "incidents:read"
  | "alerts:read"
  | "alerts:transition"
  | "departments:read"
  | "audit:read"
  | "accountability:read"
  | "sources:read"
  // 舆情日报 and the stored documents (and their evidence) a brief or an incident links to
  | "brief:read"
  | "documents:read"

  /** The security audit (sign-ins, every change, exports): the audit administrator only. */
  | "security_audit:read"
  /** Users and roles: the security administrator only. */
  | "users:manage"
  /** System status and configuration: the system administrator. */
  | "system:read"
  /** Live configuration (sources, watch rules, departments and routing, escalation): the system administrator changes it, the audit administrator reads it. */
  | "config:read"
  | "config:manage";

/** A signed-in user (person ids match config/departments.yaml, so audit actors name real people). */
export interface User {
  id: string;
  name: string;
  roles: Role[];
  /** The department a dept_head answers for. */
  department?: string | undefined;
}

/**
 * Which slice of the data a permission reaches for a user: everything, one department's alerts (and what hangs
 * off them: incidents, audit, the posts they name), or nothing. `departments` is the department and, below it,
 * every department whose `parent` chain leads to it (config/departments.yaml): a parent department's head reads
 * what is routed to its children, but acts only on its own department's alerts.
 */
export type Scope = { kind: "all" } | { kind: "department"; department: string; departments: readonly string[] } | { kind: "none" };

/**
 * A department and every department below it (children, their children, …) by the `parent` links of
 * config/departments.yaml, the department itself first.
 * @example departmentReach({ departments: [{ id: "gov" }, { id: "hrss", parent: "gov" }] }, "gov") // ["gov", "hrss"]
 */
export function departmentReach(config: { departments: readonly { id: string; parent?: string | undefined }[] } | undefined, department: string): string[] {
  const reach = [department];
  for (let i = 0; i < reach.length; i++) {
    for (const d of config?.departments ?? []) if (d.parent === reach[i] && !reach.includes(d.id)) reach.push(d.id);
  }
  return reach;
}

// Department heads are scoped to their department; everyone else with the permission sees everything.
const GRANTS: Record<Role, { all: readonly Permission[]; ownDepartment: readonly Permission[] }> = {
  duty_officer: {
    all: ["documents:search", "trends:read", "incidents:read", "alerts:read", "alerts:transition", "departments:read", "audit:read", "accountability:read", "sources:read", "brief:read", "documents:read"],
    ownDepartment: [],
  },
  // Posts only through their department's incidents and brief (documents:read is checked per post).
  dept_head: {
    all: ["departments:read"],
    ownDepartment: ["incidents:read", "alerts:read", "alerts:transition", "audit:read", "accountability:read", "brief:read", "documents:read"],
  },
  analyst: {
    all: ["documents:search", "trends:read", "incidents:read", "alerts:read", "departments:read", "accountability:read", "sources:read", "brief:read", "documents:read"],
    ownDepartment: [],
  },
  // 三员分立: each administrator reaches only its own function, none of them the business data or each other's.
  sys_admin: { all: ["departments:read", "sources:read", "system:read", "config:read", "config:manage"], ownDepartment: [] },
  sec_admin: { all: ["departments:read", "users:manage"], ownDepartment: [] },
  audit_admin: { all: ["security_audit:read", "config:read"], ownDepartment: [] },
};

/**
 * The widest scope any of the user's roles gives for a permission; `reach` lists the departments below one
 * (departmentReach over the departments file; without it a department reaches only itself).
 * @example scopeFor({ id: "h1", name: "…", roles: ["dept_head"], department: "hrss" }, "alerts:read") // { kind: "department", department: "hrss", departments: ["hrss"] }
 */
export function scopeFor(user: User, permission: Permission, reach: (department: string) => readonly string[] = (d) => [d]): Scope {
  if (user.roles.some((role) => GRANTS[role].all.includes(permission))) return { kind: "all" };
  if (user.department !== undefined && user.roles.some((role) => GRANTS[role].ownDepartment.includes(permission))) {
    return { kind: "department", department: user.department, departments: reach(user.department) };
  }
  return { kind: "none" };
}

/** The roles that hold a permission at all (for 403 messages and the OpenAPI description). */
export function rolesWith(permission: Permission): Role[] {
  return Role.options.filter((role) => GRANTS[role].all.includes(permission) || GRANTS[role].ownDepartment.includes(permission));
}

/**
 * Whether an alert is visible in a scope: a department sees alerts it, or a department below it, is responsible
 * for or co-notified on.
 */
export function alertVisible(scope: Scope, alert: { department: string; coDepartments: readonly string[] }): boolean {
  switch (scope.kind) {
    case "all":
      return true;
    case "department":
      return scope.departments.includes(alert.department) || alert.coDepartments.some((d) => scope.departments.includes(d));
    case "none":
      return false;
  }
}

/**
 * Whether a scope may change an alert: only the responsible department acts on it (co-notified ones and parent
 * departments watch: the clocks measure the responsible department).
 */
export function alertActionable(scope: Scope, alert: { department: string }): boolean {
  switch (scope.kind) {
    case "all":
      return true;
    case "department":
      return alert.department === scope.department;
    case "none":
      return false;
  }
}
