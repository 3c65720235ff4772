import { z } from "zod";
import { briefPeriod, composeBrief, zonedDate, type Brief } from "@liaowang/alerting";
import { documentsAlias } from "@liaowang/es";
import { describeError, LiaowangError, unavailable } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody, IdParams } from "../api-schemas.js";
import { linkBrief } from "../brief/links.js";
import { renderBriefPdf } from "../brief/pdf.js";
import { BriefBody, BriefQuery, DocumentBody } from "../brief/schemas.js";
import { readAuditPin, readBriefInput } from "../brief/source.js";
import { principal, requirePermission } from "../http.js";
import { evidenceOf } from "./evidence.js";
import { assertPostReachable } from "../auth/document-access.js";
import type { Scope } from "../auth/roles.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

/** Settings of the daily brief: its time zone, the dashboard address links in PDFs and emails point to, the CJK font. */
export interface BriefSettings {
  timeZone: string;
  publicUrl: string;
  fontPath: string | undefined;
}

/**
 * Compose the brief of a day for the office or a department, from Elasticsearch. Shared by the routes and the
 * scheduled email.
 */
export async function buildBrief(deps: Pick<ApiDeps, "es" | "indexPrefix" | "departments" | "log">, settings: Pick<BriefSettings, "timeZone">, request: { date: string; department?: string | undefined }, now: Date): Promise<Brief> {
  const dept = request.department ? deps.departments?.departments.find((d) => d.id === request.department) : undefined;
  if (request.department && !dept) throw new LiaowangError("not_found", `department ${request.department} does not exist`);
  const [input, audit] = await Promise.all([
    readBriefInput(deps.es, deps.indexPrefix, { period: briefPeriod(request.date, settings.timeZone), department: dept?.id, documents: dept ? { topics: dept.topics, regions: dept.jurisdiction } : undefined }, deps.log),
    readAuditPin(deps.es, deps.indexPrefix, deps.log),
  ]);
  return composeBrief({ ...input, audit }, { date: request.date, timeZone: settings.timeZone, department: dept ? { id: dept.id, name: dept.name } : undefined }, now);
}

function departmentOf(scope: Scope, asked: string | undefined): string | undefined {
  if (scope.kind !== "department") return asked;
  if (asked && !scope.departments.includes(asked)) throw new LiaowangError("forbidden", `department heads read the brief of their own department (${scope.department}) and the departments below it only, not ${asked}'s`);
  return asked ?? scope.department;
}

/** 舆情日报 (JSON for the page, PDF) and the stored documents its lines link to. */
export function registerBriefRoutes(app: ApiApp, deps: ApiDeps, settings: BriefSettings): void {
  const clock = deps.clock ?? (() => new Date());

  app.get(
    "/api/v1/brief",
    {
      onRequest: requirePermission(deps.users, "brief:read"),
      schema: { tags: ["brief"], summary: "舆情日报 of a day: incidents by level, deadlines met and missed, topics and hot words with trend, negative posts; every line with the alerts, documents or search it rests on", querystring: BriefQuery, response: { 200: BriefBody, 404: ErrorBody, ...errors } },
    },
    async (request) => {
      const now = clock();
      const department = departmentOf(principal(request).scope, request.query.department);
      const brief = await buildBrief(deps, settings, { date: request.query.date ?? zonedDate(now, settings.timeZone), department }, now);
      return { now: now.toISOString(), brief: linkBrief(brief) };
    },
  );

  app.get(
    "/api/v1/brief/pdf",
    {
      onRequest: requirePermission(deps.users, "brief:read"),
      schema: { tags: ["brief"], summary: "The same brief as a PDF (A4, Chinese font embedded, every line linked to the dashboard)", querystring: BriefQuery, response: { 200: z.any().describe("application/pdf"), 404: ErrorBody, ...errors } },
    },
    async (request, reply) => {
      const now = clock();
      const department = departmentOf(principal(request).scope, request.query.department);
      const brief = await buildBrief(deps, settings, { date: request.query.date ?? zonedDate(now, settings.timeZone), department }, now);
      const pdf = await renderBriefPdf(linkBrief(brief, settings.publicUrl), { fontPath: settings.fontPath });
      const name = `舆情日报-${brief.department?.name ?? "全市"}-${brief.date}.pdf`;
      return reply
        .type("application/pdf")
        .header("content-disposition", `attachment; filename="liaowang-brief-${brief.date}.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(pdf);
    },
  );

  app.get(
    "/api/v1/documents/:id",
    {
      onRequest: requirePermission(deps.users, "documents:read"),
      schema: { tags: ["documents"], summary: "One stored document (a post a brief or an incident links to)", params: IdParams, response: { 200: DocumentBody, 404: ErrorBody, ...errors } },
    },
    async (request) => {
      const id = request.params.id;
      const [evidence] = await evidenceOf(deps, { docId: id });
      await assertPostReachable(deps, principal(request).scope, id, evidence?.incidentIds ?? []);
      type Stored = { id: string; source: string; title?: string; text: string; url?: string; author?: string; publishedAt: string; region?: string; keywords?: { word: string }[]; topics?: { id: string }[]; sentiment?: { score: number; label: string } };
      let hit: Stored | undefined;
      try {
        const res = await deps.es.search<Stored>({ index: documentsAlias(deps.indexPrefix), ignore_unavailable: true, allow_no_indices: true, size: 1, query: { ids: { values: [id] } }, _source_excludes: ["title_seg", "text_seg", "search_terms"] });
        hit = res.hits.hits[0]?._source;
      } catch (error) {
        throw unavailable(`Elasticsearch document lookup failed: ${describeError(error)}`, error);
      }
      if (!hit && evidence) {
        // Gone from the document index (retention) but kept as evidence: shown from the evidence record.
        const text = evidence.ingested;
        return {
          document: { id, source: evidence.source ?? "", ...(evidence.title ? { title: evidence.title } : {}), text: text?.text ?? "", ...(evidence.url ? { url: evidence.url } : {}), publishedAt: text?.publishedAt ?? evidence.firstSeenAt, keywords: [], topics: [], sentiment: null },
          fromEvidence: true,
          evidence,
        };
      }
      if (!hit) throw new LiaowangError("not_found", `document ${id} is not stored (never indexed, or removed by retention)`);
      const { keywords, topics, sentiment, ...rest } = hit;
      return { document: { ...rest, keywords: (keywords ?? []).map((k) => k.word), topics: (topics ?? []).map((t) => t.id), sentiment: sentiment ?? null }, fromEvidence: false, evidence: evidence ?? null };
    },
  );
}
