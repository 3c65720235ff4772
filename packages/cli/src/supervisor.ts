import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import { serviceArgv } from "@liaowang/build";
import { repoRoot, SERVICE_NODE_FLAGS, type Env } from "@liaowang/config";

/** A service process the launcher runs and restarts. */
export interface ServiceSpec {
  name: string;
  /** Source entry relative to the repository root (`services/x/src/main.ts`); its compiled `dist/main.js` is run. */
  entry: string;
  env?: Env;
}

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/** One human-readable line for a pino JSON line (other lines pass through). */
export function formatLogLine(service: string, line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; time?: string; err?: { message?: string } };
    const level = LEVEL_NAMES[entry.level ?? 30] ?? "INFO";
    const time = typeof entry.time === "string" ? entry.time.slice(11, 19) : "";
    const error = entry.err?.message ? ` (${entry.err.message})` : "";
    return `${time} ${service.padEnd(8)} ${level.padEnd(5)} ${entry.msg ?? ""}${error}`;
  } catch {
    return `${service.padEnd(8)} ${line}`;
  }
}

/**
 * Runs each service as its own Node process (as in production: its compiled JavaScript, which the caller has built
 * with ensureBuilt), prefixes its log lines, and restarts it with backoff when it exits unexpectedly (a service exits
 * on purpose when its Kafka consumer dies).
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  /** Set once shutdown begins: exiting children are no longer restarted. */
  stopping = false;

  constructor(private readonly out: Writable, private readonly baseEnv: Env) {}

  start(spec: ServiceSpec, attempt = 0): void {
    // a restart timer that fires after shutdown began must not start an orphan
    if (this.stopping) return;
    const child = spawn(process.execPath, serviceArgv(spec.entry, { root: repoRoot, nodeFlags: SERVICE_NODE_FLAGS, env: this.baseEnv }), {
      cwd: repoRoot,
      env: { ...this.baseEnv, ...spec.env } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.children.set(spec.name, child);
    const startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => this.out.write(`${formatLogLine(spec.name, line)}\n`));
    }
    child.on("exit", (code, signal) => {
      this.children.delete(spec.name);
      // exit code 0 means it was asked to stop (SIGINT/SIGTERM reached it, e.g. Ctrl-C on the terminal's group)
      if (this.stopping || code === 0) return;
      const next = Date.now() - startedAt > 60_000 ? 0 : attempt + 1;
      const delay = Math.min(1000 * 2 ** next, 30_000);
      this.out.write(`${spec.name} exited (${signal ?? code}); restarting in ${delay / 1000}s\n`);
      setTimeout(() => this.start(spec, next), delay).unref();
    });
  }

  /** Stop every service (SIGTERM, then SIGKILL after a grace period). */
  async stopAll(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
  }
}
