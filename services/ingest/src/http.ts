import { timingSafeEqual } from "node:crypto";
import Fastify, { LogController } from "fastify";
import type { FastifyReply, FastifyRequest } from "fastify";
import { detectFormat, parseDocument, type FeedPoller, type Intake, type InputFormat } from "@liaowang/ingest";
import { describeError, isRetriable, LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";

/** Build the ingest HTTP server (routes are registered by the push, poll and demo modules). */
export function createHttpServer(options: { log: Logger; maxBodyBytes: number }) {
  const app = Fastify({
    loggerInstance: options.log.child({ module: "http" }),
    bodyLimit: options.maxBodyBytes,
    // Per-request lines would drown the log at thousands of posts a second; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // Bodies are parsed by the ingest library so every bad line/item gets its own reason.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/json", "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "text/csv", "text/plain"],
    { parseAs: "string" },
    (_request, body, done) => done(null, body),
  );
  app.get("/api/v1/health", async () => ({ status: "ok" }));
  return app;
}

/** The ingest HTTP server. */
export type HttpApp = ReturnType<typeof createHttpServer>;

/**
 * Bearer-token check in constant time per token, as an `onRequest` hook: it answers 401 before a byte of the
 * body is read, so an unauthenticated caller cannot make the service buffer megabytes. With no tokens configured
 * nothing is accepted: there is no unauthenticated mode.
 */
export function bearerGuard(tokens: readonly string[]) {
  const accepted = tokens.map((token) => Buffer.from(token));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization ?? "";
    const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7).trim() : "");
    const ok = given.length > 0 && accepted.some((token) => token.length === given.length && timingSafeEqual(token, given));
    if (!ok) {
      const message = accepted.length === 0 ? "push ingestion is not configured with any token (LIAOWANG_INGEST_TOKENS)" : "a valid bearer token is required";
      await reply.code(401).header("www-authenticate", "Bearer").send({ error: "unauthenticated", message });
    }
  };
}

/** The record format of a push body: NDJSON or CSV when the content type says so, else detected from the content. */
export function pushFormat(contentType: string | undefined, body: string): InputFormat | undefined {
  const type = (contentType ?? "").toLowerCase();
  if (/ndjson|jsonl|jsonlines/.test(type)) return "ndjson";
  if (type.startsWith("text/csv")) return "csv";
  const detected = detectFormat(body);
  return detected === "feed" ? undefined : detected;
}

/** Limits on what one push request may ask of the service, and on what its answer may grow to. */
export interface PushLimits {
  /** Most records (lines, array items, CSV rows) per request; more is refused as a whole (400). */
  maxRecords: number;
  /** Most rejections listed in the answer; `rejectedCount` always has the total. */
  maxRejections: number;
  /** Longest rejection reason, in characters (a reason quotes the offending value). */
  maxReasonChars: number;
  /**
   * Most records of accepted requests still waiting for Kafka: a request that would go over it (while others are in
   * flight) is answered 503 with Retry-After instead of queueing without bound behind a broker that is not keeping up.
   */
  maxPendingRecords: number;
}

/** Default push limits: a 2 MiB junk body answers with a few tens of KiB, never with a copy of itself. */
export const DEFAULT_PUSH_LIMITS: PushLimits = { maxRecords: 10_000, maxRejections: 100, maxReasonChars: 300, maxPendingRecords: 50_000 };

/** Seconds a client is asked to wait (Retry-After) when the service is saturated, and when Kafka failed. */
const RETRY_AFTER_OVERLOAD_S = 1;
const RETRY_AFTER_UNAVAILABLE_S = 5;

/**
 * The answer's copy of an intake report: the first `maxRejections` rejections, each reason cut to
 * `maxReasonChars`, plus the total (`rejectedCount`) and how many were left out (`rejectedOmitted`).
 */
export function boundedReport<R extends { rejected: { reason: string }[] }>(report: R, limits: Pick<PushLimits, "maxRejections" | "maxReasonChars">): R & { rejectedCount: number; rejectedOmitted: number } {
  const shown = report.rejected.slice(0, limits.maxRejections).map((r) => (r.reason.length > limits.maxReasonChars ? { ...r, reason: `${r.reason.slice(0, limits.maxReasonChars)}…` } : r));
  return { ...report, rejected: shown, rejectedCount: report.rejected.length, rejectedOmitted: report.rejected.length - shown.length };
}

