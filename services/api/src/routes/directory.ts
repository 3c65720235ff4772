import { calendarCoverage } from "@liaowang/alerting";
import type { ApiApp, ApiDeps } from "../app.js";
import { LiaowangError, invalidInput } from "@liaowang/errors";
import { AccountabilityBody, AccountabilityQuery, AuditBody, AuditQuery, DepartmentAccountability, DepartmentsBody, ErrorBody, HealthBody, MeBody } from "../api-schemas.js";
import { principal, requirePermission } from "../http.js";
import { stageViews } from "../views/stages.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

/** health, me, departments and the audit log. */
export function registerDirectoryRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());
  const departmentName = (id: string | undefined) => (id === undefined ? undefined : deps.departments?.departments.find((d) => d.id === id)?.name);

  app.get(
    "/api/v1/health",
    { schema: { tags: ["system"], summary: "Liveness, Elasticsearch reachability, and each pipeline stage's consumer lag and stuck offsets (no authentication)", security: [], response: { 200: HealthBody, 503: HealthBody } } },
    async (_request, reply) => {
      const ok = await deps.es.ping({}, { requestTimeout: 3_000, maxRetries: 0 }).catch(() => false);
      const now = clock();
      const stages = ok ? stageViews(await deps.store.stageReports().catch(() => []), now) : undefined;
      // A stuck stage degrades the pipeline but not the API itself: 503 only when Elasticsearch is unreachable.
      const degraded = !ok || (stages ?? []).some((s) => s.stuck !== undefined || s.stalled !== undefined);
      // The calendar's reach is a warning for operators, never a reason to call the API degraded.
      const calendar = deps.ops ? calendarCoverage(deps.ops.calendar, now.getTime()) : undefined;
      return reply.code(ok ? 200 : 503).send({
        status: degraded ? "degraded" : "ok",
        elasticsearch: ok ? "ok" : "unavailable",
        time: now.toISOString(),
        ...(stages ? { stages } : {}),
        ...(calendar ? { calendar: { coveredUntil: calendar.coveredUntil, daysLeft: calendar.daysLeft, warning: calendar.warning } } : {}),
      });
    },
  );

  app.get(
    "/api/v1/me",
    { onRequest: requirePermission(deps.users, "signed_in"), schema: { tags: ["system"], summary: "The signed-in user and their roles (and, for a session cookie, its CSRF token)", response: { 200: MeBody, ...errors } } },
    async (request) => {
      const { user } = principal(request);
      const name = departmentName(user.department);
      return { id: user.id, name: user.name, roles: user.roles, ...(user.department ? { department: user.department } : {}), ...(name ? { departmentName: name } : {}), ...(request.csrf ? { csrfToken: request.csrf } : {}) };
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
      const alertIds = scope.kind === "department" ? (await deps.store.alertRefsOfDepartment(scope.departments)).map((r) => r.id) : undefined;
      return deps.store.listAudit({ ...q, alertIds });
    },
  );

  app.get(
    "/api/v1/accountability",
    {
      onRequest: requirePermission(deps.users, "accountability:read"),
      schema: {
        tags: ["directory"],
        summary: "Response effectiveness per department (问责): time to acknowledge, deadlines met / missed / overdue now, dismissals, re-raises; department heads see their own",
        querystring: AccountabilityQuery,
        response: { 200: AccountabilityBody, ...errors },
      },
    },
    async (request) => {
      const { scope } = principal(request);
      const now = clock();
      const to = request.query.to ?? now.toISOString();
      const from = request.query.from ?? new Date(now.getTime() - 30 * 86_400_000).toISOString();
      if (Date.parse(from) >= Date.parse(to)) throw invalidInput(`from (${from}) must be before to (${to})`);
      const answer = await deps.alerter.accountability(from, to);
      const parsed = AccountabilityBody.omit({ departments: true }).extend({ departments: DepartmentAccountability.array() }).safeParse(answer);
      if (!parsed.success) throw new LiaowangError("internal", "the alerter answered accountability with an unexpected body");
      const departments = parsed.data.departments
        .filter((d) => scope.kind === "all" || (scope.kind === "department" && scope.departments.includes(d.department)))
        .map((d) => ({ ...d, departmentName: departmentName(d.department) ?? d.department }));
      return { from, to, departments };
    },
  );
}
