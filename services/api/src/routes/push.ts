import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Agent, request as undiciRequest } from "undici";
import { z } from "zod";
import type { AuditEntry } from "@liaowang/auth";
import { describeError, LiaowangError } from "@liaowang/errors";
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

/** Why a request's push token is refused, or undefined when it is one of `tokens` (constant time per token). */
function tokenProblem(accepted: readonly Buffer[], request: FastifyRequest): string | undefined {
  const given = Buffer.from(/^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1] ?? "", "utf8");
  if (given.length > 0 && accepted.some((t) => t.length === given.length && timingSafeEqual(t, given))) return undefined;
  return accepted.length === 0 ? "push ingestion through the API is off: give the api service LIAOWANG_INGEST_TOKENS (the same as the ingest service)" : "a valid push token is required (Authorization: Bearer <token>)";
}

/**
 * The push-token check as an `onRequest` hook, before the body is read: the API refuses a wrong token itself
 * instead of buffering up to API_PUSH_MAX_BYTES for the ingest service to refuse. Without tokens (the api
 * service was not given LIAOWANG_INGEST_TOKENS) nothing is forwarded.
 */
export function pushTokenGuard(tokens: readonly string[]) {
  const accepted = tokens.map((t) => Buffer.from(t, "utf8"));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const problem = tokenProblem(accepted, request);
    if (problem !== undefined) await sendError(reply, "unauthenticated", problem);
  };
}

/** Where push audit records go: the security audit's append (one chain, appends serialised). */
export type PushAuditLog = { append(entry: AuditEntry): Promise<{ seq: number }> };

type Outcome = "ok" | "denied" | "failed";
interface Waiting {
  outcome: "attempted" | Outcome;
  source: string;
  bytes: number;
  status?: number;
  report?: { accepted?: number; duplicates?: number; rejected?: number };
  attempt?: number;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

/**
 * The security audit of pushes, group-committed. Every push is on record before it is forwarded (an `attempted`
 * record) and its outcome before the answer leaves, as for every other change through the API; but the audit is one
 * hash chain whose appends are serialised (one Elasticsearch write after another), and two records per push made
 * the chain the push path's limit: at 1,000 posts/s in pushes of 50–250 posts, pushes queued behind each other's
 * audit writes for tens of seconds on a loaded machine. Here the pushes that arrive while a write is in flight share
 * the next record: one `attempted` record names how many pushes (and bytes) from which sources, one record per
 * outcome their counts (accepted, rejected, duplicates, HTTP statuses) and the attempts' seqs.
 */
export class PushAudit {
  private readonly waiting: Waiting[] = [];
  private writing = false;

  constructor(private readonly audit: PushAuditLog) {}

  /** Resolves with the seq of the `attempted` record covering this push once it is stored; throws when it cannot be. */
  attempt(source: string, bytes: number): Promise<number> {
    return this.enqueue({ outcome: "attempted", source, bytes });
  }

  /** Resolves once the outcome record covering this push is stored. */
  async outcome(outcome: Outcome, source: string, status: number, report: Waiting["report"], attempt: number | undefined): Promise<void> {
    await this.enqueue({ outcome, source, bytes: 0, status, ...(report ? { report } : {}), ...(attempt === undefined ? {} : { attempt }) });
  }

