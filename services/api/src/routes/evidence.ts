import { createHash } from "node:crypto";
import { z } from "zod";
import yazl from "yazl";
import { alertIdFor } from "@liaowang/alerting";
import { describeError, LiaowangError, unavailable } from "@liaowang/errors";
import { EvidenceRecord, evidenceIndex, type Incident } from "@liaowang/schemas";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody, IdParams } from "../api-schemas.js";
import { alertVisible } from "../auth/roles.js";
import { principal, requirePermission } from "../http.js";
import { assertPostReachable } from "../auth/document-access.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };

/** An evidence record as listed: everything but the original bytes (downloaded separately). */
export const EvidenceView = EvidenceRecord.omit({ body: true });
export type EvidenceView = z.infer<typeof EvidenceView>;
const EvidenceListBody = z.object({ incidentId: z.string(), posts: z.array(EvidenceView) });

async function es<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw unavailable(`Elasticsearch ${what} failed: ${describeError(error)}`, error);
  }
}

/** Evidence records of posts (with or without their bytes). */
export async function evidenceOf(deps: Pick<ApiDeps, "es" | "indexPrefix">, query: { incidentId?: string; docId?: string }, withBody = false): Promise<EvidenceRecord[]> {
  const res = await es("evidence search", () =>
    deps.es.search<unknown>(
      {
        index: evidenceIndex(deps.indexPrefix),
        size: 1_000,
        query: query.incidentId ? { term: { incidentIds: query.incidentId } } : { ids: { values: [query.docId ?? ""] } },
        sort: [{ firstSeenAt: { order: "asc" } }, { docId: { order: "asc" } }],
        ...(withBody ? {} : { _source_excludes: ["body"] }),
      },
      { ignore: [404] },
    ),
  );
  return (res.hits?.hits ?? []).flatMap((h) => {
    const parsed = EvidenceRecord.safeParse({ body: null, ...(h._source as object) });
    return parsed.success ? [parsed.data] : [];
  });
}

/** The incident, if the user may see it (department heads: their department's and those below it). */
async function visibleIncident(deps: ApiDeps, request: Parameters<typeof principal>[0], id: string): Promise<Incident> {
  const { scope } = principal(request);
  const [incident, alert] = await Promise.all([deps.store.getIncident(id), deps.store.getAlert(alertIdFor(id))]);
  if (!incident) throw new LiaowangError("not_found", `incident ${id} does not exist`);
  if (scope.kind === "department" && !(alert && alertVisible(scope, alert))) throw new LiaowangError("forbidden", `incident ${id} is not routed to department ${scope.department}`);
  return incident;
}

