import { z } from "zod";
import { LiaowangError } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody } from "../api-schemas.js";
import { principal, requirePermission, serializeAsBuilt } from "../http.js";
import { InboxBody, inbox } from "../views/inbox.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

/** GET /api/v1/inbox: 部门待办, a department head's escalations, open and overdue alerts. */
export function registerInboxRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());
  app.get(
    "/api/v1/inbox",
    {
      onRequest: requirePermission(deps.users, "alerts:read"),
      serializerCompiler: serializeAsBuilt,
      schema: {
        tags: ["operations"],
        summary: "A department's inbox (部门待办): escalations addressed to its head, its open alerts most urgent first, the overdue count and co-notified alerts. Department heads get their own; others name ?department=",
        querystring: z.object({ department: z.string().min(1).max(100).optional() }),
        response: { 200: InboxBody, ...errors },
      },
    },
    async (request) => {
      const { scope } = principal(request);
      if (!deps.departments) throw new LiaowangError("unavailable", "the departments file is not readable by the api (API_DEPARTMENTS_FILE / config/departments.yaml)");
      const asked = request.query.department;
      if (scope.kind === "department" && asked !== undefined && !scope.departments.includes(asked)) {
        throw new LiaowangError("forbidden", `department heads see the inbox of their own department (${scope.department}) and the departments below it only, not ${asked}'s`);
      }
      const department = scope.kind === "department" ? (asked ?? scope.department) : asked;
      if (department === undefined) throw new LiaowangError("invalid_input", "name the department: /api/v1/inbox?department=<id>");
      if (!deps.departments.departments.some((d) => d.id === department)) throw new LiaowangError("invalid_input", `unknown department "${department}"`);
      // The departments below it too: escalations to a parent department are about its children's alerts.
      const { alerts } = await deps.store.listAlerts({ live: true, department: deps.users.reach(department), limit: deps.maxLiveAlerts });
      return inbox(alerts, department, deps.departments, deps.ops?.escalation, clock().getTime());
    },
  );
}