  private enqueue(item: Omit<Waiting, "resolve" | "reject">): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.waiting.push({ ...item, resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const round = this.waiting.splice(0);
        // Attempts first: a push's outcome can only be waiting once its attempt was stored in an earlier round.
        for (const outcome of ["attempted", "ok", "denied", "failed"] as const) {
          const items = round.filter((w) => w.outcome === outcome);
          if (items.length > 0) await this.write(outcome, items);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async write(outcome: Waiting["outcome"], items: Waiting[]): Promise<void> {
    const sources = [...new Set(items.map((w) => w.source))];
    const sum = (pick: (w: Waiting) => number | undefined) => items.reduce((n, w) => n + (pick(w) ?? 0), 0);
    const statuses: Record<string, number> = {};
    for (const w of items) if (w.status !== undefined) statuses[String(w.status)] = (statuses[String(w.status)] ?? 0) + 1;
    const details: Record<string, unknown> =
      outcome === "attempted"
        ? { pushes: items.length, bytes: sum((w) => w.bytes) }
        : {
            pushes: items.length,
            statuses,
            accepted: sum((w) => w.report?.accepted),
            duplicates: sum((w) => w.report?.duplicates),
            rejected: sum((w) => w.report?.rejected),
            attempts: [...new Set(items.flatMap((w) => (w.attempt === undefined ? [] : [w.attempt])))],
          };
    try {
      const record = await this.audit.append({ actor: outcome === "denied" ? "anonymous" : "push-token", action: "POST /api/v1/documents", outcome, source: sources.join(","), details });
      for (const w of items) w.resolve(record.seq);
    } catch (error) {
      for (const w of items) w.reject(error);
    }
  }
}

/**
 * `POST /api/v1/documents`, so the whole contract lives under one base URL: the body and the caller's push token go
 * unchanged to the ingest service, which validates the token (LIAOWANG_INGEST_TOKENS), parses and produces.
 */
export function registerPushRoute(app: ApiApp, options: { ingestUrl: string; maxBytes: number; tokens: readonly string[]; timeoutMs?: number; audit?: PushAuditLog | undefined }): void {
  const accepted = options.tokens.map((t) => Buffer.from(t, "utf8"));
  const audit = options.audit ? new PushAudit(options.audit) : undefined;
  const log = app.log;
  /** The outcome record before the answer leaves; a failing write is logged and the answer still goes (the attempt is on record). */
  const recordOutcome = async (request: FastifyRequest, status: number, report?: Waiting["report"]) => {
    if (!audit) return;
    const outcome: Outcome = status < 400 ? "ok" : status === 401 || status === 403 ? "denied" : "failed";
    await audit.outcome(outcome, request.ip, status, report, request.auditAttempt).catch((error: unknown) => log.error({ err: error, attempt: request.auditAttempt }, "security audit write of a push outcome failed"));
  };
  // undici's own request rather than the global fetch: fetch wraps the body and the answer in web streams and copies
  // the body (cloneAsUint8Array); with pushes of hundreds of KB that was most of the api's CPU per post, in GC.
  const ingest = new Agent({ keepAliveTimeout: 30_000 });
  app.addHook("onClose", async () => ingest.close());
  const target = `${options.ingestUrl}/api/v1/documents`;
  /** The body and the caller's push token to the ingest service; its answer (text and parsed), or why there was none. */
  const forward = async (request: FastifyRequest): Promise<{ kind: "answer"; status: number; body: unknown; text: string; headers: Record<string, string> } | { kind: "error"; message: string }> => {
    const headers: Record<string, string> = { "content-type": request.headers["content-type"] ?? "application/json" };
    if (request.headers.authorization) headers.authorization = request.headers.authorization;
    let status: number;
    let answerHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const res = await undiciRequest(target, {
        method: "POST",
        headers,
        body: Buffer.isBuffer(request.body) ? request.body : "",
        dispatcher: ingest,
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
      status = res.statusCode;
      answerHeaders = res.headers;
      text = await res.body.text();
    } catch (error) {
      return { kind: "error", message: `the ingest service at ${options.ingestUrl} did not answer: ${describeError(error)}` };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: "error", message: `the ingest service answered HTTP ${status} without JSON` };
    }
    const relayed: Record<string, string> = {};
    for (const name of ["www-authenticate", "retry-after"]) {
      const value = answerHeaders[name];
      if (typeof value === "string" && value) relayed[name] = value;
    }
    return { kind: "answer", status, body, text, headers: relayed };
  };
  void app.register(async (scope) => {
    // Only this scope takes raw bodies: the ingest library parses them, so every bad line gets its own reason.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(PUSH_TYPES, { parseAs: "buffer", bodyLimit: options.maxBytes }, (_request, body, done) => done(null, body));
    scope.post(
      "/api/v1/documents",
      {
        bodyLimit: options.maxBytes,
        // Audited here, group-committed (PushAudit), instead of by the per-request audit hooks.
        config: { audit: false },
        onRequest: async (request, reply) => {
          const problem = tokenProblem(accepted, request);
          if (problem === undefined) return;
          await recordOutcome(request, 401);
          await sendError(reply, "unauthenticated", problem);
        },
        schema: {
          tags: ["documents"],
          summary: "Push ingestion: NDJSON lines, a JSON array or one JSON record per the ingest contract (also CSV); authenticated with a push token (LIAOWANG_INGEST_TOKENS)",
          description: "Forwarded to the ingest service. Content types: application/x-ndjson, application/json, text/csv, text/plain.",
          response: { 202: PushReport, 400: PushReport.or(ErrorBody), 401: ErrorBody, 503: ErrorBody },
        },
      },
      async (request, reply) => {
        if (audit) {
          try {
            request.auditAttempt = await audit.attempt(request.ip, Buffer.isBuffer(request.body) ? request.body.length : 0);
          } catch (error) {
            log.error({ err: error }, "security audit write failed: push refused");
            throw new LiaowangError("unavailable", "the security audit cannot be written, so the push was not carried out; try again later");
          }
        }
        const answer = await forward(request);
        if (answer.kind === "error") {
          await recordOutcome(request, 503);
          void reply.header("retry-after", "5");
          return sendError(reply, "unavailable", answer.message);
        }
        const report = answer.body as { accepted?: unknown; duplicates?: unknown; rejected?: unknown };
        await recordOutcome(request, answer.status, {
          ...(typeof report.accepted === "number" ? { accepted: report.accepted } : {}),
          ...(typeof report.duplicates === "number" ? { duplicates: report.duplicates } : {}),
          ...(Array.isArray(report.rejected) ? { rejected: report.rejected.length } : {}),
        });
        for (const [name, value] of Object.entries(answer.headers)) void reply.header(name, value);
        // The ingest service's own answer (202 report, 400 per-line reasons, 401, 503) is the contract; relay it as sent
        // (its text: a string payload is not serialised again).
        return reply.code(answer.status as 202).type("application/json; charset=utf-8").send(answer.text);
      },
    );
  });
}
