import { spawn } from "node:child_process";
import { createServer } from "node:net";

/** Result of a finished child process. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a program to completion, capturing its output. Rejects only when it cannot be started. */
export function runProgram(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The major version of the `java` on PATH, or a clear error when there is none. */
export async function requireJava(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let result: RunResult;
  try {
    result = await runProgram("java", ["-version"], { env });
  } catch {
    throw new Error("java not found on PATH: the dev stack needs a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)");
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  const major = match ? Number(match[1] === "1" ? match[2] : match[1]) : NaN;
  if (!Number.isFinite(major) || major < 17) {
    throw new Error(`java on PATH is too old (${(result.stderr.split("\n")[0] ?? "").trim()}): the dev stack needs Java 17 or newer`);
  }
  return major;
}

/** Fail clearly when a build tool the fetch step needs is missing. */
export async function requireTool(command: string, hint: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    await runProgram(command, ["-version"], { env });
  } catch {
    throw new Error(`${command} not found on PATH: ${hint}`);
  }
}

/** True when nothing listens on 127.0.0.1:port (we can bind it ourselves). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Sleep for ms milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
