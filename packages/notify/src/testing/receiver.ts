import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";

/** A request as the local peer saw it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the peer answers. */
export interface PeerReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Hold the reply this long (to exercise client timeouts). */
  delayMs?: number;
}

/** A real HTTP server on 127.0.0.1 standing in for a webhook receiver, robot API or SMS gateway. */
export interface Receiver {
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Replace how the peer answers; the default is 200 `{"errcode":0,"errmsg":"ok"}`. */
  respond(handler: (req: ReceivedRequest) => PeerReply): void;
  reset(): void;
  close(): Promise<void>;
}

const okReply = (): PeerReply => ({ status: 200, body: '{"errcode":0,"errmsg":"ok"}', headers: { "content-type": "application/json" } });

/** Start a receiver on an ephemeral loopback port. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let handler: (req: ReceivedRequest) => PeerReply = okReply;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const received: ReceivedRequest = { method: req.method ?? "", path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(received);
      const reply = handler(received);
      const send = (): void => {
        if (res.destroyed) return;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? "");
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      handler = next;
    },
    reset() {
      requests.length = 0;
      handler = okReply;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A loopback port that was just free, so nothing listens there. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
