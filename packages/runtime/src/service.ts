import { createLogger, type Logger } from "@liaowang/logger";
import { describeError } from "@liaowang/errors";

/** Something a service started and must stop on shutdown (consumers, producers, servers, clients). */
export type Stopper = () => Promise<void>;

/** A started service: stoppers run in reverse order of start. */
export interface Started {
  stop: Stopper;
}

/**
 * Collects stoppers in start order and runs them in reverse, each bounded in time, so shutdown stops
 * consuming first, then drains and flushes, then closes clients.
 */
export class Lifecycle {
  private readonly stoppers: { name: string; stop: Stopper }[] = [];
  private stopped?: Promise<void>;

  constructor(private readonly log: Logger, private readonly timeoutMs = 15_000) {}

  /** Register something to stop at shutdown; returns it for chaining. */
  add<T>(name: string, thing: T, stop: (thing: T) => Promise<void>): T {
    this.stoppers.push({ name, stop: () => stop(thing) });
    return thing;
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      for (const { name, stop } of [...this.stoppers].reverse()) {
        try {
          await Promise.race([stop(), new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs).unref())]);
          this.log.debug({ component: name }, "stopped");
        } catch (error) {
          this.log.warn({ component: name, err: error }, "stop failed");
        }
      }
    })();
    return this.stopped;
  }
}

/** How a service's logger is made: `redact` adds pino redaction paths (e.g. the alerter's notify secrets). */
export interface ServiceLogOptions {
  redact?: readonly string[];
  destination?: NodeJS.WritableStream;
}

/**
 * The logger `runService` gives a service: the shared factory plus the service's own redaction paths.
 * @example serviceLogger("alerter", { redact: notifyRedactPaths })
 */
export function serviceLogger(name: string, options: ServiceLogOptions = {}): Logger {
  return createLogger({ service: name, extraRedact: [...(options.redact ?? [])], ...(options.destination ? { destination: options.destination } : {}) });
}

/**
 * Run a service process: create its logger, start it, and stop it cleanly on SIGINT/SIGTERM or exit 1 on
 * a fatal error (a dead Kafka consumer, an unhandled rejection) so a supervisor restarts it.
 */
export function runService(name: string, start: (ctx: { log: Logger; fatal: (error: unknown) => void }) => Promise<Started>, options: ServiceLogOptions = {}): void {
  const log = serviceLogger(name, options);
  let started: Started | undefined;
  let exiting = false;
  const exit = async (code: number, why: string) => {
    if (exiting) return;
    exiting = true;
    log.info({ why }, "shutting down");
    await started?.stop();
    log.info("stopped");
    process.exit(code);
  };
  const fatal = (error: unknown) => {
    log.fatal({ err: error }, `fatal: ${describeError(error)}`);
    void exit(1, "fatal error");
  };
  process.on("SIGINT", () => void exit(0, "SIGINT"));
  process.on("SIGTERM", () => void exit(0, "SIGTERM"));
  process.on("unhandledRejection", fatal);
  // a synchronous throw (e.g. invalid configuration) is fatal like any other start-up failure
  Promise.resolve()
    .then(() => start({ log, fatal }))
    .then((s) => {
      started = s;
      log.info("started");
    })
    .catch(fatal);
}
