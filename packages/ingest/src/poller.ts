import { createTask } from "node-cron";
import type { ScheduledTask } from "node-cron";
import { describeError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { decodeBody } from "./charset.js";
import type { DecodedText } from "./charset.js";
import { parseFeedBounded } from "./feed.js";
import type { FeedParseOptions } from "./feed.js";
import type { FeedFetcher, FetchedFeed } from "./fetch.js";
import { parseJsonDocument } from "./formats.js";
import { fromFeedItems } from "./intake.js";
import type { Intake, ParsedUnit, Rejection } from "./intake.js";
import type { SourceConfig } from "./sources.js";

/** What one poll of one source did. `error` is set when the feed as a whole could not be fetched or read. */
export interface PollResult {
  source: string;
  at: string;
  ok: boolean;
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  /** The charset the body was decoded with and where it came from (e.g. "gb18030 (header)"). */
  charset?: string;
  /** How the body was decoded and why ("header said utf-8, body is GB18030"), and the label it contradicted. */
  encoding?: FeedEncoding;
  error?: string;
  durationMs: number;
}

/** How one fetched body was decoded: {@link DecodedText} without the text. */
export type FeedEncoding = Omit<DecodedText, "text">;

/** Limits applied to every polled feed; `budgetMs` bounds the time one feed's parse may take. */
export type FeedLimits = Pick<FeedParseOptions, "maxChars" | "maxItems" | "maxItemChars"> & { readonly budgetMs?: number };

/**
 * Turn a fetched body into units: decode (source charset override, BOM, HTTP charset, XML declaration, UTF-8)
 * and parse as the source's kind, a feed within its time budget off the event loop. Every record carries the
 * source's name and region; the feed's URL is the base of relative links.
 * @example (await readFetched(source, await fetcher.fetch(source.url), new Date())).units
 */
export async function readFetched(
  source: SourceConfig,
  fetched: FetchedFeed,
  now: Date,
  limits: FeedLimits = {},
): Promise<{ units: ParsedUnit[]; charset: string; encoding: FeedEncoding }> {
  const { text, ...encoding } = decodeBody(fetched.bytes, fetched.contentType, source.charset);
  const charset = `${encoding.charset} (${encoding.from})`;
  const region = source.region === undefined ? {} : { region: source.region };
  if (source.kind === "json") {
    const units = parseJsonDocument(text, { defaults: { source: source.name, ...region }, fetchedAt: now });
    // A JSON source's records name their own source only if they must: the configured source is authoritative.
    return { units: units.map((unit) => (unit.ok ? { ...unit, record: { ...unit.record, source: source.name } } : unit)), charset, encoding };
  }
  const feed = await parseFeedBounded(text, { ...limits, source: source.name, ...region, fetchedAt: now, baseUrl: fetched.url });
  return { units: fromFeedItems(feed.items), charset, encoding };
}

/** Options for {@link FeedPoller}. */
export interface FeedPollerOptions {
  readonly sources: readonly SourceConfig[];
  /** IANA zone the cron expressions are read in. */
  readonly timezone: string;
  readonly fetcher: Pick<FeedFetcher, "fetch">;
  readonly intake: Pick<Intake, "accept">;
  readonly log: Logger;
  readonly limits?: FeedLimits;
  readonly now?: () => Date;
  /** Called with every poll's result (e.g. to store it for the sources page); a failure is logged, never fatal. */
  readonly onPolled?: (result: PollResult) => Promise<void>;
}

/**
 * Polls each enabled source on its node-cron schedule and sends its items through the intake. A failing feed
 * is logged and retried at its next tick; the others carry on. Nothing needed across restarts is kept here:
 * document ids are content-derived, so re-reading a feed after a restart produces nothing new downstream.
 * @example const poller = new FeedPoller({ sources, timezone, fetcher, intake, log }); poller.start(); await poller.pollNow("xinghe-gov");
 */
export class FeedPoller {
  readonly #options: FeedPollerOptions;
  readonly #log: Logger;
  readonly #tasks: ScheduledTask[] = [];
  readonly #inflight = new Map<string, Promise<PollResult>>();
  readonly #last = new Map<string, PollResult>();
  readonly #now: () => Date;

  constructor(options: FeedPollerOptions) {
    this.#options = options;
    this.#log = options.log.child({ module: "poller" });
    this.#now = options.now ?? (() => new Date());
  }

  /** The enabled sources. */
  get sources(): SourceConfig[] {
    return this.#options.sources.filter((source) => source.enabled);
  }

  /** Schedule every enabled source; with `pollNow`, also poll each once right away (in the background). */
  start(options: { pollNow?: boolean } = {}): void {
    const cronLog = this.#log.child({ module: "cron" });
    for (const source of this.sources) {
      const task = createTask(source.schedule, () => this.pollSource(source.name).then(() => undefined), {
        name: `poll:${source.name}`,
        timezone: this.#options.timezone,
        noOverlap: true,
        logger: {
          info: (message) => cronLog.debug(message),
          warn: (message) => cronLog.warn(message),
          error: (message) => cronLog.error(typeof message === "string" ? message : describeError(message)),
          debug: (message) => cronLog.debug(typeof message === "string" ? message : describeError(message)),
        },
      });
      void task.start();
      this.#tasks.push(task);
    }
    this.#log.info({ sources: this.sources.map((s) => `${s.name} (${s.schedule})`), timezone: this.#options.timezone }, `polling ${this.sources.length} source(s)`);
    if (options.pollNow === true) void this.pollNow();
  }

  /**
   * Poll one source (by name) or every enabled source now, waiting for the results. A poll already running for
   * a source is waited for first, so a call always reflects the feed as it is after the call was made.
   */
  async pollNow(name?: string): Promise<PollResult[]> {
    const names = name === undefined ? this.sources.map((s) => s.name) : [name];
    return Promise.all(names.map((n) => this.pollSource(n)));
  }

  /** Poll one source by name; never rejects (a failure is in the result and the log). */
  pollSource(name: string): Promise<PollResult> {
    const source = this.#options.sources.find((s) => s.name === name);
    if (source === undefined) return Promise.reject(new RangeError(`no source named "${name}"; known: ${this.#options.sources.map((s) => s.name).join(", ")}`));
    const previous = this.#inflight.get(name) ?? Promise.resolve(undefined);
    const run = previous.then(() => this.#poll(source));
    this.#inflight.set(name, run);
    void run.finally(() => {
      if (this.#inflight.get(name) === run) this.#inflight.delete(name);
    });
    return run;
  }

  /** The last poll result of each source that has been polled. */
  status(): PollResult[] {
    return [...this.#last.values()];
  }

  /** Stop scheduling and wait for polls in flight. */
  async stop(): Promise<void> {
    await Promise.all(this.#tasks.splice(0).map((task) => task.destroy()));
    await Promise.allSettled([...this.#inflight.values()]);
  }

  async #poll(source: SourceConfig): Promise<PollResult> {
    const started = this.#now();
    const result: PollResult = { source: source.name, at: started.toISOString(), ok: false, accepted: 0, duplicates: 0, rejected: [], durationMs: 0 };
    try {
      const fetched = await this.#options.fetcher.fetch(source.url);
      const { units, charset, encoding } = await readFetched(source, fetched, started, this.#options.limits);
      Object.assign(result, { charset, encoding });
      const report = await this.#options.intake.accept(units, source.kind);
      Object.assign(result, { ok: true, accepted: report.accepted, duplicates: report.duplicates, rejected: report.rejected });
    } catch (error) {
      result.error = describeError(error);
    }
    result.durationMs = this.#now().getTime() - started.getTime();
    const previous = this.#last.get(source.name);
    this.#last.set(source.name, result);
    const fields = {
      source: source.name,
      accepted: result.accepted,
      duplicates: result.duplicates,
      rejected: result.rejected.length,
      durationMs: result.durationMs,
      ...(result.encoding === undefined ? {} : { encoding: result.encoding.reason }),
    };
    // Said once when it starts (or changes), not at every poll: the sources page keeps showing it.
    if (result.encoding?.mislabelled !== undefined && result.encoding.reason !== previous?.encoding?.reason) {
      this.#log.warn(fields, `${source.name} labels its charset wrongly (${result.encoding.reason}); decoded as ${result.encoding.charset}`);
    }
    if ((result.encoding?.replacements ?? 0) > 0) {
      this.#log.warn({ ...fields, replacements: result.encoding?.replacements }, `${source.name}: text lost in decoding (U+FFFD replacement characters); affected documents are flagged`);
    }
    if (result.error !== undefined) {
      this.#log.warn({ ...fields, error: result.error }, `poll of ${source.name} failed; retrying at its next scheduled time`);
    } else if (result.rejected.length > 0) {
      // Reasons quote feed text: under one fixed key, shortened, never spread into the log line's fields.
      this.#log.warn({ ...fields, rejections: result.rejected.slice(0, 5).map((r) => r.reason.slice(0, 200)) }, `polled ${source.name} with rejected items`);
    } else {
      this.#log.info(fields, `polled ${source.name}`);
    }
    if (this.#options.onPolled !== undefined) {
      await this.#options.onPolled(result).catch((error: unknown) => this.#log.warn({ source: source.name, error: describeError(error) }, `could not record the poll of ${source.name}`));
    }
    return result;
  }
}