const EXTENSIONS: Record<string, string> = { "text/html": "html", "application/json": "json", "text/plain": "txt", "application/xml": "xml", "text/xml": "xml", "image/jpeg": "jpg", "image/png": "png" };
const extension = (contentType: string | null) => EXTENSIONS[(contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? ""] ?? "bin";

/**
 * The evidence package of an incident as a zip: every kept original as received, the ingested texts, a manifest
 * (URLs, capture times, SHA-256, deletion state, re-checks), the incident timeline, and SHA256SUMS to verify with
 * `sha256sum -c`.
 */
export function evidenceZip(incident: Incident, records: readonly EvidenceRecord[], exportedAt: string, exportedBy: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const sums: string[] = [];
  const mtime = new Date(exportedAt);
  const add = (name: string, content: Buffer) => {
    zip.addBuffer(content, name, { mtime });
    sums.push(`${createHash("sha256").update(content).digest("hex")}  ${name}`);
  };
  const manifest = {
    incident: { id: incident.id, title: incident.title, onsetAt: incident.onsetAt, level: incident.level, status: incident.status },
    exportedAt,
    exportedBy,
    posts: records.map(({ body, ingested, ...r }) => ({
      ...r,
      original: body === null ? null : `originals/${r.docId}.${extension(r.contentType)}`,
      ingestedText: ingested === null ? null : `texts/${r.docId}.json`,
      ingestedSha256: ingested?.sha256 ?? null,
    })),
  };
  for (const r of records) {
    if (r.body !== null) add(`originals/${r.docId}.${extension(r.contentType)}`, Buffer.from(r.body, "base64"));
    if (r.ingested !== null) {
      const { sha256: _s, ...text } = r.ingested;
      add(`texts/${r.docId}.json`, Buffer.from(JSON.stringify(text), "utf8"));
    }
  }
  add("timeline.json", Buffer.from(JSON.stringify(incident.timeline, null, 2), "utf8"));
  add("manifest.json", Buffer.from(JSON.stringify(manifest, null, 2), "utf8"));
  const readme = [
    `证据包：${incident.title}（${incident.id}）`,
    `导出时间：${exportedAt}，导出人：${exportedBy}`,
    "originals/ 为抓取时收到的原始字节（未经改动），其 SHA-256 与 manifest.json 中 sha256 一致；",
    "texts/ 为系统入库时的正文；manifest.json 列出每条帖子的链接、抓取时间、哈希、是否已删除及复查记录；timeline.json 为事件时间线。",
    "校验：sha256sum -c SHA256SUMS",
    "",
  ].join("\n");
  add("README.txt", Buffer.from(readme, "utf8"));
  zip.addBuffer(Buffer.from(`${sums.join("\n")}\n`, "utf8"), "SHA256SUMS", { mtime });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

/** 证据固定: an incident's kept posts, their originals, and the evidence package. */
export function registerEvidenceRoutes(app: ApiApp, deps: ApiDeps): void {
  const clock = deps.clock ?? (() => new Date());

  app.get(
    "/api/v1/incidents/:id/evidence",
    {
      onRequest: requirePermission(deps.users, "incidents:read"),
      schema: { tags: ["incidents"], summary: "证据固定: the incident's posts as captured (URL, capture time, SHA-256, size) with deletion state (已删除, when, why) and re-checks", params: IdParams, response: { 200: EvidenceListBody, ...errors } },
    },
    async (request) => {
      const incident = await visibleIncident(deps, request, request.params.id);
      return { incidentId: incident.id, posts: await evidenceOf(deps, { incidentId: incident.id }) };
    },
  );

  app.get(
    "/api/v1/incidents/:id/evidence.zip",
    {
      onRequest: requirePermission(deps.users, "incidents:read"),
      schema: { tags: ["incidents"], summary: "The incident's evidence package (originals, texts, manifest with hashes and capture times, timeline, SHA256SUMS) as a zip", params: IdParams, response: { 200: z.any().describe("application/zip"), ...errors } },
    },
    async (request, reply) => {
      const incident = await visibleIncident(deps, request, request.params.id);
      const records = await evidenceOf(deps, { incidentId: incident.id }, true);
      const now = clock().toISOString();
      const zip = await evidenceZip(incident, records, now, principal(request).user.id);
      return reply
        .type("application/zip")
        .header("content-disposition", `attachment; filename="evidence-${incident.id}.zip"; filename*=UTF-8''${encodeURIComponent(`证据包-${incident.id}-${now.slice(0, 10)}.zip`)}`)
        .send(zip);
    },
  );

  app.get(
    "/api/v1/evidence/:id/original",
    {
      onRequest: requirePermission(deps.users, "documents:read"),
      schema: { tags: ["documents"], summary: "A kept post's original bytes as received (a download, never rendered here), with its SHA-256 in a header", params: IdParams, response: { 200: z.any().describe("the bytes as received"), ...errors } },
    },
    async (request, reply) => {
      const [record] = await evidenceOf(deps, { docId: request.params.id }, true);
      await assertPostReachable(deps, principal(request).scope, request.params.id, record?.incidentIds ?? []);
      if (!record || record.body === null) throw new LiaowangError("not_found", `no original kept for post ${request.params.id}`);
      // Served as an attachment of an opaque type: captured pages are untrusted HTML and must not run on our origin.
      return reply
        .type("application/octet-stream")
        .header("content-disposition", `attachment; filename="${record.docId}.${extension(record.contentType)}"`)
        .header("x-liaowang-sha256", record.sha256 ?? "")
        .header("x-liaowang-captured-at", record.capturedAt ?? "")
        .send(Buffer.from(record.body, "base64"));
    },
  );
}
