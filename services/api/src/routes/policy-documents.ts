import { z } from "zod";
import { LiaowangError } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody, TransitionResult } from "../api-schemas.js";
import { principal, requirePermission } from "../http.js";
import { alertView } from "../views/alerts.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 503: ErrorBody };

/** POST /api/v1/policy-documents body. */
export const PolicyDocumentRequest = z
  .object({
    title: z.string().trim().min(1).max(500).describe("the document's title"),
    docNumber: z.string().trim().min(1).max(100).optional().describe("文号, e.g. 某政发〔2026〕12号"),
    url: z.url({ protocol: /^https?$/ }).optional(),
    publishedAt: z.iso.datetime({ offset: true }).describe("when the document was published"),
    department: z.string().min(1).max(100).describe("the department responsible for the interpretation"),
  })
  .meta({ id: "PolicyDocumentRequest" });

/** Registering a major policy document starts its 3-working-day interpretation clock (an alert like any other). */
export function registerPolicyRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());
  app.post(
    "/api/v1/policy-documents",
    {
      onRequest: requirePermission(deps.users, "alerts:transition"),
      schema: {
        tags: ["operations"],
        summary:
          "Register a major policy document: opens an alert whose policy_interpretation clock is due at 24:00 of the third working day after publication (public holidays and 调休 per the official calendar), with the usual reminders; audited with the signed-in user",
        body: PolicyDocumentRequest,
        response: { 201: TransitionResult, ...errors },
      },
    },
    async (request, reply) => {
      const { user, scope } = principal(request);
      const body = request.body;
      if (scope.kind === "department" && body.department !== scope.department) {
        throw new LiaowangError("forbidden", `department heads register policy documents of their own department (${scope.department}) only, not ${body.department}`);
      }
      const alert = await deps.alerter.registerPolicyDocument({ ...body, registeredBy: user.id });
      request.log.info({ alertId: alert.id, actor: user.id, department: body.department }, "policy document registered");
      const now = clock().getTime();
      return reply.code(201).send({ now: new Date(now).toISOString(), alert: alertView(alert, now) });
    },
  );
}
