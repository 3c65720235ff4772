import { join } from "node:path";
import { initialLiveConfig, LiveConfigStore, watchLiveConfig } from "@liaowang/es";
import { Deduper, FeedFetcher, FeedPoller, Intake, loadSources, mergeSources, SourcesFile } from "@liaowang/ingest";
import type { Logger } from "@liaowang/logger";
import { connectInfra, Lifecycle, routeCronLogs, type Started } from "@liaowang/runtime";
import type { IngestConfig } from "./config.js";
import { registerDemoFeeds } from "./demo/feeds.js";
import { DemoTicker } from "./demo/runner.js";
import { createHttpServer, registerPollRoutes, registerPushRoutes } from "./http.js";
import { pollStatusWriter } from "./poll-status.js";

/** A running ingest service. */
export interface IngestService extends Started {
  /** Where the HTTP server listens, e.g. http://127.0.0.1:8081. */
  url: string;
}

/**
 * Start ingest: Kafka producer → intake (normalise, de-duplicate, produce to raw) ← push server, feed poller
 * and, in demo mode, the bundled demo feeds (served by this server) and the demo ticker.
 */
export async function startIngest(config: IngestConfig, log: Logger): Promise<IngestService> {
  const lifecycle = new Lifecycle(log);
  routeCronLogs(log);
  const infra = await connectInfra(config, log, lifecycle, ["raw"]);
  const intake = new Intake(infra.producer, {
    deduper: new Deduper({ max: config.INGEST_DEDUPE_MAX }),
    dateWindow: { maxAgeDays: config.INGEST_PUBLISHED_MAX_AGE_DAYS, maxFutureMinutes: config.INGEST_PUBLISHED_MAX_FUTURE_MINUTES },
  });

  const app = createHttpServer({ log, maxBodyBytes: config.INGEST_MAX_BODY_BYTES });
  registerPushRoutes(app, { intake, tokens: config.LIAOWANG_INGEST_TOKENS, limits: { maxPendingRecords: config.INGEST_PUSH_MAX_PENDING_RECORDS } });
  const startedAt = new Date();
  const demoFeeds = config.demo === undefined ? [] : registerDemoFeeds(app, config.demo.dir, startedAt);
  const pollers: FeedPoller[] = [];
  registerPollRoutes(app, { pollers, tokens: config.LIAOWANG_INGEST_TOKENS });
  await app.listen({ host: config.INGEST_HTTP_HOST, port: config.INGEST_HTTP_PORT });
  lifecycle.add("http", app, (server) => server.close());
  const url = selfUrl(app.server.address(), config.INGEST_HTTP_HOST);
  if (config.LIAOWANG_INGEST_TOKENS.length === 0) log.warn("LIAOWANG_INGEST_TOKENS is not set: POST /api/v1/documents refuses every request");

  const fetchOptions = { timeoutMs: config.INGEST_FEED_TIMEOUT_MS, maxBytes: config.INGEST_FEED_MAX_BYTES };
  const limits = { maxChars: config.INGEST_FEED_MAX_BYTES, budgetMs: config.INGEST_FEED_PARSE_BUDGET_MS };
  // Both files are read before anything polls, so a bad file or a name defined twice fails start-up.
  const feeds = config.sourcesFile === undefined ? undefined : loadSources(config.sourcesFile);
  const demoSources = config.demo === undefined ? undefined : loadSources(config.demo.sourcesFile, { self: url });
  mergeSources([feeds, demoSources].filter((f): f is SourcesFile => f !== undefined));
  // Sources edited in the admin screens are stored in Elasticsearch (the file is version 0) and applied without a
  // restart: the feed poller is replaced by one polling the new list (pausing a source is `enabled: false`).
  const liveConfig = new LiveConfigStore(infra.es, infra.indexPrefix);
  const parseSources = (data: unknown): SourcesFile => {
    const next = SourcesFile.parse(data);
    mergeSources([next, demoSources].filter((f): f is SourcesFile => f !== undefined));
    return next;
  };
  const initial = await initialLiveConfig(liveConfig, "sources", parseSources, () => feeds ?? { timezone: "Asia/Shanghai", sources: [] }, log);
  {
    const fetcher = lifecycle.add("fetcher", new FeedFetcher({ ...fetchOptions, allow: config.INGEST_ALLOW_INTERNAL }), (f) => f.close());
    let current = createPoller("feeds", initial.value, fetcher);
    pollers.push(current);
    current.start({ pollNow: true });
    lifecycle.add("poller (feeds)", pollers, async () => current.stop());
    const watch = watchLiveConfig({
      store: liveConfig,
      kind: "sources",
      parse: parseSources,
      since: initial.version,
      log,
      apply: async (next) => {
        const previous = current;
        await previous.stop();
        current = createPoller("feeds", next, fetcher);
        pollers[pollers.indexOf(previous)] = current;
        current.start({ pollNow: true });
      },
    });
    lifecycle.add("sources-watch", watch, (w) => w.stop());
  }
  if (config.demo !== undefined && demoSources !== undefined) {
    // The demo sources point at this very server; only their fetcher allow-lists it.
    const fetcher = lifecycle.add("demo-fetcher", new FeedFetcher({ ...fetchOptions, allow: [new URL(url).hostname] }), (f) => f.close());
    pollers.push(startPoller("demo", demoSources, fetcher));
    if (config.INGEST_DEMO_POSTS_PER_MINUTE > 0) {
      const ticker = DemoTicker.fromFile(join(config.demo.dir, "ticker.yaml"), { intake, log, postsPerMinute: config.INGEST_DEMO_POSTS_PER_MINUTE });
      lifecycle.add("demo-ticker", ticker, (t) => t.stop());
      ticker.start();
    }
    log.info({ feeds: demoFeeds.map((f) => `${url}/demo/feeds/${f}`) }, "demo mode: serving and polling the bundled demo feeds and running the demo ticker (LIAOWANG_DEMO=off to disable)");
  }

  function createPoller(what: string, file: SourcesFile, fetcher: FeedFetcher): FeedPoller {
    const onPolled = pollStatusWriter(infra.es, infra.indexPrefix);
    return new FeedPoller({ sources: file.sources, timezone: file.timezone, fetcher, intake, log: log.child({ pollers: what }), limits, onPolled });
  }

  function startPoller(what: string, file: SourcesFile, fetcher: FeedFetcher): FeedPoller {
    const poller = lifecycle.add(`poller (${what})`, createPoller(what, file, fetcher), (p) => p.stop());
    poller.start({ pollNow: true });
    return poller;
  }

  log.info({ url, push: `${url}/api/v1/documents`, sources: pollers.reduce((n, p) => n + p.sources.length, 0) }, `ingest listening on ${url}`);
  return { url, stop: () => lifecycle.stop() };
}

function selfUrl(address: ReturnType<HttpAppServer["address"]>, host: string): string {
  const port = typeof address === "object" && address !== null ? address.port : 0;
  // A wildcard listen address is not somewhere to connect to; loopback reaches it.
  const connectHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${connectHost}:${port}`;
}

type HttpAppServer = ReturnType<typeof createHttpServer>["server"];
