import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fetchArtifacts } from "./artifacts.js";
import { MARKER, readPidFile, stackComponents, type Component } from "./components.js";
import { stackLayout, type StackLayout } from "./layout.js";
import { portIsFree, sleep } from "./tools.js";

/** What `status` reports for one server. */
export interface ComponentStatus {
  name: Component["name"];
  version: string;
  address: string;
  state: "healthy" | "starting" | "stopped";
  pid?: number;
  logFile: string;
}

export interface StackOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress lines for a human. */
  log?: (line: string) => void;
  /** How long `up` waits for health, per server. */
  startTimeoutMs?: number;
}

/** True when pid is alive and is one of our dev-stack JVMs for this component (not a recycled pid). */
function ownsProcess(pid: number, component: Component): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(`${MARKER}${component.name}`);
  } catch {
    // no /proc (macOS): trust the pid file
    return true;
  }
}

function runningPid(component: Component): number | undefined {
  const record = readPidFile(component);
  if (!record) return undefined;
  if (ownsProcess(record.pid, component)) return record.pid;
  rmSync(component.pidFile, { force: true });
  return undefined;
}

function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, alive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    if (!alive()) return false;
    await sleep(500);
  }
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function terminate(pid: number, graceMs: number): Promise<void> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(200);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  while (isAlive(pid)) await sleep(100);
}

async function ensurePortsFree(component: Component): Promise<void> {
  for (const port of component.ports) {
    if (!(await portIsFree(port))) {
      const variable = component.name === "kafka" ? "LIAOWANG_STACK_KAFKA_PORT" : "LIAOWANG_STACK_ES_PORT";
      throw new Error(
        `port 127.0.0.1:${port} is already in use by another program, so ${component.name} cannot start there. ` +
          `Stop that program, or choose other ports with ${variable}, or point Liaowang at an existing cluster (see README, "External clusters").`,
      );
    }
  }
}

async function startComponent(component: Component, layout: StackLayout, timeoutMs: number, log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  const existing = runningPid(component);
  if (existing !== undefined) {
    if (await waitUntil(() => component.healthy(), timeoutMs, () => isAlive(existing))) {
      log(`${component.name} ${component.version} already running at ${component.address} (pid ${existing})`);
      return;
    }
    throw new Error(`${component.name} (pid ${existing}) is running but not healthy; see ${component.logFile} or run \`pnpm liaowang stack down\``);
  }
  await component.prepare();
  mkdirSync(layout.logs, { recursive: true });
  mkdirSync(layout.run, { recursive: true });
  const logFd = openSync(component.logFile, "a");
  const child = spawn("java", component.javaArgs(), { env, detached: true, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start java for ${component.name}`);
  child.unref();
  writeFileSync(component.pidFile, JSON.stringify({ pid, startedAt: new Date().toISOString(), address: component.address }));
  log(`${component.name} ${component.version} starting (pid ${pid}, log ${component.logFile}) …`);
  const healthy = await waitUntil(() => component.healthy(), timeoutMs, () => isAlive(pid));
  if (!healthy) {
    const exited = !isAlive(pid);
    await terminate(pid, 5_000);
    rmSync(component.pidFile, { force: true });
    throw new Error(
      `${component.name} ${exited ? "exited during start-up" : `was not healthy after ${Math.round(timeoutMs / 1000)} s`}; last log lines of ${component.logFile}:\n${tail(component.logFile)}`,
    );
  }
  log(`${component.name} healthy at ${component.address}`);
}

/** Fetch (once), start and wait for Kafka and Elasticsearch on loopback. Harmless when already running. */
export async function stackUp(options: StackOptions = {}): Promise<ComponentStatus[]> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const layout = stackLayout(env);
  await fetchArtifacts(layout, log, env);
  const components = stackComponents(layout, env);
  // every port is checked before anything starts, so a conflict never leaves half a stack running
  for (const component of components) if (runningPid(component) === undefined) await ensurePortsFree(component);
  const results = await Promise.allSettled(components.map((c) => startComponent(c, layout, options.startTimeoutMs ?? 180_000, log, env)));
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  if (failures.length > 0) throw new Error(failures.join("\n"));
  return stackStatus(options);
}

/** Stop the dev-stack servers this project started (SIGTERM, then SIGKILL after a grace period). */
export async function stackDown(options: StackOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const components = stackComponents(stackLayout(env), env).reverse();
  await Promise.all(
    components.map(async (component) => {
      const pid = runningPid(component);
      if (pid === undefined) {
        log(`${component.name} is not running`);
        return;
      }
      log(`stopping ${component.name} (pid ${pid}) …`);
      await terminate(pid, 30_000);
      rmSync(component.pidFile, { force: true });
      log(`${component.name} stopped`);
    }),
  );
}

/** Report each server: healthy, starting (process up, not answering yet) or stopped. */
export async function stackStatus(options: StackOptions = {}): Promise<ComponentStatus[]> {
  const env = options.env ?? process.env;
  const components = stackComponents(stackLayout(env), env);
  return Promise.all(
    components.map(async (component): Promise<ComponentStatus> => {
      const pid = runningPid(component);
      const base = { name: component.name, version: component.version, address: component.address, logFile: component.logFile };
      if (pid === undefined) return { ...base, state: "stopped" };
      return { ...base, pid, state: (await component.healthy()) ? "healthy" : "starting" };
    }),
  );
}
