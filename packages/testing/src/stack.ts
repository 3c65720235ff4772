import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "@liaowang/config";

/** A dev stack of its own (directory and loopback ports), for tests that stop, break or restart Kafka and Elasticsearch. */
export interface PrivateStack {
  /** LIAOWANG_STACK_* variables for `@liaowang/devstack` and `pnpm start`. */
  stackEnv: Record<string, string>;
  dir: string;
  kafkaPort: number;
  esPort: number;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A loopback port that is free now, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A free port p whose companion p + offset is free too (Kafka's controller p+1, Elasticsearch's transport p+100). */
async function freePortWith(offset: number, avoid: number[]): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if ([port, port + offset].some((p) => avoid.includes(p))) continue;
    if ((await bindable(port)) && (await bindable(port + offset))) return port;
  }
  throw new Error(`no free loopback port pair (p, p+${offset}) found`);
}

/**
 * A fresh stack directory under the temp dir and free ports, sharing the already fetched Kafka and Elasticsearch
 * artifacts (LIAOWANG_STACK_ARTIFACTS_DIR, else those of LIAOWANG_STACK_DIR or `<repo>/.devstack`). Never the shared
 * stack: tests that stop Kafka or Elasticsearch use this.
 * @example const stack = await privateStack("faults"); await stackUp({ env: { ...process.env, ...stack.stackEnv } });
 */
export async function privateStack(label: string): Promise<PrivateStack> {
  const dir = mkdtempSync(join(tmpdir(), `liaowang-${label}-`));
  const kafkaPort = await freePortWith(1, []);
  const esPort = await freePortWith(100, [kafkaPort, kafkaPort + 1]);
  const artifacts = process.env.LIAOWANG_STACK_ARTIFACTS_DIR || join(process.env.LIAOWANG_STACK_DIR || join(repoRoot, ".devstack"), "artifacts");
  return {
    dir,
    kafkaPort,
    esPort,
    stackEnv: {
      LIAOWANG_STACK_DIR: dir,
      LIAOWANG_STACK_ARTIFACTS_DIR: artifacts,
      LIAOWANG_STACK_KAFKA_PORT: String(kafkaPort),
      LIAOWANG_STACK_ES_PORT: String(esPort),
    },
  };
}

/** A running process: pid and command line. */
export interface ProcessInfo {
  pid: number;
  command: string;
}

/**
 * Every process (of this user) whose environment holds `name=value`: all descendants of a launch given that
 * variable, even those re-parented or in another process group (the dev stack's JVMs). Linux only (/proc).
 */
export function processesWithEnv(name: string, value: string): ProcessInfo[] {
  const needle = `${name}=${value}`;
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (!environ.includes(needle)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      // a zombie has no command line left: it is gone for our purposes
      if (command) found.push({ pid: Number(entry), command: command.slice(0, 200) });
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

/** Stop one server of a stack (SIGTERM, as an operator or a crash-free outage would) and wait until it is gone. */
export async function stopStackServer(stackDir: string, name: "kafka" | "elasticsearch", timeoutMs = 60_000): Promise<void> {
  const record = JSON.parse(readFileSync(join(stackDir, "run", `${name}.json`), "utf8")) as { pid: number };
  process.kill(record.pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(record.pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) {
      process.kill(record.pid, "SIGKILL");
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Start whichever servers of a private stack are not running (after {@link stopStackServer}); waits for health. */
export async function startStackServers(stack: PrivateStack): Promise<void> {
  const { stackUp } = await import("@liaowang/devstack");
  await stackUp({ env: { ...process.env, ...stack.stackEnv } });
}

/** Written into a private stack's directory once a background start finished: "ok", or why it failed. */
export const PRIVATE_STACK_READY_FILE = "ready";

/**
 * Wait until a private stack started in the background (the fault suite's global setup) is up; throws its start-up
 * error if it failed.
 * @example await privateStackReady(inject("faultStack"));
 */
export async function privateStackReady(stack: PrivateStack, timeoutMs = 300_000): Promise<void> {
  const file = join(stack.dir, PRIVATE_STACK_READY_FILE);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`the private stack in ${stack.dir} was not up after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const state = readFileSync(file, "utf8");
  if (state !== "ok") throw new Error(`the private stack in ${stack.dir} did not start: ${state}`);
}
