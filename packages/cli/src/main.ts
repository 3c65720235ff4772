import { runCli } from "./commands.js";

// `pnpm liaowang <command>`: the contract in ARCHITECTURE §4.
runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`liaowang: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
