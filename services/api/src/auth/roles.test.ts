import { describe, expect, it } from "vitest";
import { alertActionable, alertVisible, departmentReach, rolesWith, scopeFor, type User } from "./roles.js";

const duty: User = { id: "d", name: "值班员", roles: ["duty_officer"] };
const head: User = { id: "h", name: "负责人", roles: ["dept_head"], department: "hrss" };
const analyst: User = { id: "a", name: "分析员", roles: ["analyst"] };
const sys: User = { id: "x", name: "系统管理员", roles: ["sys_admin"] };
const sec: User = { id: "s", name: "安全管理员", roles: ["sec_admin"] };
const auditor: User = { id: "u", name: "审计管理员", roles: ["audit_admin"] };

describe("scopeFor", () => {
  it("gives duty officers every business permission", () => {
    for (const user of [duty]) {
      for (const p of ["documents:search", "trends:read", "incidents:read", "alerts:read", "alerts:transition", "departments:read", "audit:read"] as const) {
        expect(scopeFor(user, p)).toEqual({ kind: "all" });
      }
    }
  });

  it("scopes department heads to their department and keeps them out of search", () => {
    expect(scopeFor(head, "alerts:read")).toEqual({ kind: "department", department: "hrss", departments: ["hrss"] });
    expect(scopeFor(head, "alerts:transition")).toEqual({ kind: "department", department: "hrss", departments: ["hrss"] });
    expect(scopeFor(head, "audit:read")).toEqual({ kind: "department", department: "hrss", departments: ["hrss"] });
    expect(scopeFor(head, "departments:read")).toEqual({ kind: "all" });
    expect(scopeFor(head, "documents:search")).toEqual({ kind: "none" });
    // the daily brief of their own department, and the posts it links to
    expect(scopeFor(head, "brief:read")).toEqual({ kind: "department", department: "hrss", departments: ["hrss"] });
    // posts only through their department's incidents and brief (checked per post)
    expect(scopeFor(head, "documents:read")).toEqual({ kind: "department", department: "hrss", departments: ["hrss"] });
  });

  it("lets analysts read but not act or read the audit log", () => {
    expect(scopeFor(analyst, "alerts:read")).toEqual({ kind: "all" });
    expect(scopeFor(analyst, "trends:read")).toEqual({ kind: "all" });
    expect(scopeFor(analyst, "alerts:transition")).toEqual({ kind: "none" });
    expect(scopeFor(analyst, "audit:read")).toEqual({ kind: "none" });
  });

  it("takes the widest scope of several roles", () => {
    expect(scopeFor({ ...head, roles: ["dept_head", "analyst"] }, "alerts:read")).toEqual({ kind: "all" });
    expect(scopeFor({ ...head, roles: ["dept_head", "analyst"] }, "alerts:transition")).toEqual({ kind: "department", department: "hrss", departments: ["hrss"] });
  });

  it("gives a dept_head without a department nothing department-scoped", () => {
    expect(scopeFor({ id: "h2", name: "无部门", roles: ["dept_head"] }, "alerts:read")).toEqual({ kind: "none" });
  });

  it("names the roles that hold a permission", () => {
    expect(rolesWith("alerts:transition")).toEqual(["duty_officer", "dept_head"]);
    expect(rolesWith("documents:search")).toEqual(["duty_officer", "analyst"]);
  });

  it("separates the three administrators (三员分立): none reads business data or another's function", () => {
    expect(rolesWith("security_audit:read")).toEqual(["audit_admin"]);
    expect(rolesWith("users:manage")).toEqual(["sec_admin"]);
    expect(rolesWith("system:read")).toEqual(["sys_admin"]);
    for (const user of [sys, sec, auditor]) {
      for (const p of ["documents:search", "alerts:read", "alerts:transition", "audit:read", "incidents:read"] as const) expect(scopeFor(user, p)).toEqual({ kind: "none" });
    }
    expect(scopeFor(auditor, "users:manage")).toEqual({ kind: "none" });
    expect(scopeFor(sec, "security_audit:read")).toEqual({ kind: "none" });
    expect(scopeFor(sys, "users:manage")).toEqual({ kind: "none" });
  });
});

describe("alert scope", () => {
  const own = { department: "hrss", coDepartments: [] };
  const coNotified = { department: "emergency", coDepartments: ["hrss"] };
  const other = { department: "emergency", coDepartments: ["propaganda"] };
  const scope = { kind: "department", department: "hrss", departments: ["hrss"] } as const;

  it("shows a department its own and co-notified alerts", () => {
    expect(alertVisible(scope, own)).toBe(true);
    expect(alertVisible(scope, coNotified)).toBe(true);
    expect(alertVisible(scope, other)).toBe(false);
    expect(alertVisible({ kind: "all" }, other)).toBe(true);
    expect(alertVisible({ kind: "none" }, own)).toBe(false);
  });

  it("shows a parent department what is routed to the departments below it, but lets it act on its own only", () => {
    const hierarchy = { departments: [{ id: "gov" }, { id: "emergency", parent: "gov" }, { id: "fire", parent: "emergency" }, { id: "hrss", parent: "gov" }] };
    expect(departmentReach(hierarchy, "gov")).toEqual(["gov", "emergency", "hrss", "fire"]);
    expect(departmentReach(hierarchy, "emergency")).toEqual(["emergency", "fire"]);
    expect(departmentReach(hierarchy, "hrss")).toEqual(["hrss"]);
    expect(departmentReach(undefined, "hrss")).toEqual(["hrss"]);
    const gov = scopeFor({ ...head, department: "gov" }, "alerts:read", (d) => departmentReach(hierarchy, d));
    expect(gov).toEqual({ kind: "department", department: "gov", departments: ["gov", "emergency", "hrss", "fire"] });
    const emergency = scopeFor({ ...head, department: "emergency" }, "alerts:read", (d) => departmentReach(hierarchy, d));
    const grandchild = { department: "fire", coDepartments: [] };
    expect(alertVisible(gov, grandchild)).toBe(true);
    expect(alertVisible(emergency, grandchild)).toBe(true);
    expect(alertVisible(emergency, own)).toBe(false);
    expect(alertVisible(emergency, { department: "gov", coDepartments: [] })).toBe(false);
    expect(alertActionable(gov, grandchild)).toBe(false);
    expect(alertActionable(emergency, { department: "emergency" })).toBe(true);
  });

  it("lets only the responsible department act", () => {
    expect(alertActionable(scope, own)).toBe(true);
    expect(alertActionable(scope, coNotified)).toBe(false);
    expect(alertActionable({ kind: "all" }, other)).toBe(true);
  });
});
