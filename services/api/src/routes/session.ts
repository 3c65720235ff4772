import { z } from "zod";
import { hashPassword, passwordProblem, Role, separationProblem, type AccountStore, type AuditLog } from "@liaowang/auth";
import { LiaowangError } from "@liaowang/errors";
import type { ApiApp } from "../app.js";
import { ErrorBody } from "../api-schemas.js";
import { cookieValue, SESSION_COOKIE, type SignIn } from "../auth/session-auth.js";
import type { UserDirectory } from "../auth/users.js";
import { bearer, principal, requirePermission, sendError } from "../http.js";
import { zhAccountProblem } from "./users-admin.js";

/** What sign-in, the security audit and user management need. */
export interface SessionDeps {
  users: UserDirectory;
  signIn: SignIn;
  accounts: AccountStore;
  audit: AuditLog;
  clock: () => Date;
}

const SignInBody = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1024),
  totp: z.string().trim().max(10).optional(),
});
const SignInResult = z.object({ user: z.object({ id: z.string(), name: z.string(), roles: z.array(Role), department: z.string().optional() }), csrfToken: z.string() });
const SignInRefusal = z.object({ error: z.literal("unauthenticated"), message: z.string(), reason: z.string() });
const AuditRecordBody = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  outcome: z.string(),
  source: z.string(),
  target: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  prevHash: z.string(),
  hash: z.string(),
});
const Verification = z.object({
  ok: z.boolean(),
  records: z.number(),
  firstSeq: z.number().nullable(),
  lastSeq: z.number().nullable(),
  anchor: z.string().nullable(),
  /** The newest record (note it elsewhere: `audit verify --head <seq>:<hash>`), and the head anchors checked. */
  head: z.object({ seq: z.number(), hash: z.string() }).nullable(),
  anchors: z.number(),
  lastAnchor: z.object({ seq: z.number(), at: z.string(), auditSeq: z.number(), auditHash: z.string(), prevHash: z.string(), hash: z.string() }).nullable(),
  problems: z.array(z.string()),
});
const AuditQuery = z.object({ actor: z.string().max(100).optional(), action: z.string().max(100).optional(), size: z.coerce.number().int().min(1).max(1_000).default(100) });
const NewUser = z.object({ id: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/), name: z.string().trim().min(1).max(100), roles: z.array(Role).min(1), department: z.string().max(100).optional(), password: z.string().min(1).max(1024) });
const UserBody = z.object({ id: z.string(), name: z.string(), roles: z.array(Role), department: z.string().optional(), kind: z.enum(["password", "token"]), disabled: z.boolean(), totp: z.boolean() });

/**
 * Sign-in and sign-out (session cookies), the security audit (audit administrator) and password accounts
 * (security administrator).
 */
