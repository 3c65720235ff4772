import { alertIdFor } from "@liaowang/alerting";
import { LiaowangError } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody, IdParams, IncidentBody, IncidentsBody, IncidentsQuery } from "../api-schemas.js";
import { alertVisible } from "../auth/roles.js";
import { principal, requirePermission } from "../http.js";
import { alertView } from "../views/alerts.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

/** Incidents (read-only: the detector owns them); department heads see the incidents of their department's alerts. */
export function registerIncidentRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());

  app.get(
    "/api/v1/incidents",
    {
      onRequest: requirePermission(deps.users, "incidents:read"),
      schema: { tags: ["incidents"], summary: "Incidents, most recently active first", querystring: IncidentsQuery, response: { 200: IncidentsBody, ...errors } },
    },
    async (request) => {
      const { scope } = principal(request);
      const ids = scope.kind === "department" ? (await deps.store.alertRefsOfDepartment(scope.departments)).map((r) => r.incidentId) : undefined;
      return deps.store.listIncidents({ ...request.query, ids });
    },
  );

  app.get(
    "/api/v1/incidents/:id",
    {
      onRequest: requirePermission(deps.users, "incidents:read"),
      schema: {
        tags: ["incidents"],
        summary: "One incident: timeline, 首发, sources, grade reason and history, with its alert and audit trail",
        params: IdParams,
        response: { 200: IncidentBody, 404: ErrorBody, ...errors },
      },
    },
    async (request) => {
      const { scope } = principal(request);
      const id = request.params.id;
      const [incident, alert] = await Promise.all([deps.store.getIncident(id), deps.store.getAlert(alertIdFor(id))]);
      if (!incident) throw new LiaowangError("not_found", `incident ${id} does not exist`);
      if (scope.kind === "department" && !(alert && alertVisible(scope, alert))) {
        throw new LiaowangError("forbidden", `incident ${id} is not routed to department ${scope.department}; department heads see their own department's incidents only`);
      }
      const audit = alert ? await deps.store.auditOf(alert) : [];
      const now = clock().getTime();
      return { now: new Date(now).toISOString(), incident, alert: alert ? alertView(alert, now) : null, audit };
    },
  );
}
