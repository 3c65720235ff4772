import type { Readable, Writable } from "node:stream";
import type { Env } from "@liaowang/config";

/** The streams and environment a command runs with (injected so tests can run commands in-process). */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Env;
}

/** Write one line. */
export function println(stream: Writable, line = ""): void {
  stream.write(`${line}\n`);
}
