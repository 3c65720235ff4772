import type { FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";
import { describeError, LiaowangError, type ErrorCode } from "@liaowang/errors";
import { sameSecret } from "@liaowang/auth";
import { rolesWith, scopeFor, type Permission, type Scope, type User } from "./auth/roles.js";
import { cookieValue, CSRF_HEADER, SESSION_COOKIE } from "./auth/session-auth.js";
import type { UserDirectory } from "./auth/users.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in user (set by the auth hook of every endpoint but health). */
    user?: User;
    /** What the user may reach with the route's permission. */
    scope?: Scope;
    /** Set when the user came with a session cookie (not a bearer token): its CSRF token. */
    csrf?: string;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A route's serializer that writes the answer as the handler built it (`JSON.stringify`), for the lists duty boards
 * poll: their answers are views made by typed code from schema-parsed documents, and the zod serializer validated
 * every alert and deadline of them again (about a third of the API's CPU per `GET /api/v1/alerts`). The route keeps
 * its response schema for the OpenAPI document, and its tests check answers against that schema.
 */
export const serializeAsBuilt = () => (data: unknown) => JSON.stringify(data);

/**
 * Answer with a body its route already wrote as JSON text (see `alertViewJson`): sent as it is, never serialised
 * again. The route keeps its response schema for the OpenAPI document, and its tests check answers against it.
 */
export function sendJsonText(reply: FastifyReply, json: string): FastifyReply {
  return reply.type("application/json; charset=utf-8").send(json);
}

/** HTTP status of each error code; only the API maps errors to statuses. */
export const STATUS: Record<ErrorCode, number> = { invalid_input: 400, not_found: 404, conflict: 409, unauthenticated: 401, forbidden: 403, unavailable: 503, internal: 500 };

/** Send an error body `{ error, message }`. */
export function sendError(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  if (code === "unauthenticated") void reply.header("www-authenticate", 'Bearer realm="liaowang"');
  return reply.code(STATUS[code]).send({ error: code, message });
}

/** The bearer token of a request, or "". */
export function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? "";
}

/**
 * An onRequest hook: 401 without a valid bearer token or session cookie, 403 when none of the user's roles holds
 * the permission (`signed_in`: any signed-in user), 403 for a cookie-authenticated state-changing request without
 * its CSRF token (bearer tokens, which browsers never send on their own, are exempt). Runs before body and query
 * validation, so an anonymous caller learns nothing about the endpoint.
 */
export function requirePermission(users: UserDirectory, permission: Permission | "signed_in") {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearer(request);
    let user: User | undefined;
    if (token !== "") {
      user = users.authenticate(token);
      if (!user) {
        await sendError(reply, "unauthenticated", "the bearer token is not valid (unknown, revoked or mistyped)");
        return;
      }
    } else {
      const cookie = cookieValue(request, SESSION_COOKIE);
      if (cookie === "") {
        await sendError(reply, "unauthenticated", "sign in (POST /api/v1/session), or send Authorization: Bearer <token> (tokens are issued in config/users.yaml)");
        return;
      }
      const session = await users.authenticateSession(cookie);
      if (!session) {
        await sendError(reply, "unauthenticated", "the session has ended (signed out, idle or past its time limit): sign in again");
        return;
      }
      if (!SAFE_METHODS.has(request.method) && !sameSecret(String(request.headers[CSRF_HEADER] ?? ""), session.csrf)) {
        request.user = session.user;
        await sendError(reply, "forbidden", `a state-changing request with a session cookie needs its CSRF token in ${CSRF_HEADER} (from GET /api/v1/me)`);
        return;
      }
      user = session.user;
      request.csrf = session.csrf;
    }
    const scope = permission === "signed_in" ? ({ kind: "all" } as const) : scopeFor(user, permission, (d) => users.reach(d));
    request.user = user;
    if (scope.kind === "none") {
      await sendError(reply, "forbidden", `user ${user.id} (${user.roles.join(", ")}) may not ${permission}; roles that may: ${rolesWith(permission as Permission).join(", ")}`);
      return;
    }
    request.scope = scope;
  };
}

/** The signed-in user and scope of a guarded route (throws if a route forgot its guard). */
export function principal(request: FastifyRequest): { user: User; scope: Scope } {
  if (!request.user || !request.scope) throw new LiaowangError("internal", `route ${request.routeOptions.url ?? request.url} has no auth guard`);
  return { user: request.user, scope: request.scope };
}

function zodMessage(error: ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ");
}

/** Fastify error handler: validation → 400, LiaowangError → its status, anything else → 500 (logged). */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const validation = (error as { validation?: unknown; validationContext?: string; message?: string }).validation;
  if (validation !== undefined) {
    const context = (error as { validationContext?: string }).validationContext ?? "request";
    return sendError(reply, "invalid_input", `invalid ${context}: ${(error as Error).message}`);
  }
  if (error instanceof ZodError) return sendError(reply, "invalid_input", zodMessage(error));
  if (error instanceof LiaowangError) {
    if (error.code === "internal" || error.code === "unavailable") request.log.error({ err: error }, `request failed: ${error.message}`);
    return sendError(reply, error.code, error.message);
  }
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const code: ErrorCode = status === 404 ? "not_found" : status === 401 ? "unauthenticated" : status === 403 ? "forbidden" : "invalid_input";
    // keep fastify's own status (413 body too large, 415 unsupported type, …) with our error body
    return reply.code(status).send({ error: code, message: describeError(error) });
  }
  request.log.error({ err: error }, "request failed");
  return sendError(reply, "internal", "internal error; the api log has the details");
}