/**
 * `POST /api/v1/documents`: NDJSON lines, a JSON array, a single JSON record or a CSV export (header row),
 * with a bearer token.
 * Answers 202 with accepted / duplicate counts, each rejection's line (or index) and reason, and the
 * produced ids; 400 when nothing in the body was usable; 503 with Retry-After when Kafka did not take the documents
 * or when more than `maxPendingRecords` records are already waiting for it (a real overload, not a slow client).
 */
export function registerPushRoutes(app: HttpApp, options: { intake: Pick<Intake, "accept">; tokens: readonly string[]; limits?: Partial<PushLimits> }): void {
  const limits = { ...DEFAULT_PUSH_LIMITS, ...options.limits };
  let pending = 0;
  app.post("/api/v1/documents", { onRequest: bearerGuard(options.tokens) }, async (request, reply) => {
    const body = typeof request.body === "string" ? request.body : "";
    if (body.trim() === "") return reply.code(400).send({ error: "invalid_input", message: "empty body: send NDJSON lines or a JSON array of records" });
    const format = pushFormat(request.headers["content-type"], body);
    if (format === undefined) {
      return reply.code(400).send({ error: "invalid_input", message: "expected NDJSON lines (application/x-ndjson), a JSON array of records or one JSON record (application/json)" });
    }
    try {
      const { units } = parseDocument(body, { format, fetchedAt: Date.now() });
      if (units.length > limits.maxRecords) {
        return reply.code(400).send({ error: "invalid_input", message: `the body holds ${units.length} records; send at most ${limits.maxRecords} per request` });
      }
      if (pending > 0 && pending + units.length > limits.maxPendingRecords) {
        return reply
          .code(503)
          .header("retry-after", String(RETRY_AFTER_OVERLOAD_S))
          .send({ error: "unavailable", message: `overloaded: ${pending} pushed records are still waiting for Kafka (at most ${limits.maxPendingRecords}); retry in ${RETRY_AFTER_OVERLOAD_S} s` });
      }
      pending += units.length;
      let report;
      try {
        report = await options.intake.accept(units, "api");
      } finally {
        pending -= units.length;
      }
      const usable = report.accepted + report.duplicates > 0 || report.rejected.length === 0;
      return reply.code(usable ? 202 : 400).send(boundedReport(report, limits));
    } catch (error) {
      if (error instanceof LiaowangError && error.code === "invalid_input") return reply.code(400).send({ error: error.code, message: error.message });
      request.log.error({ err: error }, "push ingestion failed");
      const retriable = isRetriable(error);
      if (retriable) void reply.header("retry-after", String(RETRY_AFTER_UNAVAILABLE_S));
      return reply.code(retriable ? 503 : 500).send({ error: retriable ? "unavailable" : "internal", message: describeError(error) });
    }
  });
}

/**
 * `GET /api/v1/sources` (each polled source and its last poll) and `POST /api/v1/sources/:name/poll` (poll one
 * source now and answer with the result), both with a bearer token: lets an admin or a test trigger a poll.
 */
export function registerPollRoutes(app: HttpApp, options: { pollers: readonly Pick<FeedPoller, "sources" | "status" | "pollSource">[]; tokens: readonly string[] }): void {
  const guard = bearerGuard(options.tokens);
  app.get("/api/v1/sources", { onRequest: guard }, async () => {
    const last = new Map(options.pollers.flatMap((p) => p.status()).map((r) => [r.source, r]));
    return {
      sources: options.pollers.flatMap((p) => p.sources).map((s) => ({ name: s.name, kind: s.kind, schedule: s.schedule, region: s.region, lastPoll: last.get(s.name) ?? null })),
    };
  });
  app.post<{ Params: { name: string } }>("/api/v1/sources/:name/poll", { onRequest: guard }, async (request, reply) => {
    const poller = options.pollers.find((p) => p.sources.some((s) => s.name === request.params.name));
    if (poller === undefined) return reply.code(404).send({ error: "not_found", message: `no enabled source named "${request.params.name}"` });
    return reply.send(await poller.pollSource(request.params.name));
  });
}
