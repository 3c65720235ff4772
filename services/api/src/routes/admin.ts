import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { DepartmentsConfig, EscalationConfig } from "@liaowang/alerting";
import type { AccountStore } from "@liaowang/auth";
import type { LiveConfigKind, LiveConfigStore, StoredConfig } from "@liaowang/es";
import { describeError, LiaowangError } from "@liaowang/errors";
import { BlockedFetchError, FeedFetcher, FeedKind, readFetched, SourceConfig } from "@liaowang/ingest";
import type { ApiApp, ApiDeps } from "../app.js";
import { ErrorBody } from "../api-schemas.js";
import { KIND_NAMES, LIVE_KINDS, notifyTargetIds, readFileLayer, validateKind, type CrossCheck } from "../admin/kinds.js";
import { zhIssues } from "../admin/zh-issues.js";
import { principal, requirePermission } from "../http.js";
import { RuleProposalStore } from "../store/rule-proposals.js";

/** What the admin screens need: the live config store, the files it starts from, and the SSRF allow list. */
export interface AdminDeps {
  store: LiveConfigStore;
  /** The config/ file of each kind (the base layer until the first stored version). */
  files: Record<LiveConfigKind, string>;
  notifyFile: string;
  /** Internal feed hosts / CIDR ranges test fetches may reach (INGEST_ALLOW_INTERNAL, as for the ingest service). */
  allowInternal: readonly string[];
  accounts?: AccountStore | undefined;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };
