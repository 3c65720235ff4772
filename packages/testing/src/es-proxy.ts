import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the proxy answers: forward everything, or refuse writes and searches as an overloaded cluster does. */
export type EsProxyMode = "forward" | "throttle";

/** A small HTTP proxy in front of Elasticsearch that can answer 429 for a while. */
export interface EsProxy {
  url: string;
  setMode(mode: EsProxyMode): void;
  /** Requests answered 429 so far. */
  throttled(): number;
  close(): Promise<void>;
}

const rejection = (index?: string) => ({
  type: "es_rejected_execution_exception",
  reason: `rejected execution of coordinating operation [fault injection]${index ? ` on ${index}` : ""}`,
});

/** The bulk response of an overloaded node: HTTP 200, every item refused with 429 (the shape ES really sends). */
function throttledBulk(body: string): string {
  const items: unknown[] = [];
  const lines = body.split("\n").filter((l) => l.trim() !== "");
  for (let i = 0; i < lines.length; i++) {
    const action = JSON.parse(lines[i] as string) as Record<string, { _index?: string; _id?: string }>;
    const [op, meta] = Object.entries(action)[0] ?? ["index", {}];
    if (op !== "delete") i++; // the source line
    items.push({ [op]: { _index: meta._index ?? "", _id: meta._id ?? null, status: 429, error: rejection(meta._index) } });
  }
  return JSON.stringify({ took: 1, errors: true, items });
}

/**
 * Start a proxy to `upstream` on an ephemeral loopback port. In "throttle" mode `_bulk` calls get every item
 * refused with 429 and every other call gets a 429 response (health and info calls still pass, so clients can tell
 * an overloaded cluster from a dead one). A dead upstream closes the client's connection, as a stopped node would.
 */
export async function startEsProxy(upstream: string): Promise<EsProxy> {
  const target = new URL(upstream);
  let mode: EsProxyMode = "forward";
  let throttled = 0;
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const out = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    out.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const passes = path === "/" || path.startsWith("/_cluster/health");
      if (mode === "forward" || passes) return forward(req, res, body);
      throttled++;
      res.setHeader("content-type", "application/json");
      res.setHeader("x-elastic-product", "Elasticsearch");
      if (path.endsWith("/_bulk")) {
        res.writeHead(200);
        return res.end(throttledBulk(body.toString("utf8")));
      }
      res.writeHead(429);
      res.end(JSON.stringify({ error: { root_cause: [rejection()], ...rejection() }, status: 429 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setMode(next) {
      mode = next;
    },
    throttled: () => throttled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
