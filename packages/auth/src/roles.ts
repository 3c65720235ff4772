import { z } from "zod";

/**
 * Who a user is (ARCHITECTURE §1, 等保 2.0 三员分立). Business roles: duty_officer, dept_head (own department only),
 * analyst. Administration is split three ways: sys_admin (system: sources, health, configuration), sec_admin
 * (security: users, roles, policies) and audit_admin (reads the security audit, nothing else).
 */
export const Role = z.enum(["duty_officer", "dept_head", "analyst", "sys_admin", "sec_admin", "audit_admin"]);
export type Role = z.infer<typeof Role>;

/** The three separated administrator roles (三员). */
export const ADMIN_ROLES: readonly Role[] = ["sys_admin", "sec_admin", "audit_admin"];

/** zh-CN role names, as the dashboard and CLI show them. */
export const ROLE_NAMES: Record<Role, string> = {
  duty_officer: "值班员",
  dept_head: "部门负责人",
  analyst: "分析员",
  sys_admin: "系统管理员",
  sec_admin: "安全管理员",
  audit_admin: "审计管理员",
};

/**
 * Why a set of roles may not be held by one account, or undefined when it may: at most one of the three
 * administrator roles (so no account holds them all, nor audits its own administration), and administrators hold
 * no business role.
 * @example separationProblem(["sys_admin", "audit_admin"]) // "…"
 */
export function separationProblem(roles: readonly Role[], department?: string): string | undefined {
  const admin = roles.filter((r) => ADMIN_ROLES.includes(r));
  if (admin.length > 1) return `roles ${admin.join(" + ")} are separated (三员分立): one account holds at most one of sys_admin, sec_admin, audit_admin`;
  if (admin.length === 1 && roles.length > 1) return `an administrator account (${admin[0]}) holds no other role (三员分立)`;
  if (roles.includes("dept_head") && department === undefined) return "a dept_head needs the department it heads";
  return undefined;
}
