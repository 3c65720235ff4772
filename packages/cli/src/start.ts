import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBuilt, serviceRuntime } from "@liaowang/build";
import { repoRoot } from "@liaowang/config";
import { println, type CliIo } from "./io.js";
import { Supervisor, type ServiceSpec } from "./supervisor.js";

/** Every pipeline service, in start order (consumers after the producers they read from is not required: Kafka buffers). */
const SERVICES: ServiceSpec[] = [
  { name: "ingest", entry: "services/ingest/src/main.ts" },
  { name: "enrich", entry: "services/enrich/src/main.ts" },
  { name: "indexer", entry: "services/indexer/src/main.ts" },
  { name: "detector", entry: "services/detector/src/main.ts" },
  { name: "alerter", entry: "services/alerter/src/main.ts" },
  { name: "evidence", entry: "services/evidence/src/main.ts" },
  { name: "api", entry: "services/api/src/main.ts" },
];

/** A secret for local runs (push token, ack-link key, service token), created once and kept beside the dev stack. */
function localSecret(stackDir: string, name: string): string {
  const file = join(stackDir, "secrets", name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(join(stackDir, "secrets"), { recursive: true, mode: 0o700 });
  const secret = randomBytes(24).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * `pnpm start`: the whole pipeline on local defaults. Starts the dev stack unless LIAOWANG_KAFKA_BROKERS or
 * LIAOWANG_ES_URL point at existing clusters, runs every service under a supervisor (restart with backoff), with
 * demo feeds unless LIAOWANG_DEMO=off, until Ctrl-C, SIGTERM or SIGHUP, then stops the services and the stack it started.
 * The services run from their compiled JavaScript, rebuilt first from whatever sources changed (a fraction of a second).
 */
export async function startCommand(_args: string[], io: CliIo): Promise<number> {
  // Before anything starts: a source that does not compile stops here, with esbuild's message, not in a restart loop.
  if (serviceRuntime(io.env) === "dist") ensureBuilt({ root: repoRoot, log: (line) => println(io.stdout, line) });
  // Listen for a stop before anything starts: a SIGTERM while the stack is still starting must not leave its JVMs
  // (which run in their own process group) behind.
  const stop = stopRequests(io);
  const external = Boolean(io.env.LIAOWANG_KAFKA_BROKERS || io.env.LIAOWANG_ES_URL);
  const stackDir = io.env.LIAOWANG_STACK_DIR || join(repoRoot, ".devstack");
  const devstack = await import("@liaowang/devstack");
  let startedStack = false;
  // Where the services find the stack this run started: its ports may not be the defaults (LIAOWANG_STACK_*_PORT).
  let stackAddresses: Record<string, string> = {};
  const stopStack = async () => {
    if (startedStack && io.env.LIAOWANG_KEEP_STACK !== "1") await devstack.stackDown({ env: io.env, log: (line) => println(io.stdout, line) });
  };
  try {
    if (external) {
      println(io.stdout, `using external Kafka ${io.env.LIAOWANG_KAFKA_BROKERS ?? "(default)"} and Elasticsearch ${io.env.LIAOWANG_ES_URL ?? "(default)"}`);
    } else {
      const before = await devstack.stackStatus({ env: io.env });
      startedStack = !before.every((s) => s.state === "healthy");
      const up = await devstack.stackUp({ env: io.env, log: (line) => println(io.stdout, line) });
      const kafka = up.find((c) => c.name === "kafka");
      const elasticsearch = up.find((c) => c.name === "elasticsearch");
      stackAddresses = {
        ...(kafka ? { LIAOWANG_KAFKA_BROKERS: kafka.address } : {}),
        ...(elasticsearch ? { LIAOWANG_ES_URL: elasticsearch.address } : {}),
      };
    }
  } catch (error) {
    stop.dispose();
    await stopStack();
    throw error;
  }
  if (stop.requested) {
    stop.dispose();
    println(io.stdout, "stopping before the services started …");
    await stopStack();
    return 0;
  }

  const demo = (io.env.LIAOWANG_DEMO ?? "on") !== "off";
  const token = io.env.LIAOWANG_INGEST_TOKENS ?? localSecret(stackDir, "ingest-token");
  const env = {
    ...io.env,
    ...stackAddresses,
    LIAOWANG_DEMO: demo ? "on" : "off",
    LIAOWANG_INGEST_TOKENS: token,
    ALERTER_ACK_SECRET: io.env.ALERTER_ACK_SECRET ?? localSecret(stackDir, "ack-secret"),
    ALERTER_API_TOKEN: io.env.ALERTER_API_TOKEN ?? localSecret(stackDir, "alerter-api-token"),
    ...(demo ? { API_DEMO_TOKEN: io.env.API_DEMO_TOKEN ?? localSecret(stackDir, "api-demo-token") } : {}),
  };
  const supervisor = new Supervisor(io.stdout, env);
  const present = SERVICES.filter((s) => existsSync(join(repoRoot, s.entry)));
  for (const missing of SERVICES.filter((s) => !present.includes(s))) println(io.stdout, `(${missing.name}: not part of this build yet)`);
  for (const spec of present) supervisor.start(spec);

  const ingestPort = io.env.INGEST_HTTP_PORT ?? "8081";
  const apiPort = io.env.API_HTTP_PORT ?? "8080";
  println(io.stdout, "");
  println(io.stdout, `Liaowang is running${demo ? " with demo feeds" : ""} (Ctrl-C stops it).`);
  if (present.some((s) => s.name === "api")) println(io.stdout, `  dashboard:  http://127.0.0.1:${apiPort}/`);
  // Printed here, once, on the operator's terminal: the api service never logs the token.
  if (demo && env.API_DEMO_TOKEN) println(io.stdout, `  demo login: http://127.0.0.1:${apiPort}/#token=${env.API_DEMO_TOKEN}  (also in ${join(stackDir, "secrets", "api-demo-token")})`);
  println(io.stdout, `  push API:   POST http://127.0.0.1:${ingestPort}/api/v1/documents  (Authorization: Bearer ${token.length > 60 ? "<LIAOWANG_INGEST_TOKENS>" : token})`);
  println(io.stdout, "  search:     pnpm liaowang search 工资拖欠      alerts: pnpm liaowang alerts");
  println(io.stdout, "");

  const why = await stop.promise;
  stop.dispose();
  supervisor.stopping = true;
  println(io.stdout, `stopping services (${why}) …`);
  await supervisor.stopAll();
  await stopStack();
  println(io.stdout, "stopped");
  return 0;
}

/** A pending request to stop: the first SIGINT, SIGTERM or SIGHUP, or the launching package manager going away. */
interface StopRequests {
  promise: Promise<string>;
  readonly requested: boolean;
  dispose(): void;
}

/**
 * Every way a run ends: Ctrl-C (SIGINT reaches the whole foreground group, pnpm relays it once more), SIGTERM from a
 * process manager or `kill`, SIGHUP when the terminal closes, and the launching `pnpm` dying without passing a
 * signal on (e.g. SIGKILL): then this process is re-parented, which the parent-pid watch notices. Repeated signals
 * while stopping are acknowledged, not fatal, so the services and the dev stack are always stopped in order.
 */
function stopRequests(io: CliIo): StopRequests {
  let requested = false;
  let resolve!: (why: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  const request = (why: string) => {
    if (requested) {
      println(io.stdout, `(${why}: already stopping)`);
      return;
    }
    requested = true;
    resolve(why);
  };
  const onSignal = (signal: NodeJS.Signals) => request(signal);
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) process.on(signal, onSignal);
  // Our output may outlive the terminal or pipe that launched us (pnpm exits as soon as it has passed SIGTERM on):
  // a closed stdout must not crash the shutdown.
  const ignore = () => undefined;
  process.stdout.on("error", ignore);
  process.stderr.on("error", ignore);
  const parent = process.ppid;
  const launchedByPackageManager = Boolean(io.env.npm_lifecycle_event) && parent > 1;
  const watch = launchedByPackageManager
    ? setInterval(() => {
        if (process.ppid !== parent) request("parent process exited");
      }, 1_000)
    : undefined;
  watch?.unref();
  return {
    promise,
    get requested() {
      return requested;
    },
    dispose() {
      if (watch) clearInterval(watch);
      for (const signal of signals) process.off(signal, onSignal);
      // late repeats of the signal (pnpm relaying Ctrl-C) while the last steps finish are still not fatal
      for (const signal of signals) process.on(signal, ignore);
    },
  };
}
