import { spawn } from "node:child_process";
import { ensureBuilt, serviceArgv, serviceRuntime } from "@liaowang/build";
import { repoRoot, SERVICE_NODE_FLAGS } from "@liaowang/config";

/** A service running as a real child process. */
export interface SpawnedService {
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  /** Resolves when the process exits. */
  exited: Promise<number | null>;
  pid: number | undefined;
}

let checkedBuild = false;

/**
 * Run a service entry (`services/x/src/main.ts`) as production does: its compiled JavaScript (`dist/main.js`, rebuilt
 * first when any source changed, checked once per process; the integration tests' global setup builds before any
 * test runs), with the services' {@link SERVICE_NODE_FLAGS}, the given env (on top of PATH/HOME), from the repo root.
 * `extraNodeFlags` (e.g. `--cpu-prof`, which NODE_OPTIONS may not carry) go after the flags. LIAOWANG_SERVICE_RUNTIME=tsx
 * in the caller's environment runs the TypeScript sources through tsx instead.
 * @example const indexer = spawnService("services/indexer/src/main.ts", env);
 */
export function spawnService(entry: string, env: Record<string, string>, extraNodeFlags: readonly string[] = []): SpawnedService {
  if (serviceRuntime() === "dist" && !checkedBuild) {
    ensureBuilt({ root: repoRoot });
    checkedBuild = true;
  }
  const child = spawn(process.execPath, serviceArgv(entry, { root: repoRoot, nodeFlags: [...SERVICE_NODE_FLAGS, ...extraNodeFlags] }), {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid,
    exited,
    output: () => output,
    async stop() {
      if (running()) child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (running()) child.kill("SIGKILL");
      await exited;
    },
  };
}
