import { documentsAlias } from "@liaowang/es";
import { describeError, LiaowangError, unavailable } from "@liaowang/errors";
import type { ApiDeps } from "../app.js";
import { scopeFilter } from "../brief/source.js";
import { incidentsIndex } from "../store/read-store.js";
import type { Scope } from "./roles.js";

type Deps = Pick<ApiDeps, "es" | "indexPrefix" | "store" | "departments">;

// Where an incident names a post: 首发, representative posts, statements (辟谣/通报), the refutation and the timeline.
const NAMING_FIELDS = ["firstSource.docId", "representativeDocs.docId", "statements.docId", "refutedBy.docId", "timeline.docId"];

async function es<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw unavailable(`Elasticsearch ${what} failed: ${describeError(error)}`, error);
  }
}

function names(incident: Record<string, unknown>, docId: string): boolean {
  const post = (p: unknown) => (p as { docId?: unknown } | undefined)?.docId === docId;
  const list = (v: unknown) => (Array.isArray(v) ? v.some(post) : false);
  return post(incident.firstSource) || post(incident.refutedBy) || list(incident.representativeDocs) || list(incident.statements) || list(incident.timeline);
}

/**
 * Refuse (403) a department head a post outside their department: they read a post only when an incident routed
 * to their department (or one below it; responsible or co-notified) names it or holds it as evidence, or when it
 * falls within the brief of one of those departments (its topics, else its jurisdiction). Everyone else with
 * documents:read reads every post. The same answer whether or not the post exists, so a head learns nothing of
 * other departments' posts.
 */
export async function assertPostReachable(deps: Deps, scope: Scope, docId: string, evidenceIncidents: readonly string[]): Promise<void> {
  if (scope.kind === "all") return;
  const refuse = () => new LiaowangError("forbidden", `post ${docId} is not among the posts of department ${scope.kind === "department" ? scope.department : "?"}'s incidents or daily brief; department heads open only those`);
  if (scope.kind === "none") throw refuse();
  const incidents = new Set((await deps.store.alertRefsOfDepartment(scope.departments)).map((r) => r.incidentId));
  if (evidenceIncidents.some((id) => incidents.has(id))) return;
  if (incidents.size > 0) {
    const res = await es("incident lookup", () =>
      deps.es.mget<Record<string, unknown>>({ index: incidentsIndex(deps.indexPrefix), ids: [...incidents], _source_includes: NAMING_FIELDS }, { ignore: [404] }),
    );
    if ((res.docs ?? []).some((d) => "_source" in d && d._source !== undefined && names(d._source, docId))) return;
  }
  for (const id of scope.departments) {
    const dept = deps.departments?.departments.find((d) => d.id === id);
    if (!dept) continue;
    const filter = scopeFilter({ topics: dept.topics, regions: dept.jurisdiction });
    const found = await es("document lookup", () =>
      deps.es.count({ index: documentsAlias(deps.indexPrefix), ignore_unavailable: true, allow_no_indices: true, query: { bool: { filter: [{ ids: { values: [docId] } }, ...filter] } } }),
    );
    if (found.count > 0) return;
  }
  throw refuse();
}
