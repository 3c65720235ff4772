import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody } from "../api-schemas.js";
import { principal, requirePermission } from "../http.js";
import { DutyBody, dutyBoard } from "../views/duty.js";

const errors = { 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

/** GET /api/v1/duty: who is on duty now (值班表) per department, and whether today is a working day. */
export function registerDutyRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());
  app.get(
    "/api/v1/duty",
    {
      onRequest: requirePermission(deps.users, "departments:read"),
      schema: {
        tags: ["operations"],
        summary: "Who holds each role (值班员, 带班, 部门负责人, 分管领导) of each department now, per config/roster.yaml and the official holiday calendar; department heads get their own department",
        response: { 200: DutyBody, ...errors },
      },
    },
    async (request, reply) => {
      const { user } = principal(request);
      if (!deps.departments || !deps.ops) return reply.code(503).send({ error: "unavailable", message: "the departments file is not readable by the api (API_DEPARTMENTS_FILE / config/departments.yaml)" });
      const wide = user.roles.some((r) => r !== "dept_head");
      return dutyBoard(deps.departments, deps.ops.roster, deps.ops.calendar, clock().getTime(), wide ? undefined : user.department);
    },
  );
}
