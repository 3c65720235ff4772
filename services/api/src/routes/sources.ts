import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody, SourcesBody } from "../api-schemas.js";
import { requirePermission } from "../http.js";
import { feedViews, sourceViews } from "../views/sources.js";

const errors = { 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

/** Feed health: which sources have gone silent, read from the detector's state. */
export function registerSourceRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());
  app.get(
    "/api/v1/sources",
    {
      onRequest: requirePermission(deps.users, "sources:read"),
      schema: {
        tags: ["sources"],
        summary:
          "Each source's last post, learned normal gap and whether the detector flagged it as gone silent (silent first), and each polled feed's last poll with how its charset was decoded (mislabelled first)",
        response: { 200: SourcesBody, ...errors },
      },
    },
    async () => {
      const now = clock();
      const [states, polls] = await Promise.all([deps.store.detectorStates(), deps.store.feedPollStatuses()]);
      const saved = states.map((s) => s.savedAt).sort((a, b) => Date.parse(b) - Date.parse(a));
      return { now: now.toISOString(), updatedAt: saved[0] ?? null, sources: sourceViews(states, now), feeds: feedViews(polls) };
    },
  );
}
