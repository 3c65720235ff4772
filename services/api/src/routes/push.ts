import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { describeError } from "@liaowang/errors";
import type { ApiApp } from "../app.js";
import { ErrorBody } from "../api-schemas.js";
import { sendError } from "../http.js";

const PUSH_TYPES = ["application/json", "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "text/csv", "text/plain"];

const PushReport = z
  .looseObject({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.array(z.looseObject({ reason: z.string() })),
  })
  .describe("accepted / duplicate counts, each rejected line or item with its reason, and the produced ids");

/**
 * The push-token check as an `onRequest` hook, before the body is read: the API refuses a wrong token itself
 * instead of buffering up to API_PUSH_MAX_BYTES for the ingest service to refuse. Without tokens (the api
 * service was not given LIAOWANG_INGEST_TOKENS) nothing is forwarded.
 */
export function pushTokenGuard(tokens: readonly string[]) {
  const accepted = tokens.map((t) => Buffer.from(t, "utf8"));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const given = Buffer.from(/^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1] ?? "", "utf8");
    if (given.length > 0 && accepted.some((t) => t.length === given.length && timingSafeEqual(t, given))) return;
    const message = accepted.length === 0 ? "push ingestion through the API is off: give the api service LIAOWANG_INGEST_TOKENS (the same as the ingest service)" : "a valid push token is required (Authorization: Bearer <token>)";
    await sendError(reply, "unauthenticated", message);
  };
}

/**
 * `POST /api/v1/documents`, so the whole contract lives under one base URL: the body and the caller's push token go
 * unchanged to the ingest service, which validates the token (LIAOWANG_INGEST_TOKENS), parses and produces.
 */
export function registerPushRoute(app: ApiApp, options: { ingestUrl: string; maxBytes: number; tokens: readonly string[]; timeoutMs?: number }): void {
  void app.register(async (scope) => {
    // Only this scope takes raw bodies: the ingest library parses them, so every bad line gets its own reason.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(PUSH_TYPES, { parseAs: "buffer", bodyLimit: options.maxBytes }, (_request, body, done) => done(null, body));
    scope.post(
      "/api/v1/documents",
      {
        bodyLimit: options.maxBytes,
        onRequest: pushTokenGuard(options.tokens),
        schema: {
          tags: ["documents"],
          summary: "Push ingestion: NDJSON lines, a JSON array or one JSON record per the ingest contract (also CSV); authenticated with a push token (LIAOWANG_INGEST_TOKENS)",
          description: "Forwarded to the ingest service. Content types: application/x-ndjson, application/json, text/csv, text/plain.",
          response: { 202: PushReport, 400: PushReport.or(ErrorBody), 401: ErrorBody, 503: ErrorBody },
        },
      },
      async (request, reply) => {
        const headers: Record<string, string> = { "content-type": request.headers["content-type"] ?? "application/json" };
        if (request.headers.authorization) headers.authorization = request.headers.authorization;
        let res: Response;
        try {
          res = await fetch(`${options.ingestUrl}/api/v1/documents`, {
            method: "POST",
            headers,
            body: Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : "",
            signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
          });
        } catch (error) {
          void reply.header("retry-after", "5");
          return sendError(reply, "unavailable", `the ingest service at ${options.ingestUrl} did not answer: ${describeError(error)}`);
        }
        const text = await res.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          void reply.header("retry-after", "5");
          return sendError(reply, "unavailable", `the ingest service answered HTTP ${res.status} without JSON`);
        }
        for (const name of ["www-authenticate", "retry-after"]) {
          const value = res.headers.get(name);
          if (value) void reply.header(name, value);
        }
        // The ingest service's own answer (202 report, 400 per-line reasons, 401, 503) is the contract; relay it as sent.
        return reply.code(res.status as 202).serializer((payload: unknown) => JSON.stringify(payload)).type("application/json; charset=utf-8").send(body);
      },
    );
  });
}
