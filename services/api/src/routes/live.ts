import { LiaowangError } from "@liaowang/errors";
import type { ApiApp, ApiDeps } from "../app.js";
import { cookieValue, SESSION_COOKIE } from "../auth/session-auth.js";
import { principal, requirePermission } from "../http.js";

const DEFAULT_HEARTBEAT_MS = 15_000;

/**
 * GET /api/v1/live: Server-Sent Events of alert changes for open dashboards, scoped like GET /alerts. Events:
 * `hello` / `status` `{ live }` (whether changes are being followed; dashboards poll meanwhile) and `alert`
 * `{ now, alert }` with the alert as GET /alerts/{id} shows it. A stream opened with a session cookie (EventSource
 * and fetch send it) is scoped by that session's user and ends at the first heartbeat after the session does
 * (signed out, timed out, user disabled), so a closed session hears of no further alert.
 */
export function registerLiveRoutes(app: ApiApp, deps: ApiDeps): void {
  // Streams never go idle, so closing the server would wait for them: end them first.
  const open = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of open) end();
  });
  app.get(
    "/api/v1/live",
    {
      onRequest: requirePermission(deps.users, "alerts:read"),
      schema: { tags: ["operations"], summary: "Server-Sent Events (text/event-stream) of alert changes within the caller's scope: events hello, status, alert" },
    },
    async (request, reply) => {
      const { scope } = principal(request);
      const hub = deps.ops?.live;
      if (!hub) throw new LiaowangError("unavailable", "live updates are off: the api follows alert-events on Kafka (LIAOWANG_KAFKA_BROKERS)");
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "x-content-type-options": "nosniff",
      });
      const send = (event: string, data: unknown) => {
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      res.write("retry: 3000\n\n");
      send("hello", { live: hub.ready });
      const unsubscribe = hub.subscribe(scope, send);
      const cookie = request.csrf ? cookieValue(request, SESSION_COOKIE) : "";
      const heartbeat = setInterval(() => {
        if (cookie === "") {
          res.write(": ping\n\n");
          return;
        }
        deps.users.authenticateSession(cookie).then(
          (session) => (session ? res.write(": ping\n\n") : end()),
          () => res.write(": ping\n\n"), // the session store unreachable is no reason to cut the stream
        );
      }, deps.ops?.liveHeartbeatMs ?? DEFAULT_HEARTBEAT_MS);
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
      };
      const end = () => {
        close();
        res.end();
      };
      open.add(end);
      request.raw.on("close", close);
      res.on("error", close);
    },
  );
}
