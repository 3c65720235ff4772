import { z } from "zod";
import { describeError, LiaowangError, unavailable } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody } from "../api-schemas.js";
import { principal, requirePermission } from "../http.js";
import { MAX_SAVED_PER_USER, SavedSearch, SavedSearchStore, SearchFilters } from "../store/saved-searches.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

async function es<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof LiaowangError) throw error;
    throw unavailable(`Elasticsearch (saved searches) failed: ${describeError(error)}`, error);
  }
}

/** Saved searches per user: the search page's filters under a name, to run again with one click. */
export function registerSavedSearchRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());
  const store = new SavedSearchStore(deps.es, deps.indexPrefix);
  const guard = requirePermission(deps.users, "documents:search");

  app.get(
    "/api/v1/saved-searches",
    { onRequest: guard, schema: { tags: ["documents"], summary: "The signed-in user's saved searches, newest first", response: { 200: z.object({ searches: z.array(SavedSearch) }), ...errors } } },
    async (request) => ({ searches: await es(() => store.list(principal(request).user.id)) }),
  );

  app.post(
    "/api/v1/saved-searches",
    {
      onRequest: guard,
      schema: {
        tags: ["documents"],
        summary: "Save the search page's filters under a name (the same name again replaces it)",
        body: z.object({ name: z.string().trim().min(1).max(100), filters: SearchFilters }),
        response: { 201: SavedSearch, ...errors },
      },
    },
    async (request, reply) => {
      const { user } = principal(request);
      const { name, filters } = request.body;
      if (!filters.q && !filters.source && !filters.region && !filters.topic && !filters.sentiment && !filters.scope) throw new LiaowangError("invalid_input", "a saved search needs words or at least one of source, region, topic, sentiment, scope");
      const id = SavedSearchStore.idOf(user.id, name);
      if (!(await es(() => store.exists(id))) && (await es(() => store.count(user.id))) >= MAX_SAVED_PER_USER) {
        throw new LiaowangError("invalid_input", `at most ${MAX_SAVED_PER_USER} saved searches per user: delete one first`);
      }
      const saved = { id, userId: user.id, name, filters, createdAt: clock().toISOString() };
      await es(() => store.save(saved));
      return reply.code(201).send(saved);
    },
  );

  app.delete(
    "/api/v1/saved-searches/:id",
    { onRequest: guard, schema: { tags: ["documents"], summary: "Delete one of the signed-in user's saved searches", params: z.object({ id: z.string().min(1).max(200) }), response: { 200: z.object({ deleted: z.literal(true) }), 404: ErrorBody, ...errors } } },
    async (request) => {
      const { user } = principal(request);
      if (!(await es(() => store.remove(user.id, request.params.id)))) throw new LiaowangError("not_found", `no saved search ${request.params.id} of user ${user.id}`);
      return { deleted: true as const };
    },
  );
}
