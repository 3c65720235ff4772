import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "@liaowang/config";

// deploy/elasticsearch/setup-security.sh against a recorder that answers like the Elasticsearch security API: the
// requests' shape (roles with least privilege, users, idempotent re-runs, secrets on disk). No secured cluster runs
// here, so this proves what the script asks for, not that a real cluster accepts it.

const run = promisify(execFile);
const SCRIPT = join(repoRoot, "deploy/elasticsearch/setup-security.sh");
const ADMIN_PASSWORD = "admin-password-0123456789";
interface Req {
  method: string;
  path: string;
  auth: string;
  body: Record<string, unknown> | undefined;
}
let requests: Req[] = [];
const users = new Set<string>();
let server: Server;
let url = "";
const secrets = mkdtempSync(join(tmpdir(), "liaowang-es-secrets-"));

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString()));
    req.on("end", () => resolve(data));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void read(req).then((text) => {
      const path = req.url ?? "";
      requests.push({ method: req.method ?? "", path, auth: req.headers.authorization ?? "", body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined });
      const user = /^\/_security\/user\/(.+)$/.exec(path)?.[1];
      res.setHeader("content-type", "application/json");
      if (path === "/_security/_authenticate") res.end(JSON.stringify({ username: "elastic" }));
      else if (user && req.method === "GET") (users.has(user) ? res : res.writeHead(404)).end("{}");
      else if (user && req.method === "PUT") {
        const created = !users.has(user);
        users.add(user);
        res.end(JSON.stringify({ created }));
      } else if (path.startsWith("/_security/role/") && req.method === "PUT") res.end(JSON.stringify({ role: { created: true } }));
      else res.writeHead(400).end(JSON.stringify({ error: `unexpected ${req.method} ${path}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(secrets, { recursive: true, force: true });
});

async function setup(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  requests = [];
  return run("bash", [SCRIPT, "--prefix", "lw-", "--secrets", secrets, ...args], { env: { PATH: process.env.PATH ?? "", ES_URL: url, ES_ADMIN_PASSWORD: ADMIN_PASSWORD } });
}

type Privileges = { names: string[]; privileges: string[] }[];
const roles = () => new Map(requests.filter((r) => r.method === "PUT" && r.path.startsWith("/_security/role/")).map((r) => [r.path.slice("/_security/role/".length), r.body as { cluster: string[]; indices: Privileges }]));
/** Every privilege a role has on an index name (matching its patterns' prefix). */
function on(indices: Privileges, index: string): string[] {
  return indices.filter((g) => g.names.some((n) => (n.endsWith("*") ? index.startsWith(n.slice(0, -1)) : index === n))).flatMap((g) => g.privileges);
}
const WRITES = ["write", "index", "create", "create_doc", "delete", "manage", "all", "delete_index"];
const passwordOf = (service: string) => readFileSync(join(secrets, service, "es.password"), "utf8");

describe("deploy/elasticsearch/setup-security.sh (request shape)", () => {
  it("creates one least-privilege role and one user per service, passwords only on disk", async () => {
    const { stdout } = await setup();
    expect(requests[0]).toMatchObject({ method: "GET", path: "/_security/_authenticate" });
    expect(new Set(requests.map((r) => r.auth))).toEqual(new Set([`Basic ${Buffer.from(`elastic:${ADMIN_PASSWORD}`).toString("base64")}`]));
    const r = roles();
    expect([...r.keys()].sort()).toEqual(["liaowang-alerter", "liaowang-api", "liaowang-cli", "liaowang-detector", "liaowang-enrich", "liaowang-evidence", "liaowang-indexer", "liaowang-ingest"]);
    const of = (service: string) => r.get(`liaowang-${service}`)?.indices ?? [];

    // The api reads the pipeline and never writes documents, incidents or alerts (transitions go through the alerter).
    for (const index of ["lw-docs-2026-12", "lw-incidents", "lw-alerts", "lw-alert-audit", "lw-evidence"]) {
      expect(on(of("api"), index), index).toContain("read");
      expect(on(of("api"), index).filter((p) => WRITES.includes(p)), index).toEqual([]);
    }
    expect(on(of("api"), "lw-auth-sessions")).toContain("write");
    // Ingest reads no alert, incident or document.
    for (const index of ["lw-alerts", "lw-incidents", "lw-docs-2026-12"]) expect(on(of("ingest"), index), index).toEqual([]);
    expect(on(of("alerter"), "lw-alerts")).toContain("write");
    expect(on(of("alerter"), "lw-incidents").filter((p) => WRITES.includes(p))).toEqual([]);
    // The audit is append-only for every role: create_doc, never write, delete or index management.
    for (const [name, role] of r) {
      for (const index of ["lw-security-audit", "lw-security-audit-anchors"]) {
        expect(on(role.indices, index).filter((p) => WRITES.includes(p) && p !== "create_doc"), `${name} on ${index}`).toEqual([]);
      }
    }
    expect(on(of("api"), "lw-security-audit")).toContain("create_doc");
    expect(on(of("alerter"), "lw-security-audit")).toContain("create_doc");
    expect(on(of("alerter"), "lw-security-audit-anchors")).not.toContain("create_doc");
    // Only the indexer deletes indices (expired monthly document indices).
    for (const [name, role] of r) expect(role.indices.some((g) => g.privileges.includes("delete_index")), name).toBe(name === "liaowang-indexer");

    const created = requests.filter((q) => q.method === "PUT" && q.path.startsWith("/_security/user/"));
    expect(created).toHaveLength(8);
    for (const q of created) {
      const service = q.path.slice("/_security/user/liaowang-".length);
      expect(q.body).toMatchObject({ roles: [`liaowang-${service}`] });
      expect(q.body?.password).toBe(passwordOf(service));
      expect(passwordOf(service)).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(statSync(join(secrets, service, "es.password")).mode & 0o777).toBe(0o600);
      expect(stdout).not.toContain(passwordOf(service));
    }
  });

  it("is idempotent: a second run replaces the roles and keeps every password; --rotate-passwords changes them", async () => {
    const before = passwordOf("api");
    await setup();
    expect(roles().size).toBe(8);
    const updates = requests.filter((q) => q.method === "PUT" && q.path.startsWith("/_security/user/"));
    expect(updates).toHaveLength(8);
    for (const q of updates) expect(q.body).not.toHaveProperty("password");
    expect(passwordOf("api")).toBe(before);

    await setup("--rotate-passwords");
    expect(passwordOf("api")).not.toBe(before);
    expect(requests.find((q) => q.path === "/_security/user/liaowang-api" && q.method === "PUT")?.body?.password).toBe(passwordOf("api"));
  });

  it("prints the requests without sending them in a dry run, passwords redacted", async () => {
    const { stdout } = await setup("--dry-run");
    expect(requests).toEqual([]);
    expect(stdout).toContain("PUT /_security/role/liaowang-api ");
    expect(stdout).toMatch(/PUT \/_security\/user\/liaowang-api .*"password":"\[redacted\]"/);
  });
});
