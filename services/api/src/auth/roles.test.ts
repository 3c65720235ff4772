import { describe, expect, it } from "vitest";
import { alertActionable, alertVisible, rolesWith, scopeFor, type User } from "./roles.js";

const duty: User = { id: "d", name: "值班员", roles: ["duty_officer"] };
const head: User = { id: "h", name: "负责人", roles: ["dept_head"], department: "hrss" };
const analyst: User = { id: "a", name: "分析员", roles: ["analyst"] };
const admin: User = { id: "x", name: "管理员", roles: ["admin"] };

describe("scopeFor", () => {
  it("gives duty officers and admins everything", () => {
    for (const user of [duty, admin]) {
      for (const p of ["documents:search", "trends:read", "incidents:read", "alerts:read", "alerts:transition", "departments:read", "audit:read"] as const) {
        expect(scopeFor(user, p)).toEqual({ kind: "all" });
      }
    }
  });

  it("scopes department heads to their department and keeps them out of search", () => {
    expect(scopeFor(head, "alerts:read")).toEqual({ kind: "department", department: "hrss" });
    expect(scopeFor(head, "alerts:transition")).toEqual({ kind: "department", department: "hrss" });
    expect(scopeFor(head, "audit:read")).toEqual({ kind: "department", department: "hrss" });
    expect(scopeFor(head, "departments:read")).toEqual({ kind: "all" });
    expect(scopeFor(head, "documents:search")).toEqual({ kind: "none" });
    // the daily brief of their own department, and the posts it links to
    expect(scopeFor(head, "brief:read")).toEqual({ kind: "department", department: "hrss" });
    expect(scopeFor(head, "documents:read")).toEqual({ kind: "all" });
  });

  it("lets analysts read but not act or read the audit log", () => {
    expect(scopeFor(analyst, "alerts:read")).toEqual({ kind: "all" });
    expect(scopeFor(analyst, "trends:read")).toEqual({ kind: "all" });
    expect(scopeFor(analyst, "alerts:transition")).toEqual({ kind: "none" });
    expect(scopeFor(analyst, "audit:read")).toEqual({ kind: "none" });
  });

  it("takes the widest scope of several roles", () => {
    expect(scopeFor({ ...head, roles: ["dept_head", "analyst"] }, "alerts:read")).toEqual({ kind: "all" });
    expect(scopeFor({ ...head, roles: ["dept_head", "analyst"] }, "alerts:transition")).toEqual({ kind: "department", department: "hrss" });
  });

  it("gives a dept_head without a department nothing department-scoped", () => {
    expect(scopeFor({ id: "h2", name: "无部门", roles: ["dept_head"] }, "alerts:read")).toEqual({ kind: "none" });
  });

  it("names the roles that hold a permission", () => {
    expect(rolesWith("alerts:transition")).toEqual(["duty_officer", "dept_head", "admin"]);
    expect(rolesWith("documents:search")).toEqual(["duty_officer", "analyst", "admin"]);
  });
});

describe("alert scope", () => {
  const own = { department: "hrss", coDepartments: [] };
  const coNotified = { department: "emergency", coDepartments: ["hrss"] };
  const other = { department: "emergency", coDepartments: ["propaganda"] };
  const scope = { kind: "department", department: "hrss" } as const;

  it("shows a department its own and co-notified alerts", () => {
    expect(alertVisible(scope, own)).toBe(true);
    expect(alertVisible(scope, coNotified)).toBe(true);
    expect(alertVisible(scope, other)).toBe(false);
    expect(alertVisible({ kind: "all" }, other)).toBe(true);
    expect(alertVisible({ kind: "none" }, own)).toBe(false);
  });

  it("lets only the responsible department act", () => {
    expect(alertActionable(scope, own)).toBe(true);
    expect(alertActionable(scope, coNotified)).toBe(false);
    expect(alertActionable({ kind: "all" }, other)).toBe(true);
  });
});
