import type { ApiApp, ApiDeps } from "../app.js";
import { AuditBody, AuditQuery, DepartmentsBody, ErrorBody, HealthBody, MeBody } from "../api-schemas.js";
import { principal, requirePermission } from "../http.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

/** health, me, departments and the audit log. */
export function registerDirectoryRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());
  const departmentName = (id: string | undefined) => (id === undefined ? undefined : deps.departments?.departments.find((d) => d.id === id)?.name);

  app.get(
    "/api/v1/health",
    { schema: { tags: ["system"], summary: "Liveness and Elasticsearch reachability (no authentication)", security: [], response: { 200: HealthBody, 503: HealthBody } } },
    async (_request, reply) => {
      const ok = await deps.es.ping({}, { requestTimeout: 3_000, maxRetries: 0 }).catch(() => false);
      return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "degraded", elasticsearch: ok ? "ok" : "unavailable", time: clock().toISOString() });
    },
  );

  app.get(
    "/api/v1/me",
    { onRequest: requirePermission(deps.users, "departments:read"), schema: { tags: ["system"], summary: "The signed-in user and their roles", response: { 200: MeBody, ...errors } } },
    async (request) => {
      const { user } = principal(request);
      const name = departmentName(user.department);
      return { id: user.id, name: user.name, roles: user.roles, ...(user.department ? { department: user.department } : {}), ...(name ? { departmentName: name } : {}) };
    },
  );

  app.get(
    "/api/v1/departments",
    { onRequest: requirePermission(deps.users, "departments:read"), schema: { tags: ["directory"], summary: "Departments alerts are routed to, and the routing defaults", response: { 200: DepartmentsBody, ...errors } } },
    async (_request, reply) => {
      const config = deps.departments;
      if (!config) return reply.code(503).send({ error: "unavailable", message: "the departments file is not readable by the api (API_DEPARTMENTS_FILE / config/departments.yaml)" });
      return {
        departments: config.departments.map((d) => ({
          id: d.id,
          name: d.name,
          ...(d.parent ? { parent: d.parent } : {}),
          jurisdiction: d.jurisdiction,
          topics: d.topics,
          keywords: d.keywords,
          // Names and roles only: contact details stay with the alerter that uses them.
          people: d.people.map((p) => ({ id: p.id, name: p.name, role: p.role })),
        })),
        routing: { default: config.routing.default, coNotifyMajor: config.routing.coNotifyMajor },
      };
    },
  );

  app.get(
    "/api/v1/audit",
    {
      onRequest: requirePermission(deps.users, "audit:read"),
      schema: { tags: ["directory"], summary: "Audit log of alert events (who did what, when), newest first; department heads see their department's alerts", querystring: AuditQuery, response: { 200: AuditBody, ...errors } },
    },
    async (request) => {
      const { scope } = principal(request);
      const q = request.query;
      const alertIds = scope.kind === "department" ? (await deps.store.alertRefsOfDepartment(scope.department)).map((r) => r.id) : undefined;
      return deps.store.listAudit({ ...q, alertIds });
    },
  );
}
