import { createTask } from "node-cron";
import type { ScheduledTask } from "node-cron";
import { readConfigFile } from "@liaowang/config";
import { describeError } from "@liaowang/errors";
import { fromItems, validateItems, type Intake, type IntakeReport } from "@liaowang/ingest";
import type { Logger } from "@liaowang/logger";
import { TickerCatalog } from "./catalog.js";
import { IncidentTape, type Random } from "./ticker.js";

/** The node-cron expression that fires about `postsPerMinute` times a minute (1–60). */
export function tickerSchedule(postsPerMinute: number): string {
  const every = Math.floor(60 / Math.min(60, Math.max(1, postsPerMinute)));
  return every >= 60 ? "0 * * * * *" : `*/${every} * * * * *`;
}

/**
 * The demo ticker: on a node-cron schedule, one realistic post (timestamped now) through the same intake as
 * every connector. Demo mode only; its catalogue is config/demo/ticker.yaml.
 * @example const ticker = DemoTicker.fromFile(path, { intake, log, postsPerMinute: 6 }); ticker.start();
 */
export class DemoTicker {
  readonly #tape: IncidentTape;
  readonly #intake: Pick<Intake, "accept">;
  readonly #log: Logger;
  readonly #schedule: string;
  readonly #now: () => number;
  #task: ScheduledTask | undefined;

  constructor(catalog: TickerCatalog, options: { intake: Pick<Intake, "accept">; log: Logger; postsPerMinute: number; random?: Random; now?: () => number }) {
    this.#tape = new IncidentTape(catalog, options.random ?? Math.random);
    this.#intake = options.intake;
    this.#log = options.log.child({ module: "demo-ticker" });
    this.#schedule = tickerSchedule(options.postsPerMinute);
    this.#now = options.now ?? Date.now;
  }

  /** Read and validate the catalogue file, then build a ticker. */
  static fromFile(path: string, options: ConstructorParameters<typeof DemoTicker>[1]): DemoTicker {
    return new DemoTicker(readConfigFile(path, TickerCatalog), options);
  }

  /** Post once now. */
  async tick(): Promise<IntakeReport> {
    const post = this.#tape.next(this.#now());
    return this.#intake.accept(fromItems(validateItems([post])), "webhook");
  }

  start(): void {
    this.#task = createTask(
      this.#schedule,
      async () => {
        try {
          const report = await this.tick();
          this.#log.debug({ accepted: report.accepted, rejected: report.rejected.length }, "demo post");
        } catch (error) {
          this.#log.warn({ error: describeError(error) }, "demo post failed; next one on schedule");
        }
      },
      { name: "demo-ticker", noOverlap: true, logger: { info: () => undefined, warn: (m) => this.#log.warn(m), error: (m) => this.#log.error(String(m)), debug: () => undefined } },
    );
    void this.#task.start();
    this.#log.info({ schedule: this.#schedule }, "demo ticker posting");
  }

  async stop(): Promise<void> {
    await this.#task?.destroy();
    this.#task = undefined;
  }
}
