import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DepartmentsConfig } from "@liaowang/alerting";
import { registerOpsRoutes, type OpsDeps } from "./ops.js";
import { IngestRecord } from "@liaowang/schemas";
import type { Client } from "@liaowang/es";
import type { Logger } from "@liaowang/logger";
import type { AlerterClient } from "./alerter-client.js";
import type { AccountStore, AuditLog } from "@liaowang/auth";
import { auditHooks } from "./auth/audit-hook.js";
import type { SignIn } from "./auth/session-auth.js";
import type { UserDirectory } from "./auth/users.js";
import { errorHandler, sendError } from "./http.js";
import { registerAdminRoutes, type AdminDeps } from "./routes/admin.js";
import { registerAlertRoutes } from "./routes/alerts.js";
import { registerBriefRoutes, type BriefSettings } from "./routes/brief.js";
import { registerEvidenceRoutes } from "./routes/evidence.js";
import { registerDirectoryRoutes } from "./routes/directory.js";
import { registerDocumentRoutes } from "./routes/documents.js";
import { registerIncidentRoutes } from "./routes/incidents.js";
import { registerPushRoute } from "./routes/push.js";
import { registerSessionRoutes } from "./routes/session.js";
import { registerRuleProposalRoutes } from "./routes/rule-proposals.js";
import { registerSourceRoutes } from "./routes/sources.js";
import { registerUserAdminRoutes } from "./routes/users-admin.js";
import type { ReadStore } from "./store/read-store.js";

/** What the API is built from; main wires the real ones, tests the same against the test stack. */
export interface ApiDeps {
  es: Client;
  indexPrefix: string;
  store: ReadStore;
  users: UserDirectory;
  alerter: AlerterClient;
  /** Search-mode tokens of a query, from the production segmenter. */
  searchTerms: (query: string) => string[];
  departments: DepartmentsConfig | undefined;
  /** The duty roster, calendar and escalation policies (duty board, inbox); see services/api/src/ops.ts. */
  ops?: OpsDeps | undefined;
  maxLiveAlerts: number;
  /** The ingest service push ingestion is forwarded to. */
  ingest: { url: string; maxBytes: number; tokens: readonly string[] };
  log: Logger;
  clock?: () => Date;
  /** 舆情日报 settings (time zone, dashboard address for PDF links, CJK font); defaults when absent. */
  brief?: BriefSettings;
  /** Behind a reverse proxy: take the client address and protocol from X-Forwarded-* (audit, Secure cookies). */
  trustProxy?: boolean;
  /** Password sign-in, accounts and the security audit; without it only bearer tokens work and nothing is audited. */
  auth?: { signIn: SignIn; accounts: AccountStore; audit: AuditLog };
  /** The admin screens' live configuration (sources, watch rules, departments, escalation); absent: those routes answer 503. */
  admin?: AdminDeps;
}

/** Only our own scripts run; feed text is rendered escaped, and this keeps an escaping slip from becoming script. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/**
 * The push route takes raw bodies (the ingest library parses them line by line), so it has no zod body schema;
 * its request body is described here from the shared ingest contract.
 */
function describePush<D extends { paths?: unknown }>(document: D): D {
  const op = (document.paths as Record<string, Record<string, Record<string, unknown>>> | undefined)?.["/api/v1/documents"]?.post;
  if (op) {
    const record = z.toJSONSchema(IngestRecord, { io: "input", unrepresentable: "any" });
    delete record.$schema;
    op.requestBody = {
      required: true,
      content: {
        "application/x-ndjson": { schema: { type: "string", description: "one ingest record (JSON) per line" } },
        "application/json": { schema: { oneOf: [record, { type: "array", items: record }] } },
        "text/csv": { schema: { type: "string", description: "a CSV export with a header row (contract or Chinese headers such as 内容, 发布时间, 来源, 地区), UTF-8 or GB18030" } },
      },
    };
    op.security = [{ pushToken: [] }];
  }
  return document;
}

/** Where the dashboard's static files are. */
export const publicDir = join(dirname(fileURLToPath(import.meta.url)), "..", "public");

/** ECharts' browser builds, served from the installed npm package (no build step, no CDN). */
function echartsDist(): string {
  return dirname(createRequire(import.meta.url).resolve("echarts"));
}

/** The echarts-wordcloud extension's browser build (the daily brief's hot-word cloud). */
function wordCloudDist(): string {
  return join(dirname(createRequire(import.meta.url).resolve("echarts-wordcloud/package.json")), "dist");
}

