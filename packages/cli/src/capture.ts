import { PassThrough } from "node:stream";
import type { Env } from "@liaowang/config";
import { runCli } from "./commands.js";
import type { CliIo } from "./io.js";

/** What a command printed, and its exit code. */
export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command in-process with captured output: how tests and scripts call the CLI contract without a shell.
 * @example const { code, stdout } = await runCaptured(["search", "工资拖欠", "--json"], env);
 */
export async function runCaptured(argv: string[], env: Env, command: (args: string[], io: CliIo) => Promise<number> = runCli): Promise<CapturedRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const code = await command(argv, { stdin: new PassThrough(), stdout, stderr, env: { ...env } });
  return { code, stdout: out, stderr: err };
}