const Kind = z.enum(LIVE_KINDS as [LiveConfigKind, ...LiveConfigKind[]]);
const Version = z.object({ version: z.number(), updatedAt: z.string(), updatedBy: z.string(), summary: z.string() });
const ConfigBody = z.object({
  kind: Kind,
  name: z.string(),
  /** 0: the file in config/ is in force (nothing edited yet). */
  version: z.number(),
  origin: z.enum(["file", "stored"]),
  file: z.string(),
  data: z.unknown(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
  summary: z.string().optional(),
  history: z.array(Version),
});
const Saved = z.object({ kind: Kind, version: z.number(), updatedAt: z.string(), updatedBy: z.string(), summary: z.string() });
const Expected = z.number().int().min(0).optional();
const TestFetchBody = z.object({ url: z.string().min(1).max(2000), kind: FeedKind.default("rss"), charset: z.string().max(40).optional() });
const TestFetchResult = z.object({ ok: z.boolean(), message: z.string(), status: z.number().optional(), charset: z.string().optional(), items: z.number(), rejected: z.number(), titles: z.array(z.string()) });

/**
 * Admin screens' API (system administrators change, audit administrators read): feed sources, watch rules,
 * departments / contacts / routing and escalation policies. Every change is validated with the file's own schema
 * (Chinese messages naming each field), stored as a new version in Elasticsearch, audited, and applied by the
 * services watching that version (ingest, detector, alerter) without a restart.
 */
export function registerAdminRoutes(app: ApiApp, deps: ApiDeps, configured: AdminDeps | undefined): void {
  const unconfigured = (): never => {
    throw new LiaowangError("unavailable", "the admin screens' configuration store is not set up in this API");
  };
  const admin: AdminDeps = configured ?? {
    get store(): never {
      return unconfigured();
    },
    files: { "watch-rules": "", sources: "", departments: "", escalation: "" },
    notifyFile: "",
    allowInternal: [],
  };
  const read = requirePermission(deps.users, "config:read");
  const manage = requirePermission(deps.users, "config:manage");
  const check: CrossCheck = {
    roster: () => deps.ops?.roster,
    notifyTargets: () => notifyTargetIds(admin.notifyFile),
    headedDepartments: async () => {
      const token = deps.users.list().flatMap((u) => (u.department && u.roles.includes("dept_head") ? [{ user: u.id, department: u.department }] : []));
      const accounts = admin.accounts ? (await admin.accounts.list()).flatMap((a) => (a.department && a.roles.includes("dept_head") && !a.disabled ? [{ user: a.id, department: a.department }] : [])) : [];
      return [...token, ...accounts];
    },
  };

  async function effective(kind: LiveConfigKind): Promise<{ version: number; data: unknown; stored?: StoredConfig }> {
    const stored = await admin.store.current(kind);
    if (stored) return { version: stored.version, data: stored.data, stored };
    return { version: 0, data: readFileLayer(admin.files[kind]) ?? {} };
  }

  /** This replica's own copy of what it reads (departments, escalation) follows at once; other replicas follow their watch. */
  function applyHere(kind: LiveConfigKind, data: unknown): void {
    if (kind === "departments") deps.departments = DepartmentsConfig.parse(data);
    if (kind === "escalation" && deps.ops) deps.ops.escalation = EscalationConfig.parse(data);
  }

  async function save(request: FastifyRequest, kind: LiveConfigKind, data: unknown, summary: string, expectedVersion: number): Promise<z.infer<typeof Saved>> {
    const { user } = principal(request);
    request.auditDetails = { target: kind, kind, summary, expectedVersion };
    await validateKind(kind, data, check);
    const stored = await admin.store.save(kind, data, { by: user.id, summary, expectedVersion });
    request.auditDetails = { target: kind, kind, version: stored.version, summary };
    applyHere(kind, data);
    return { kind, version: stored.version, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy, summary };
  }

  app.get(
    "/api/v1/admin/config/:kind",
    { onRequest: read, schema: { tags: ["admin"], summary: "The configuration in force for a kind (watch-rules, sources, departments, escalation): stored version or the file, with its version history", params: z.object({ kind: Kind }), response: { 200: ConfigBody, ...errors } } },
    async (request) => {
      const kind = request.params.kind;
      const [current, history] = await Promise.all([effective(kind), admin.store.history(kind)]);
      const s = current.stored;
      return {
        kind,
        name: KIND_NAMES[kind],
        version: current.version,
        origin: s ? ("stored" as const) : ("file" as const),
        file: admin.files[kind],
        data: current.data,
        ...(s ? { updatedAt: s.updatedAt, updatedBy: s.updatedBy, summary: s.summary } : {}),
        history: history.map((h) => ({ version: h.version, updatedAt: h.updatedAt, updatedBy: h.updatedBy, summary: h.summary })),
      };
    },
  );

  app.put(
    "/api/v1/admin/config/:kind",
    {
      onRequest: manage,
      schema: {
        tags: ["admin"],
        summary: "Replace a whole configuration (the file's shape); validated with the file's schema, stored as a new version and applied live",
        params: z.object({ kind: Kind }),
        body: z.object({ data: z.unknown(), expectedVersion: z.number().int().min(0), summary: z.string().trim().max(200).optional() }),
        response: { 200: Saved, ...errors },
      },
    },
    async (request) => {
      const { kind } = request.params;
      return save(request, kind, request.body.data, request.body.summary || `修改${KIND_NAMES[kind]}`, request.body.expectedVersion);
    },
  );

  app.post(
    "/api/v1/admin/watch-rules",
    {
      onRequest: manage,
      schema: { tags: ["admin"], summary: "Add a watch rule, or replace the one with its id; applied by the detector within seconds", body: z.object({ rule: z.record(z.string(), z.unknown()), expectedVersion: Expected, proposal: z.string().max(100).optional().describe("the rule proposal (from a saved search) this adopts; removed once saved") }), response: { 200: Saved, ...errors } },
    },
    async (request) => {
      const current = await effective("watch-rules");
      const rules = ((current.data as { rules?: unknown[] }).rules ?? []).slice();
      const rule = request.body.rule;
      const at = rules.findIndex((r) => (r as { id?: unknown }).id === rule.id);
      if (at >= 0) rules[at] = rule;
      else rules.push(rule);
      const label = `${typeof rule.name === "string" ? rule.name : ""}（${String(rule.id ?? "")}）`;
      const proposal = request.body.proposal;
      const result = await save(request, "watch-rules", { ...(current.data as object), rules }, `${at >= 0 ? "修改" : "新增"}监测规则 ${label}${proposal ? "（采纳检索建议）" : ""}`, request.body.expectedVersion ?? current.version);
      if (proposal) await new RuleProposalStore(deps.es, deps.indexPrefix).remove(proposal);
      return result;
    },
  );

  app.delete(
    "/api/v1/admin/watch-rules/:id",
    { onRequest: manage, schema: { tags: ["admin"], summary: "Delete a watch rule", params: z.object({ id: z.string().min(1).max(100) }), response: { 200: Saved, ...errors } } },
    async (request) => {
      const current = await effective("watch-rules");
      const rules = (current.data as { rules?: { id?: unknown }[] }).rules ?? [];
      if (!rules.some((r) => r.id === request.params.id)) throw new LiaowangError("not_found", `没有编号为「${request.params.id}」的监测规则`);
      return save(request, "watch-rules", { ...(current.data as object), rules: rules.filter((r) => r.id !== request.params.id) }, `删除监测规则（${request.params.id}）`, current.version);
    },
  );

  app.post(
    "/api/v1/admin/sources",
    { onRequest: manage, schema: { tags: ["admin"], summary: "Add a feed source (polled by the ingest service from the next few seconds)", body: z.object({ source: z.record(z.string(), z.unknown()) }), response: { 200: Saved, ...errors } } },
    async (request) => {
      const current = await effective("sources");
      const sources = (current.data as { sources?: { name?: unknown }[] }).sources ?? [];
      const source = request.body.source;
      if (sources.some((s) => s.name === source.name)) throw new LiaowangError("conflict", `信源名称（name）「${String(source.name)}」已存在`);
      return save(request, "sources", { ...(current.data as object), sources: [...sources, source] }, `新增信源 ${String(source.title ?? "")}（${String(source.name ?? "")}）`, current.version);
    },
  );

  app.post(
    "/api/v1/admin/sources/:id/state",
    {
      onRequest: manage,
      schema: { tags: ["admin"], summary: "Pause (enabled: false) or resume a feed source; the ingest service stops or starts polling it within seconds", params: z.object({ id: z.string().min(1).max(100) }), body: z.object({ enabled: z.boolean() }), response: { 200: Saved, ...errors } },
    },
    async (request) => {
      const current = await effective("sources");
      const sources = (current.data as { sources?: { name?: unknown; title?: unknown }[] }).sources ?? [];
      const source = sources.find((s) => s.name === request.params.id);
      if (!source) throw new LiaowangError("not_found", `没有名为「${request.params.id}」的信源`);
      const next = sources.map((s) => (s === source ? { ...s, enabled: request.body.enabled } : s));
      return save(request, "sources", { ...(current.data as object), sources: next }, `${request.body.enabled ? "恢复" : "暂停"}信源 ${String(source.title ?? "")}（${request.params.id}）`, current.version);
    },
  );

  app.post(
    "/api/v1/admin/sources/test",
    {
      onRequest: manage,
      schema: { tags: ["admin"], summary: "Fetch a feed once through the SSRF guard (public addresses only, unless allow-listed) and say what it holds; nothing is ingested", body: TestFetchBody, response: { 200: TestFetchResult, ...errors } },
    },
    async (request) => {
      const probe = SourceConfig.safeParse({ name: "test-fetch", kind: request.body.kind, url: request.body.url, schedule: "*/5 * * * *", ...(request.body.charset ? { charset: request.body.charset } : {}) });
      if (!probe.success) throw new LiaowangError("invalid_input", zhIssues("试抓取", probe.error.issues, request.body));
      request.auditDetails = { target: probe.data.url };
      const fetcher = new FeedFetcher({ allow: admin.allowInternal, timeoutMs: 15_000, maxBytes: 10 * 1024 * 1024 });
      try {
        const fetched = await fetcher.fetch(probe.data.url);
        const { units, charset } = await readFetched(probe.data, fetched, new Date(), { maxChars: 10 * 1024 * 1024 });
        const ok = units.flatMap((u) => (u.ok ? [u.record] : []));
        const titles = ok.slice(0, 5).map((r) => (r.title ?? r.text).slice(0, 80));
        return { ok: ok.length > 0, message: ok.length > 0 ? `抓取成功：${ok.length} 条可入库${units.length > ok.length ? `，${units.length - ok.length} 条无法读取` : ""}` : "抓取成功，但没有读到可入库的条目（请检查类型是否正确）", status: fetched.status, charset, items: ok.length, rejected: units.length - ok.length, titles };
      } catch (error) {
        const blocked = error instanceof BlockedFetchError;
        return { ok: false, message: blocked ? `已拦截（防 SSRF）：${describeError(error)}。内网信源须由系统管理员加入 INGEST_ALLOW_INTERNAL` : `抓取失败：${describeError(error)}`, items: 0, rejected: 0, titles: [] };
      } finally {
        await fetcher.close();
      }
    },
  );
}
