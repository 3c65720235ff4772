import { println, type CliIo } from "./io.js";

const USAGE = `usage: pnpm liaowang <command>

  stack up | down | status | fetch   start/stop/report the local Kafka + Elasticsearch
  start                              run the whole pipeline (LIAOWANG_DEMO=off: without demo feeds)
  build                              compile the services to dist/ (start, tests and bench do it when stale)
  segment [--json]                   segment stdin lines with the production segmenter
  replay <file> [--source NAME]      feed an NDJSON / JSON / CSV / RSS / Atom file into the pipeline
  search <query> [--json] [--size N] [--scope 本地,…]   search documents
  search backfill-scope [--limit N]  give documents indexed before the scope field their scope
  trends [--json] [--days N]         topic, keyword, sentiment, region and source trends
  alerts [--json]                    live alerts with level, reason, deadlines, state and department
  user add | disable | enable | unlock | list   password accounts (the first administrator is created here)
  audit verify | prune               check the security audit's hash chain; prune past retention (≥ 183 days)
`;

type Command = (args: string[], io: CliIo) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  stack: async () => {
    const { runStackCommand } = await import("@liaowang/devstack");
    return (args, io) => runStackCommand(args, io.stdout, io.stderr, io.env);
  },
  start: async () => (await import("./start.js")).startCommand,
  build: async () => (await import("./build.js")).buildCommand,
  segment: async () => (await import("./segment.js")).segmentCommand,
  replay: async () => (await import("./replay.js")).replayCommand,
  search: async () => (await import("./search.js")).searchCommand,
  trends: async () => (await import("./trends.js")).trendsCommand,
  alerts: async () => (await import("./alerts.js")).alertsCommand,
  user: async () => (await import("./security.js")).userCommand,
  audit: async () => (await import("./security.js")).auditCommand,
};

/** Run one CLI command; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    println(io.stderr, `liaowang: unknown command "${name}"`);
    io.stderr.write(USAGE);
    return 2;
  }
  return (await load())(args, io);
}