/**
 * Build the API + dashboard server: REST under /api/v1 (OpenAPI at /api/v1/openapi.json), the zh-CN dashboard at /.
 * @example const app = await buildApp(deps); await app.listen({ host: "127.0.0.1", port: 8080 });
 */
export async function buildApp(deps: ApiDeps): Promise<ApiApp> {
  const app: ApiApp = Fastify({ loggerInstance: deps.log.child({ module: "http" }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 64 * 1024, trustProxy: deps.trustProxy ?? false }).withTypeProvider<ZodTypeProvider>();
  const routes: string[] = [];
  ROUTES.set(app, routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.addHook("onSend", async (_request, reply, payload) => {
    // The dashboard holds a bearer token in the browser: no framing, no sniffing, no referrer leaks.
    void reply
      .header("x-content-type-options", "nosniff")
      .header("x-frame-options", "DENY")
      .header("referrer-policy", "no-referrer")
      .header("content-security-policy", CSP);
    return payload;
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Liaowang 瞭望 API",
        version: "1.0.0",
        description:
          "Public-opinion monitoring and response alerting. Every endpoint but /api/v1/health needs `Authorization: Bearer <token>`; " +
          "roles duty_officer, dept_head (own department's alerts only), analyst, admin. Errors are `{ error, message }` with 400/401/403/404/409/503.",
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: "http", scheme: "bearer", description: "a token from config/users.yaml (stored there as sha256)" },
          pushToken: { type: "http", scheme: "bearer", description: "a push-ingestion token (LIAOWANG_INGEST_TOKENS), checked by the ingest service" },
        },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: "system", description: "health and identity" },
        { name: "documents", description: "search and trends (analysts, duty officers)" },
        { name: "incidents", description: "incidents the detector found" },
        { name: "alerts", description: "alerts, their clocks and their lifecycle" },
        { name: "directory", description: "departments and the audit log" },
        { name: "sources", description: "feed health: sources that have gone silent" },
        { name: "brief", description: "舆情日报: the daily brief as data and PDF" },
        { name: "operations", description: "duty roster, department inbox, policy documents and live alert changes" },
        { name: "admin", description: "admin screens: live configuration of sources, watch rules, departments and routing, escalation" },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => describePush(jsonSchemaTransformObject(document)),
  });

  deps.users.useDepartments(deps.departments);
  if (deps.auth) {
    const audit = auditHooks(deps.auth.audit, deps.log.child({ module: "audit" }));
    app.addHook("preHandler", audit.preHandler);
    app.addHook("onSend", audit.onSend);
    registerSessionRoutes(app, { users: deps.users, ...deps.auth, clock: deps.clock ?? (() => new Date()) });
    registerUserAdminRoutes(app, deps, deps.auth.accounts, deps.clock ?? (() => new Date()));
  }
  // Public like health: it describes the API and holds no data.
  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  registerDirectoryRoutes(app, deps);
  registerDocumentRoutes(app, deps);
  registerIncidentRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerSourceRoutes(app, deps);
  registerEvidenceRoutes(app, deps);
  registerBriefRoutes(app, deps, deps.brief ?? { timeZone: "Asia/Shanghai", publicUrl: "http://127.0.0.1:8080", fontPath: undefined });
  registerPushRoute(app, { ingestUrl: deps.ingest.url, maxBytes: deps.ingest.maxBytes, tokens: deps.ingest.tokens, audit: deps.auth?.audit });
  registerOpsRoutes(app, deps);
  registerAdminRoutes(app, deps, deps.admin);
  registerRuleProposalRoutes(app, deps);

  await app.register(fastifyStatic, { root: publicDir, prefix: "/", index: ["index.html"], cacheControl: true, maxAge: 0 });
  await app.register(fastifyStatic, { root: echartsDist(), prefix: "/vendor/echarts/", decorateReply: false, maxAge: "1d" });
  await app.register(fastifyStatic, { root: wordCloudDist(), prefix: "/vendor/echarts-wordcloud/", decorateReply: false, maxAge: "1d" });
  app.setNotFoundHandler((request, reply) => sendError(reply, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`));
  return app;
}

const ROUTES = new WeakMap<object, string[]>();

/**
 * Every route registered on an app buildApp made, as "METHOD /path" (fastify's `:param` form, HEAD included):
 * the authorisation matrix test enumerates these, so a route without a matrix entry fails it.
 */
export function registeredRoutes(app: ApiApp): readonly string[] {
  return ROUTES.get(app) ?? [];
}

/** The API server type routes register on. */
export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;
