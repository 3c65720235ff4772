import { z } from "zod";
import { hashPassword, passwordProblem, Role, ROLE_NAMES, separationProblem, type Account, type AccountStore } from "@liaowang/auth";
import { LiaowangError } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody } from "../api-schemas.js";
import { principal, requirePermission } from "../http.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const UserBody = z.object({ id: z.string(), name: z.string(), roles: z.array(Role), department: z.string().optional(), kind: z.literal("password"), disabled: z.boolean(), totp: z.boolean() });

/** The account rules' messages (三员分立, password strength) in Chinese for the security administrator. */
export function zhAccountProblem(problem: string): string {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/are separated \(三员分立\)/, () => "三员分立：一个账号最多担任系统管理员、安全管理员、审计管理员之一"],
    [/an administrator account \((\w+)\) holds no other role/, (m) => `三员分立：管理员账号（${ROLE_NAMES[m[1] as Role] ?? m[1]}）不能兼任其他角色`],
    [/a dept_head needs the department/, () => "部门负责人须指定所负责的部门（department）"],
    [/a password needs at least (\d+) characters/, (m) => `密码（password）至少 ${m[1]} 个字符`],
    [/a password has at most/, () => "密码（password）最多 1024 个字符"],
    [/must not contain the user name/, () => "密码（password）不能包含用户名"],
    [/a password needs three of/, () => "密码（password）须包含小写字母、大写字母、数字、其他字符中的至少三类"],
  ];
  for (const [pattern, text] of rules) {
    const m = pattern.exec(problem);
    if (m) return text(m);
  }
  return problem;
}

function view(a: Account): z.infer<typeof UserBody> {
  return { id: a.id, name: a.name, roles: a.roles, ...(a.department ? { department: a.department } : {}), kind: "password", disabled: a.disabled, totp: a.totpSecret !== undefined };
}

/**
 * Users and roles for the security administrator (三员分立: sec_admin only): change a password account's name, roles,
 * department or disable it, and set a new password (which also lifts a lock-out). Sessions follow at once (each
 * request reads the account). Token users come from config/users.yaml and are changed there.
 */
export function registerUserAdminRoutes(app: ApiApp, deps: ApiDeps, accounts: AccountStore, clock: () => Date): void {
  const guard = requirePermission(deps.users, "users:manage");

  async function existing(id: string): Promise<Account> {
    const account = await accounts.get(id);
    if (account) return account;
    if (deps.users.list().some((u) => u.id === id)) throw new LiaowangError("conflict", `用户「${id}」使用访问令牌，由 config/users.yaml 配置，请在该文件中修改`);
    throw new LiaowangError("not_found", `没有用户「${id}」`);
  }

  app.patch(
    "/api/v1/users/:id",
    {
      onRequest: guard,
      schema: {
        tags: ["directory"],
        summary: "Change a password account's name, roles, department or disabled flag (security administrators only; 三员分立 enforced)",
        params: z.object({ id: z.string().min(1).max(100) }),
        body: z.object({ name: z.string().trim().min(1).max(100).optional(), roles: z.array(Role).min(1).optional(), department: z.string().max(100).nullable().optional(), disabled: z.boolean().optional() }),
        response: { 200: UserBody, ...errors },
      },
    },
    async (request) => {
      const { user } = principal(request);
      const id = request.params.id;
      const body = request.body;
      const current = await existing(id);
      const roles = body.roles ?? current.roles;
      const department = body.department === null ? undefined : (body.department ?? current.department);
      if (id === user.id && (body.disabled === true || !roles.includes("sec_admin"))) throw new LiaowangError("invalid_input", "不能停用自己的账号或取消自己的安全管理员角色（请由另一位安全管理员操作）");
      const problem = separationProblem(roles, roles.includes("dept_head") ? department : undefined);
      if (problem) throw new LiaowangError("invalid_input", zhAccountProblem(problem));
      if (roles.includes("dept_head") && department && deps.departments && !deps.departments.departments.some((d) => d.id === department)) {
        throw new LiaowangError("invalid_input", `部门（department）「${department}」不存在`);
      }
      const changes: string[] = [];
      if (body.name !== undefined && body.name !== current.name) changes.push(`姓名 ${current.name} → ${body.name}`);
      if (body.roles && body.roles.join() !== current.roles.join()) changes.push(`角色 ${current.roles.map((r) => ROLE_NAMES[r]).join("、")} → ${roles.map((r) => ROLE_NAMES[r]).join("、")}`);
      if ((department ?? "") !== (current.department ?? "")) changes.push(`部门 ${current.department ?? "无"} → ${department ?? "无"}`);
      if (body.disabled !== undefined && body.disabled !== current.disabled) changes.push(body.disabled ? "停用" : "启用");
      request.auditDetails = { summary: `修改用户 ${id}：${changes.join("；") || "无变化"}` };
      const updated = await accounts.update(id, (a) => {
        const next: Account = { ...a, name: body.name ?? a.name, roles, updatedAt: clock().toISOString(), disabled: body.disabled ?? a.disabled };
        if (roles.includes("dept_head") && department) next.department = department;
        else delete next.department;
        return next;
      });
      if (!updated) throw new LiaowangError("not_found", `没有用户「${id}」`);
      return view(updated);
    },
  );

  app.post(
    "/api/v1/users/:id/password",
    {
      onRequest: guard,
      schema: {
        tags: ["directory"],
        summary: "Set a new password for a password account (and lift a lock-out); security administrators only",
        params: z.object({ id: z.string().min(1).max(100) }),
        body: z.object({ password: z.string().min(1).max(1024) }),
        response: { 200: UserBody, ...errors },
      },
    },
    async (request) => {
      const id = request.params.id;
      await existing(id);
      const problem = passwordProblem(request.body.password, id);
      if (problem) throw new LiaowangError("invalid_input", zhAccountProblem(problem));
      request.auditDetails = { summary: `重设用户 ${id} 的密码` };
      const passwordHash = await hashPassword(request.body.password);
      const updated = await accounts.update(id, (a) => ({ ...a, passwordHash, failedAttempts: 0, lockedUntil: null, updatedAt: clock().toISOString() }));
      if (!updated) throw new LiaowangError("not_found", `没有用户「${id}」`);
      return view(updated);
    },
  );
}
