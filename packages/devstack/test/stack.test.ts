import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "@liaowang/config";
import { runStackCommand, stackLayout, stackStatus, stackUp } from "../src/index.js";
import { PassThrough } from "node:stream";

// The integration globalSetup has already brought the default stack up (or reused a running one).

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe("dev stack", () => {
  it("reports both servers healthy, and a second `up` is harmless", async () => {
    const lines: string[] = [];
    const statuses = await stackUp({ log: (line) => lines.push(line) });
    expect(statuses.map((s) => [s.name, s.state])).toEqual([
      ["kafka", "healthy"],
      ["elasticsearch", "healthy"],
    ]);
    expect(lines.filter((l) => l.includes("already running"))).toHaveLength(2);
    const out = capture();
    expect(await runStackCommand(["status", "--json"], out.stream)).toBe(0);
    expect(JSON.parse(out.text())).toHaveLength(2);
  });

  it("refuses to start on a port in use, naming the port and how to change it", async () => {
    const stackDir = mkdtempSync(join(tmpdir(), "liaowang-stack-"));
    tempDirs.push(stackDir);
    const { server, port } = await listen();
    try {
      const env = {
        ...process.env,
        LIAOWANG_STACK_DIR: stackDir,
        LIAOWANG_STACK_ARTIFACTS_DIR: join(stackLayout().root, "artifacts"),
        LIAOWANG_STACK_KAFKA_PORT: String(port),
        LIAOWANG_STACK_ES_PORT: String(port + 2),
      };
      const err = capture();
      const code = await runStackCommand(["up"], new PassThrough(), err.stream, env);
      expect(code).toBe(1);
      expect(err.text()).toContain(`port 127.0.0.1:${port} is already in use`);
      expect(err.text()).toContain("LIAOWANG_STACK_KAFKA_PORT");
      // nothing was left running for the failed stack
      expect((await stackStatus({ env })).find((s) => s.name === "kafka")?.state).toBe("stopped");
    } finally {
      server.close();
    }
  });

  it("explains a missing java instead of failing obscurely", async () => {
    const err = capture();
    const env = { ...process.env, PATH: join(repoRoot, "no-such-dir") };
    const code = await runStackCommand(["fetch"], new PassThrough(), err.stream, env);
    expect(code).toBe(1);
    expect(err.text()).toContain("java not found on PATH");
  });

  it("rejects a malformed port setting with the key and the value", async () => {
    const err = capture();
    const code = await runStackCommand(["status"], new PassThrough(), err.stream, { ...process.env, LIAOWANG_STACK_ES_PORT: "92OO" });
    expect(code).toBe(1);
    expect(err.text()).toContain('LIAOWANG_STACK_ES_PORT = "92OO": expected a TCP port number');
  });
});