export function registerSessionRoutes(app: ApiApp, deps: SessionDeps): void {
  app.post(
    "/api/v1/session",
    {
      config: { audit: false },
      schema: {
        tags: ["system"],
        summary: "Sign in with user name and password (and TOTP code when enabled): sets the HttpOnly session cookie and returns the CSRF token for state-changing requests",
        security: [],
        body: SignInBody,
        response: { 200: SignInResult, 401: SignInRefusal, 429: SignInRefusal, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const result = await deps.signIn.signIn({ ...request.body, source: request.ip, previousToken: cookieValue(request, SESSION_COOKIE) });
      if (!result.ok) return reply.code(result.status).send({ error: "unauthenticated", message: result.message, reason: result.reason });
      deps.signIn.setCookie(request, reply, result.token);
      return { user: result.user, csrfToken: result.csrf };
    },
  );

  app.get(
    "/api/v1/session",
    {
      config: { audit: false },
      schema: {
        tags: ["system"],
        summary: "Who is signed in by this request's session cookie or bearer token, or null: never 401, so a page can ask before showing its login",
        security: [],
        response: { 200: z.object({ user: SignInResult.shape.user.nullable() }) },
      },
    },
    async (request) => {
      const token = bearer(request);
      const user = token ? deps.users.authenticate(token) : (await deps.users.authenticateSession(cookieValue(request, SESSION_COOKIE)))?.user;
      return { user: user ? { id: user.id, name: user.name, roles: user.roles, ...(user.department ? { department: user.department } : {}) } : null };
    },
  );

  app.delete(
    "/api/v1/session",
    { config: { audit: false }, onRequest: requirePermission(deps.users, "signed_in"), schema: { tags: ["system"], summary: "Sign out: ends the session (CSRF token required)", response: { 204: z.null(), 401: ErrorBody, 403: ErrorBody } } },
    async (request, reply) => {
      const { user } = principal(request);
      const token = cookieValue(request, SESSION_COOKIE);
      if (token) await deps.signIn.signOut(token, user.id, request.ip);
      deps.signIn.clearCookie(reply);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/v1/security/audit",
    {
      onRequest: requirePermission(deps.users, "security_audit:read"),
      schema: { tags: ["directory"], summary: "The security audit (sign-ins, failed sign-ins, every change, exports), newest first: audit administrators only", querystring: AuditQuery, response: { 200: z.object({ records: z.array(AuditRecordBody) }), 401: ErrorBody, 403: ErrorBody } },
    },
    async (request) => ({ records: await deps.audit.list(request.query) }),
  );

  app.get(
    "/api/v1/security/audit/verify",
    {
      onRequest: requirePermission(deps.users, "security_audit:read"),
      schema: { tags: ["directory"], summary: "Check the audit's hash chain (every record in order, unaltered, none missing)", response: { 200: Verification, 401: ErrorBody, 403: ErrorBody } },
    },
    async () => deps.audit.verify(),
  );

  app.get(
    "/api/v1/users",
    { onRequest: requirePermission(deps.users, "users:manage"), schema: { tags: ["directory"], summary: "Users and their roles (security administrators only); no secrets", response: { 200: z.object({ users: z.array(UserBody) }), 401: ErrorBody, 403: ErrorBody } } },
    async () => {
      const accounts = (await deps.accounts.list()).map((a) => ({ id: a.id, name: a.name, roles: a.roles, ...(a.department ? { department: a.department } : {}), kind: "password" as const, disabled: a.disabled, totp: a.totpSecret !== undefined }));
      const tokens = deps.users.list().map((u) => ({ id: u.id, name: u.name, roles: u.roles, ...(u.department ? { department: u.department } : {}), kind: "token" as const, disabled: false, totp: false }));
      return { users: [...accounts, ...tokens] };
    },
  );

  app.post(
    "/api/v1/users",
    {
      onRequest: requirePermission(deps.users, "users:manage"),
      schema: { tags: ["directory"], summary: "Create a password account (security administrators only; 三员分立 enforced)", body: NewUser, response: { 201: UserBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody } },
    },
    async (request, reply) => {
      const { user } = principal(request);
      const body = request.body;
      const problem = separationProblem(body.roles, body.department) ?? passwordProblem(body.password, body.id);
      if (problem) return sendError(reply, "invalid_input", zhAccountProblem(problem));
      const at = deps.clock().toISOString();
      await deps.accounts.create({ id: body.id, name: body.name, roles: body.roles, ...(body.department ? { department: body.department } : {}), passwordHash: await hashPassword(body.password), disabled: false, failedAttempts: 0, lockedUntil: null, createdAt: at, createdBy: user.id, updatedAt: at }).catch((error: unknown) => {
        if (error instanceof LiaowangError) throw error;
        throw new LiaowangError("unavailable", "could not store the account", { cause: error });
      });
      return reply.code(201).send({ id: body.id, name: body.name, roles: body.roles, ...(body.department ? { department: body.department } : {}), kind: "password", disabled: false, totp: false });
    },
  );
}
