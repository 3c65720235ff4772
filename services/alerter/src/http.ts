import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { accountability, type AlertCommand, type AlertingConfig } from "@liaowang/alerting";
import { describeError, LiaowangError, type ErrorCode } from "@liaowang/errors";
import type { AuditLog } from "@liaowang/auth";
import type { Logger } from "@liaowang/logger";
import { deliveryStatus, type OutboxStore } from "@liaowang/notify";
import { handleAck, redactAckPath } from "./ack.js";
import type { Alerter } from "./alerter.js";
import type { AlertStore } from "./store/alerts.js";

/** What the HTTP endpoints use. */
export interface HttpDeps {
  alerter: Alerter;
  store: AlertStore;
  outbox: OutboxStore;
  alerting: AlertingConfig;
  ackSecrets: string[];
  apiToken: string;
  log: Logger;
  securityAudit?: Pick<AuditLog, "append">;
  clock?: () => Date;
}

const actor = z.string().trim().min(1).max(200);
const note = z.string().max(2_000).optional();

/** POST /alerts/<id>/transition body: the action and its fields. */
export const TransitionBody = z.discriminatedUnion("action", [
  z.object({ action: z.literal("acknowledge"), actor, note }),
  z.object({ action: z.literal("start_handling"), actor, note }),
  z.object({ action: z.literal("respond"), actor, note, link: z.url().optional(), publishedAt: z.iso.datetime({ offset: true }).optional() }),
  z.object({ action: z.literal("close"), actor, note }),
  z.object({ action: z.literal("dismiss"), actor, reason: z.string().trim().min(1).max(2_000) }),
  z.object({ action: z.literal("reraise"), actor, note }),
  z.object({ action: z.literal("record_milestone"), actor, kind: z.enum(["info_published", "press_conference"]), at: z.iso.datetime({ offset: true }), link: z.url().optional(), note }),
  z.object({ action: z.literal("correct_onset"), actor, onsetAt: z.iso.datetime({ offset: true }), reason: z.string().trim().min(1).max(2_000) }),
]);

/** POST /policy-documents body: a major policy document whose interpretation clock starts now. */
export const PolicyDocumentBody = z.object({
  title: z.string().trim().min(1).max(500),
  docNumber: z.string().trim().min(1).max(100).optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
  publishedAt: z.iso.datetime({ offset: true }),
  department: z.string().min(1).max(100),
  registeredBy: actor,
});

function toCommand(body: z.output<typeof TransitionBody>): AlertCommand {
  const { action, ...rest } = body;
  return { type: action, ...rest } as AlertCommand;
}

const STATUS: Record<ErrorCode, number> = { invalid_input: 400, not_found: 404, conflict: 409, unauthenticated: 401, forbidden: 403, unavailable: 503, internal: 500 };

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new LiaowangError("invalid_input", `request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new LiaowangError("invalid_input", `request body is not JSON: ${describeError(error)}`);
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "", "utf8");
  const expected = Buffer.from(token, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The alerter's HTTP endpoints:
 * - `GET /ack/<token>`: what confirming a signed acknowledge link does (a page, changes nothing);
 *   `POST /ack/<token>`: its button, which acknowledges (see `handleAck`).
 * - `POST /alerts/<id>/transition` (Bearer token): lifecycle transitions with actor, note or reason.
 * - `GET /alerts/<id>` (Bearer): the alert, its audit trail and delivery status per target.
 * - `GET /accountability?from=&to=` (Bearer): per-department accountability for a period.
 * - `POST /policy-documents` (Bearer): register a major policy document, starting its 3-working-day clock.
 * - `GET /healthz`.
 */
export function createHttpServer(deps: HttpDeps): Server {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log;
  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const code = error instanceof LiaowangError ? error.code : "internal";
      if (code === "internal" || code === "unavailable") log.error({ err: error, path: redactAckPath(req.url) }, "request failed");
      if (!res.headersSent) send(res, STATUS[code], { error: { code, message: describeError(error) } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://alerter");
    const parts = url.pathname.split("/").filter(Boolean);
    if (req.method === "GET" && url.pathname === "/healthz") return send(res, 200, { ok: true });

    if (parts[0] === "ack" && parts.length === 2) return handleAck(req, res, decodeURIComponent(parts[1] as string), { ...deps, clock });

    if (!authorized(req, deps.apiToken)) return send(res, 401, { error: { code: "unauthenticated", message: "missing or wrong bearer token" } });

    if (parts[0] === "alerts" && parts.length === 3 && parts[2] === "transition" && req.method === "POST") {
      const parsed = TransitionBody.safeParse(await readJson(req));
      if (!parsed.success) throw new LiaowangError("invalid_input", parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "));
      const alert = await deps.alerter.transition(decodeURIComponent(parts[1] as string), toCommand(parsed.data));
      return send(res, 200, { alert });
    }
    if (parts[0] === "policy-documents" && parts.length === 1 && req.method === "POST") {
      const parsed = PolicyDocumentBody.safeParse(await readJson(req));
      if (!parsed.success) throw new LiaowangError("invalid_input", parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; "));
      const alert = await deps.alerter.registerPolicyDocument(parsed.data);
      return send(res, 201, { alert });
    }
    if (parts[0] === "alerts" && parts.length === 2 && req.method === "GET") {
      const id = decodeURIComponent(parts[1] as string);
      const stored = await deps.store.get(id);
      if (!stored) throw new LiaowangError("not_found", `alert ${id} does not exist`);
      const [storedAudit, delivery] = await Promise.all([deps.store.auditOf(id, stored.value.seq), deliveryStatus(deps.outbox, id)]);
      // Events still queued on the alert (written to the audit index by the next sync) belong to its trail already:
      // an officer who acknowledges and opens the alert at once must see the acknowledgement.
      const seen = new Set(storedAudit.map((e) => e.seq));
      const audit = [...storedAudit, ...stored.value.pendingEvents.filter((e) => !seen.has(e.seq))].sort((a, b) => a.seq - b.seq);
      return send(res, 200, { alert: stored.value, audit, delivery: delivery.map(({ notification: _n, lease: _l, ...entry }) => entry) });
    }
    if (parts[0] === "accountability" && parts.length === 1 && req.method === "GET") {
      const now = clock();
      const to = url.searchParams.get("to") ?? now.toISOString();
      const from = url.searchParams.get("from") ?? new Date(now.getTime() - 30 * 86_400_000).toISOString();
      if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) throw new LiaowangError("invalid_input", "from and to must be ISO-8601 date-times");
      const alerts = await deps.store.listOpenedSince(new Date(Date.parse(from)).toISOString(), 10_000);
      return send(res, 200, { from, to, departments: accountability(alerts, { from, to }, now, deps.alerting.escalation.ackTarget) });
    }
    send(res, 404, { error: { code: "not_found", message: `no route ${req.method} ${url.pathname}` } });
  }
}

/** Listen and resolve with the bound port. */
export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
