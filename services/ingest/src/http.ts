import { timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { fromItems, fromLines, parseJsonArray, parseNdjson, type Intake, type ParsedUnit } from "@liaowang/ingest";
import { describeError, isRetriable } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";

export interface PushOptions {
  intake: Intake;
  tokens: string[];
  maxBodyBytes: number;
  log: Logger;
}

function tokenMatches(given: string, tokens: string[]): boolean {
  const a = Buffer.from(given);
  return tokens.some((token) => {
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  });
}

/** Split a push body into units: NDJSON by content type, else a JSON array or a single JSON object. */
export function parseBody(contentType: string, body: string): ParsedUnit[] {
  if (contentType.includes("ndjson") || contentType.includes("jsonl")) return fromLines(parseNdjson(body));
  const trimmed = body.trimStart();
  if (trimmed.startsWith("[")) return fromItems(parseJsonArray(body), "index");
  return fromItems(parseJsonArray(`[${body}]`), "index");
}

/**
 * The push-ingestion HTTP server: `POST /api/v1/documents` (NDJSON or JSON array/object, bearer token) and
 * `GET /api/v1/health`. Answers 202 with accepted / rejected counts and each rejection's reason.
 */
export function createPushServer(options: PushOptions): FastifyInstance {
  const app = Fastify({ loggerInstance: options.log.child({ module: "http" }), bodyLimit: options.maxBodyBytes, disableRequestLogging: true });
  // Bodies are parsed by the ingest library so every bad line/item gets its own reason.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(["application/json", "application/x-ndjson", "application/ndjson", "application/jsonl", "text/plain"], { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.get("/api/v1/health", async () => ({ status: "ok" }));

  app.post("/api/v1/documents", async (request, reply) => {
    const header = request.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    if (!token || !tokenMatches(token, options.tokens)) {
      return reply.code(401).header("www-authenticate", "Bearer").send({ error: "unauthenticated", message: "a valid bearer token is required" });
    }
    const body = typeof request.body === "string" ? request.body : "";
    if (body.trim() === "") return reply.code(400).send({ error: "invalid_input", message: "empty body: send NDJSON lines or a JSON array of records" });
    const units = parseBody(request.headers["content-type"] ?? "application/json", body);
    try {
      const report = await options.intake.accept(units, "api");
      return reply.code(report.accepted + report.duplicates > 0 || report.rejected.length === 0 ? 202 : 400).send(report);
    } catch (error) {
      request.log.error({ err: error }, "push ingestion failed");
      const retriable = isRetriable(error);
      return reply.code(retriable ? 503 : 500).send({ error: retriable ? "unavailable" : "internal", message: describeError(error) });
    }
  });
  return app;
}
