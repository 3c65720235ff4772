import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "@liaowang/config";
import { freePort, privateStack, processesWithEnv, waitFor, type PrivateStack } from "@liaowang/testing";

// `pnpm start` under a process manager: SIGTERM to the outer `pnpm` process must stop the six services and the dev
// stack it started, leaving no Node service and no JVM behind (pnpm alone used to exit, orphaning all of them).

const SERVICES = ["ingest", "enrich", "indexer", "detector", "alerter", "api"];
const RUN_ID = `stop-${process.pid}-${Date.now().toString(36)}`;
let stack: PrivateStack | undefined;
let launched: ChildProcess | undefined;

afterAll(() => {
  // a failed run must not leave its processes behind either
  for (const p of processesWithEnv("LIAOWANG_TEST_RUN", RUN_ID)) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (stack) rmSync(stack.dir, { recursive: true, force: true });
});

describe("pnpm start under a process manager", () => {
  it("stops every service and the dev stack it started on SIGTERM to pnpm", async () => {
    stack = await privateStack("stop");
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...stack.stackEnv,
      LIAOWANG_TEST_RUN: RUN_ID,
      LIAOWANG_DEMO: "off",
      LIAOWANG_TOPIC_PREFIX: `t.${RUN_ID}.`,
      LIAOWANG_INDEX_PREFIX: `t-${RUN_ID}-`,
      LIAOWANG_STACK_ES_HEAP: "512m",
      API_HTTP_PORT: String(await freePort()),
      INGEST_HTTP_PORT: String(await freePort()),
      ALERTER_HTTP_PORT: String(await freePort()),
      LOG_LEVEL: "info",
    };
    const child = spawn("pnpm", ["start"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    launched = child;
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    try {
      // every service says "started" (the supervisor prefixes each line with the service name)
      await waitFor(async () => SERVICES.every((name) => new RegExp(`${name}\\s+INFO\\s+started`).test(output)), {
        timeoutMs: 240_000,
        intervalMs: 1_000,
        what: "all six services started",
      });
      // ... against the stack this run started on its own ports, not the default ones (they used to dial 9092/9200)
      expect(output).not.toMatch(/ECONNREFUSED/);
      const running = processesWithEnv("LIAOWANG_TEST_RUN", RUN_ID);
      expect(running.filter((p) => p.command.includes("-Dliaowang.devstack=")).length).toBe(2);
      // each from its compiled JavaScript under the dist condition, not through tsx
      const services = running.filter((p) => SERVICES.some((s) => p.command.includes(`services/${s}/dist/main.js`)));
      expect(services.length).toBe(6);
      for (const p of services) expect(p.command).toMatch(/--conditions=liaowang-dist/);
      expect(services.filter((p) => p.command.includes("tsx"))).toEqual([]);

      const stoppedAt = Date.now();
      child.kill("SIGTERM");
      const left = await waitFor(async () => processesWithEnv("LIAOWANG_TEST_RUN", RUN_ID).length === 0 || undefined, {
        timeoutMs: 120_000,
        intervalMs: 500,
        what: "no process of the run left",
      }).catch((error: unknown) => processesWithEnv("LIAOWANG_TEST_RUN", RUN_ID).map((p) => p.command).join("\n") || String(error));
      expect(left).toBe(true);
      process.stderr.write(`[faults] pnpm start stopped completely ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after SIGTERM\n`);
      expect(output).toMatch(/stopping services \(SIGTERM\)/);
      expect(existsSync(join(stack.dir, "run", "kafka.json"))).toBe(false);
      expect(existsSync(join(stack.dir, "run", "elasticsearch.json"))).toBe(false);
    } catch (error) {
      process.stderr.write(output.slice(-6000));
      throw error;
    } finally {
      if (launched.exitCode === null) launched.kill("SIGKILL");
    }
  });
});
