import type { Writable } from "node:stream";
import { fetchArtifacts } from "./artifacts.js";
import { stackLayout } from "./layout.js";
import { stackDown, stackStatus, stackUp, type ComponentStatus } from "./stack.js";

const USAGE = "usage: pnpm liaowang stack up | down | status [--json] | fetch";

function printStatus(out: Writable, statuses: ComponentStatus[]): void {
  for (const s of statuses) {
    const pid = s.pid === undefined ? "" : ` (pid ${s.pid})`;
    out.write(`${s.name.padEnd(14)} ${s.version.padEnd(8)} ${s.state.padEnd(8)} ${s.address}${pid}\n`);
  }
}

/**
 * `pnpm liaowang stack …`: up / down / status / fetch. Returns the exit code; `status` exits 0 only when every
 * server is healthy, 3 when any is stopped or still starting.
 */
export async function runStackCommand(args: string[], out: Writable, err: Writable = process.stderr, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [verb, ...rest] = args;
  const log = (line: string) => out.write(`${line}\n`);
  try {
    switch (verb) {
      case "up": {
        printStatus(out, await stackUp({ env, log }));
        return 0;
      }
      case "down":
        await stackDown({ env, log });
        return 0;
      case "status": {
        const statuses = await stackStatus({ env });
        if (rest.includes("--json")) out.write(`${JSON.stringify(statuses, null, 2)}\n`);
        else printStatus(out, statuses);
        return statuses.every((s) => s.state === "healthy") ? 0 : 3;
      }
      case "fetch":
        await fetchArtifacts(stackLayout(env), log, env);
        log("Kafka and Elasticsearch artifacts are cached");
        return 0;
      default:
        err.write(`${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    err.write(`liaowang stack ${verb}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
