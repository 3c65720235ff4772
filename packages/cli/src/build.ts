import { ensureBuilt } from "@liaowang/build";
import { repoRoot } from "@liaowang/config";
import { println, type CliIo } from "./io.js";

/**
 * `pnpm liaowang build`: compile every workspace member whose sources changed into its dist/ (what `pnpm start`,
 * the integration tests and the benchmark do before they spawn services). Prints each member rebuilt and why.
 */
export async function buildCommand(args: string[], io: CliIo): Promise<number> {
  if (args.length > 0) {
    println(io.stderr, `liaowang build: takes no arguments (got ${args.join(" ")})`);
    return 2;
  }
  const report = ensureBuilt({ root: repoRoot });
  for (const { member, reason } of report.built) println(io.stdout, `  ${member.padEnd(20)} ${reason}`);
  println(io.stdout, report.built.length === 0 ? `dist/ is up to date (checked in ${Math.round(report.ms)} ms)` : `built ${report.built.length} member(s) in ${Math.round(report.ms)} ms`);
  return 0;
}
