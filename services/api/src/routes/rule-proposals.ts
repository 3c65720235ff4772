import { z } from "zod";
import { watchRuleSchema } from "@liaowang/detect";
import { LiaowangError } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody } from "../api-schemas.js";
import { zhIssues } from "../admin/zh-issues.js";
import { principal, requirePermission } from "../http.js";
import { RuleProposal, RuleProposalStore, ruleFromSearch } from "../store/rule-proposals.js";
import { SavedSearchStore } from "../store/saved-searches.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };

/**
 * 转为监测规则: an analyst (or duty officer) proposes one of their saved searches as a watch rule; a system
 * administrator sees the proposals on the watch-rules screen and adopts (POST /admin/watch-rules with `proposal`)
 * or rejects them. Configuration stays with the system administrator (三员分立).
 */
export function registerRuleProposalRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());
  const proposals = new RuleProposalStore(deps.es, deps.indexPrefix);
  const saved = new SavedSearchStore(deps.es, deps.indexPrefix);

  app.post(
    "/api/v1/saved-searches/:id/rule-proposal",
    {
      onRequest: requirePermission(deps.users, "documents:search"),
      schema: { tags: ["documents"], summary: "Propose one of the signed-in user's saved searches as a watch rule (a system administrator adopts it)", params: z.object({ id: z.string().min(1).max(200) }), response: { 201: RuleProposal, ...errors } },
    },
    async (request, reply) => {
      const { user } = principal(request);
      const search = (await saved.list(user.id)).find((s) => s.id === request.params.id);
      if (!search) throw new LiaowangError("not_found", `没有您保存的检索「${request.params.id}」`);
      const { rule, notes } = ruleFromSearch(search);
      if ((rule.must as string[]).length === 0) throw new LiaowangError("invalid_input", "该检索没有检索词（q），无法转为监测规则：规则至少要有一个词");
      const checked = watchRuleSchema.safeParse(rule);
      if (!checked.success) throw new LiaowangError("invalid_input", zhIssues("监测规则", checked.error.issues, rule));
      const proposal = { id: String(rule.id), rule, savedSearch: { id: search.id, name: search.name }, proposedBy: user.id, proposedAt: clock().toISOString(), notes };
      await proposals.save(proposal);
      request.auditDetails = { target: proposal.id, summary: `建议将检索「${search.name}」转为监测规则` };
      return reply.code(201).send(proposal);
    },
  );

  app.get(
    "/api/v1/admin/rule-proposals",
    { onRequest: requirePermission(deps.users, "config:read"), schema: { tags: ["admin"], summary: "Watch rules proposed from saved searches, newest first", response: { 200: z.object({ proposals: z.array(RuleProposal) }), ...errors } } },
    async () => ({ proposals: await proposals.list() }),
  );

  app.delete(
    "/api/v1/admin/rule-proposals/:id",
    { onRequest: requirePermission(deps.users, "config:manage"), schema: { tags: ["admin"], summary: "Reject (delete) a proposed watch rule", params: z.object({ id: z.string().min(1).max(100) }), response: { 200: z.object({ deleted: z.literal(true) }), ...errors } } },
    async (request) => {
      if (!(await proposals.remove(request.params.id))) throw new LiaowangError("not_found", `没有规则建议「${request.params.id}」`);
      request.auditDetails = { summary: `驳回规则建议（${request.params.id}）` };
      return { deleted: true as const };
    },
  );
}
