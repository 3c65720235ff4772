import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuditLog } from "@liaowang/auth";
import { LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";

declare module "fastify" {
  interface FastifyContextConfig {
    /** false: the route writes its own, more precise audit records (sign-in). */
    audit?: boolean;
  }
  interface FastifyRequest {
    /** What a route adds to its audit record (e.g. the config kind, version and summary of an admin change). */
    auditDetails?: { target?: string; [key: string]: unknown };
  }
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// Reads that are audited too: exports always, searches when a department head makes them.
const AUDITED_READS = new Set(["/api/v1/search/export", "/api/v1/trends/export", "/api/v1/incidents/:id/evidence.zip", "/api/v1/brief/pdf"]);
const DEPT_HEAD_READS = new Set(["/api/v1/search", "/api/v1/trends"]);

/** Why a request belongs in the security audit, or undefined. */
export function auditedAs(request: FastifyRequest, status: number): string | undefined {
  const route = request.routeOptions.url;
  if (route === undefined || !route.startsWith("/api/v1/") || request.routeOptions.config.audit === false) return undefined;
  if (STATE_CHANGING.has(request.method)) return `${request.method} ${route}`;
  if (AUDITED_READS.has(route)) return `${request.method} ${route}`;
  if (DEPT_HEAD_READS.has(route) && request.user?.roles.includes("dept_head")) return `${request.method} ${route}`;
  // Refusals of a signed-in user are worth knowing (someone probing beyond their role or department).
  if (status === 403) return `${request.method} ${route}`;
  return undefined;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The seq of the security-audit record written before this request's handler ran. */
    auditAttempt?: number;
  }
}

/** Whether a request that reached its handler is audited, whatever its outcome (state changes, exports, head searches). */
function auditedBeforeHandler(request: FastifyRequest): boolean {
  return auditedAs(request, 200) !== undefined;
}

function target(request: FastifyRequest): string | undefined {
  const params = request.params as Record<string, unknown> | undefined;
  return typeof params?.id === "string" ? params.id : undefined;
}

function requestDetails(request: FastifyRequest): Record<string, unknown> {
  const body = request.body as Record<string, unknown> | undefined;
  const query = request.query as Record<string, unknown> | undefined;
  const details: Record<string, unknown> = {};
  if (body && typeof body === "object" && !Buffer.isBuffer(body) && typeof body.action === "string") details.action = body.action;
  if (request.routeOptions.url?.startsWith("/api/v1/search") && query) details.query = { q: query.q, source: query.source, region: query.region, topic: query.topic };
  return details;
}

/**
 * The security audit of API requests: every state change through the API (transitions, pushes, users, sign-out),
 * every export, department heads' searches and every 403, with actor, source address, target and outcome.
 *
 * Written ahead, so no action goes unrecorded: an audited request that reached its handler first gets an
 * `attempted` record, and its handler does not run when that write fails (503, nothing changed); its outcome record
 * (`ok` / `denied` / `failed`, with the attempt's seq) is written before the answer leaves (`onSend`). A crash after
 * the change leaves the attempt on record; a failing outcome write is logged, and the answer still goes out (the
 * attempt is on record).
 */
export function auditHooks(audit: AuditLog, log: Logger) {
  const preHandler = async (request: FastifyRequest): Promise<void> => {
    if (!auditedBeforeHandler(request)) return;
    const action = auditedAs(request, 200) as string;
    try {
      const record = await audit.append({ actor: actorOf(request, 200), action, outcome: "attempted", source: request.ip, target: target(request), details: requestDetails(request) });
      request.auditAttempt = record.seq;
    } catch (error) {
      log.error({ err: error, action }, "security audit write failed: request refused");
      throw new LiaowangError("unavailable", "the security audit cannot be written, so the request was not carried out; try again later");
    }
  };
  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const status = reply.statusCode;
    const action = auditedAs(request, status);
    if (action === undefined) return payload;
    // What the route added (set by its handler, e.g. an admin change's kind, version and summary).
    const { target: routeTarget, ...extra } = request.auditDetails ?? {};
    const details: Record<string, unknown> = { status, ...requestDetails(request), ...extra, ...(request.auditAttempt !== undefined ? { attempt: request.auditAttempt } : {}) };
    try {
      await audit.append({
        actor: actorOf(request, status),
        action,
        outcome: status < 400 ? "ok" : status === 401 || status === 403 ? "denied" : "failed",
        source: request.ip,
        target: routeTarget ?? target(request),
        details,
      });
    } catch (error) {
      log.error({ err: error, action, attempt: request.auditAttempt }, "security audit write of an outcome failed");
    }
    return payload;
  };
  return { preHandler, onSend };
}

function actorOf(request: FastifyRequest, status: number): string {
  return request.user?.id ?? (request.routeOptions.url === "/api/v1/documents" && status < 400 ? "push-token" : "anonymous");
}
