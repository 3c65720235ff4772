import type { FastifyReply } from "fastify";
import { LiaowangError } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { AlertBody, AlertsBody, DeliveriesBody, Delivery, AlertsQuery, ErrorBody, IdParams, parseStates, TransitionRequest, TransitionResult } from "../api-schemas.js";
import { alertActionable, alertVisible, type Scope } from "../auth/roles.js";
import { principal, requirePermission, sendJsonText, serializeAsBuilt } from "../http.js";
import { alertTimeView, alertView, alertViewJson, compareUrgency } from "../views/alerts.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

function outOfScope(alertId: string, scope: Scope & { kind: "department" }, what: string): LiaowangError {
  return new LiaowangError("forbidden", `alert ${alertId} is not ${what} department ${scope.department}; department heads ${what === "routed to" ? "see their own department's alerts (and those of departments below it)" : "act on their own department's alerts"} only`);
}

/** Alerts with live clocks, and their lifecycle transitions (applied by the alerter). */
export function registerAlertRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());

  app.get(
    "/api/v1/alerts",
    {
      onRequest: requirePermission(deps.users, "alerts:read"),
      serializerCompiler: serializeAsBuilt,
      schema: {
        tags: ["alerts"],
        summary: "Alerts, most urgent deadline first (overdue first), with each clock's remaining time; live alerts unless state is given",
        querystring: AlertsQuery,
        response: { 200: AlertsBody, ...errors },
      },
    },
    async (request, reply) => {
      const { scope } = principal(request);
      const q = request.query;
      const states = parseStates(q.state);
      if (scope.kind === "department" && q.department !== undefined && !scope.departments.includes(q.department)) throw outOfScope(`list of ${q.department}`, scope, "routed to");
      const department = scope.kind === "department" ? (q.department ?? scope.departments) : q.department;
      const { alerts, total } = await deps.store.listAlerts({ states, live: states === undefined, department, level: q.level, limit: Math.min(q.limit, deps.maxLiveAlerts) });
      const now = clock().getTime();
      let rows = alerts.filter((a) => alertVisible(scope, a)).map((alert) => {
        const time = alertTimeView(alert, now);
        return { alert, time, order: { id: alert.id, level: alert.level, raisedAt: alert.raisedAt, nextDeadline: time.nextDeadline } };
      });
      if (q.overdue === "true") rows = rows.filter((r) => r.time.overdue);
      if (q.overdue === "false") rows = rows.filter((r) => !r.time.overdue);
      rows.sort((a, b) => compareUrgency(a.order, b.order));
      // Built as JSON text (the same body as the schema's, see alertViewJson): each alert's fixed fields are serialised
      // once per stored version, only its clocks per request.
      const body = `{"now":${JSON.stringify(new Date(now).toISOString())},"total":${q.overdue === undefined ? total : rows.length},"alerts":[${rows.map((r) => alertViewJson(r.alert, r.time)).join(",")}]}`;
      return sendJsonText(reply as FastifyReply, body);
    },
  );

  app.get(
    "/api/v1/alerts/:id",
    {
      onRequest: requirePermission(deps.users, "alerts:read"),
      schema: { tags: ["alerts"], summary: "One alert with its clocks, audit trail and incident", params: IdParams, response: { 200: AlertBody, 404: ErrorBody, ...errors } },
    },
    async (request) => {
      const { scope } = principal(request);
      const alert = await deps.store.getAlert(request.params.id);
      if (!alert) throw new LiaowangError("not_found", `alert ${request.params.id} does not exist`);
      if (scope.kind === "department" && !alertVisible(scope, alert)) throw outOfScope(alert.id, scope, "routed to");
      const [audit, incident] = await Promise.all([deps.store.auditOf(alert), deps.store.getIncident(alert.incidentId).catch(() => undefined)]);
      const now = clock().getTime();
      return { now: new Date(now).toISOString(), alert: alertView(alert, now), audit, incident: incident ?? null };
    },
  );

  app.get(
    "/api/v1/alerts/:id/deliveries",
    {
      onRequest: requirePermission(deps.users, "alerts:read"),
      schema: { tags: ["alerts"], summary: "Delivery status of the alert's notifications per channel and target", params: IdParams, response: { 200: DeliveriesBody, 404: ErrorBody, ...errors } },
    },
    async (request) => {
      const { scope } = principal(request);
      const alert = await deps.store.getAlert(request.params.id);
      if (!alert) throw new LiaowangError("not_found", `alert ${request.params.id} does not exist`);
      if (scope.kind === "department" && !alertVisible(scope, alert)) throw outOfScope(alert.id, scope, "routed to");
      const parsed = Delivery.array().safeParse(await deps.alerter.deliveries(alert.id));
      if (!parsed.success) throw new LiaowangError("internal", `the alerter answered alert ${alert.id}'s delivery status with an unexpected body`);
      return { alertId: alert.id, deliveries: parsed.data };
    },
  );

  app.post(
    "/api/v1/alerts/:id/transitions",
    {
      onRequest: requirePermission(deps.users, "alerts:transition"),
      schema: {
        tags: ["alerts"],
        summary: "Acknowledge, start handling, record the response (link + time), close, dismiss (reason), re-raise, record a milestone or correct the onset; audited with the signed-in user as actor",
        params: IdParams,
        body: TransitionRequest,
        response: { 200: TransitionResult, 404: ErrorBody, 409: ErrorBody, ...errors },
      },
    },
    async (request) => {
      const { user, scope } = principal(request);
      const id = request.params.id;
      const current = await deps.store.getAlert(id);
      if (!current) throw new LiaowangError("not_found", `alert ${id} does not exist`);
      if (scope.kind === "department" && !alertActionable(scope, current)) throw outOfScope(id, scope, "the responsibility of");
      // The department held to the clocks does not move what they count from: the press office's duty officers do.
      if (scope.kind === "department" && request.body.action === "correct_onset") throw new LiaowangError("forbidden", `department heads may not correct the onset of alert ${id}: its clocks measure their own department; ask the duty officer`);
      const alert = await deps.alerter.transition(id, { ...request.body, actor: user.id });
      const now = clock().getTime();
      request.log.info({ alertId: id, action: request.body.action, actor: user.id, state: alert.state }, "transition applied");
      return { now: new Date(now).toISOString(), alert: alertView(alert, now) };
    },
  );
}
