import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuditLog } from "@liaowang/auth";
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

/**
 * An onResponse hook appending to the security audit: every state change through the API (transitions, pushes,
 * users, sign-out), every export, department heads' searches and every 403, with actor, source address, target and
 * outcome. A failing audit write is logged as an error (the response has gone; the record is what is missing).
 */
export function auditHook(audit: AuditLog, log: Logger) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const status = reply.statusCode;
    const action = auditedAs(request, status);
    if (action === undefined) return;
    const params = request.params as Record<string, unknown> | undefined;
    const body = request.body as Record<string, unknown> | undefined;
    const query = request.query as Record<string, unknown> | undefined;
    const details: Record<string, unknown> = { status };
    if (body && typeof body === "object" && !Buffer.isBuffer(body) && typeof body.action === "string") details.action = body.action;
    const { target: routeTarget, ...extra } = request.auditDetails ?? {};
    Object.assign(details, extra);
    if (request.routeOptions.url?.startsWith("/api/v1/search") && query) details.query = { q: query.q, source: query.source, region: query.region, topic: query.topic };
    try {
      await audit.append({
        actor: request.user?.id ?? (request.routeOptions.url === "/api/v1/documents" && status < 400 ? "push-token" : "anonymous"),
        action,
        outcome: status < 400 ? "ok" : status === 401 || status === 403 ? "denied" : "failed",
        source: request.ip,
        target: routeTarget ?? (typeof params?.id === "string" ? params.id : undefined),
        details,
      });
    } catch (error) {
      log.error({ err: error, action }, "security audit write failed");
    }
  };
}
