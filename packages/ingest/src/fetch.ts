import { lookup as dnsLookup } from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";
import { Agent, request } from "undici";
import { LiaowangError, invalidInput, unavailable } from "@liaowang/errors";
import { AllowList, classifyAddress, isIpLiteral, unbracket } from "./address.js";

/** Options for {@link FeedFetcher} and {@link fetchFeed}. */
export interface FetchOptions {
  /** Internal hosts / CIDR ranges an admin allows (everything else must resolve to public addresses). */
  readonly allow?: readonly string[];
  /** Whole-fetch deadline including redirects and the body (default 20 s). */
  readonly timeoutMs?: number;
  /** Largest accepted body in bytes, enforced while streaming (default 10 MiB). */
  readonly maxBytes?: number;
  /** Most redirects followed, each re-checked (default 3). */
  readonly maxRedirects?: number;
  readonly userAgent?: string;
  /** Name resolution (default: the system resolver); tests inject one to simulate hostile DNS. */
  readonly resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

/** A fetched feed body with what is needed to decode it. */
export interface FetchedFeed {
  /** The URL the body finally came from (after redirects). */
  readonly url: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly bytes: Buffer;
}

/** Thrown (as the code "forbidden") when a URL or one of its redirects points where feeds may not be fetched from. */
export class BlockedFetchError extends LiaowangError {
  constructor(message: string) {
    super("forbidden", message);
    this.name = "BlockedFetchError";
  }
}

const DEFAULTS = { timeoutMs: 20_000, maxBytes: 10 * 1024 * 1024, maxRedirects: 3, userAgent: "Liaowang-Ingest/1.0 (+feed poller)" };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const systemResolve = (hostname: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Fetches feeds over http(s) from public addresses only. The address check runs inside the connection's
 * own DNS lookup, so the socket connects to exactly the address that was checked (no DNS-rebinding window
 * between check and connect), and every redirect hop goes through the same check. Allow-listed hosts skip it.
 * @example const fetcher = new FeedFetcher({ allow: ["intranet.gov.local"] }); const { bytes, contentType } = await fetcher.fetch(url);
 */
export class FeedFetcher {
  readonly #allow: AllowList;
  readonly #options: Required<Omit<FetchOptions, "allow">>;
  readonly #agent: Agent;

  constructor(options: FetchOptions = {}) {
    this.#allow = new AllowList(options.allow ?? []);
    this.#options = { ...DEFAULTS, resolve: systemResolve, ...stripUndefined(options) };
    const lookup = (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void => {
      this.#checkedLookup(hostname).then(
        (addresses) => {
          const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? addresses.filter((a) => a.family === lookupOptions.family) : addresses;
          const chosen = wanted.length > 0 ? wanted : addresses;
          if (lookupOptions.all === true) callback(null, chosen);
          else callback(null, chosen[0]?.address ?? "", chosen[0]?.family ?? 4);
        },
        (error: NodeJS.ErrnoException) => callback(error, ""),
      );
    };
    this.#agent = new Agent({
      connect: { lookup, timeout: this.#options.timeoutMs },
      headersTimeout: this.#options.timeoutMs,
      bodyTimeout: this.#options.timeoutMs,
      // A feed poller talks to many hosts rarely; keep few idle sockets around.
      connections: 4,
      keepAliveTimeout: 10_000,
    });
  }

  /** Fetch a feed URL, following at most `maxRedirects` redirects, each re-checked. */
  async fetch(url: string): Promise<FetchedFeed> {
    const signal = AbortSignal.timeout(this.#options.timeoutMs);
    let current = url;
    for (let hop = 0; ; hop++) {
      const target = this.#checkUrl(current, hop === 0 ? undefined : url);
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(target, {
          dispatcher: this.#agent,
          method: "GET",
          signal,
          headers: { "user-agent": this.#options.userAgent, accept: "application/rss+xml, application/atom+xml, application/xml;q=0.9, application/json;q=0.9, text/xml;q=0.8, */*;q=0.5" },
        });
      } catch (error) {
        throw explain(error, target.href, this.#options.timeoutMs);
      }
      const { statusCode, headers, body } = response;
      if (REDIRECTS.has(statusCode)) {
        await body.dump();
        const location = header(headers["location"]);
        if (location === undefined) throw unavailable(`${target.href} answered HTTP ${statusCode} without a Location header`);
        if (hop + 1 > this.#options.maxRedirects) throw invalidInput(`${url}: more than ${this.#options.maxRedirects} redirects (last to ${location})`);
        current = new URL(location, target).href;
        continue;
      }
      if (statusCode < 200 || statusCode > 299) {
        await body.dump();
        const message = `${target.href} answered HTTP ${statusCode}`;
        // the status rides on the error: evidence re-checks tell a deleted post (404/410) from a flaky server
        throw Object.assign(statusCode >= 500 || statusCode === 429 ? unavailable(message) : invalidInput(message), { httpStatus: statusCode });
      }
      const declared = Number(header(headers["content-length"]));
      if (Number.isFinite(declared) && declared > this.#options.maxBytes) {
        body.destroy();
        throw invalidInput(`${target.href}: feed is ${declared} bytes, more than the ${this.#options.maxBytes}-byte limit`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of body) {
          const piece = chunk as Buffer;
          size += piece.length;
          if (size > this.#options.maxBytes) {
            body.destroy();
            throw invalidInput(`${target.href}: feed is more than the ${this.#options.maxBytes}-byte limit; stopped reading`);
          }
          chunks.push(piece);
        }
      } catch (error) {
        throw explain(error, target.href, this.#options.timeoutMs);
      }
      return { url: target.href, status: statusCode, contentType: header(headers["content-type"]), bytes: Buffer.concat(chunks, size) };
    }
  }

  /** Close idle connections. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  #checkUrl(raw: string, from: string | undefined): URL {
    const via = from === undefined ? "" : ` (redirected from ${from})`;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalidInput(`"${raw.slice(0, 200)}" is not a URL${via}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new BlockedFetchError(`refusing to fetch ${url.href}${via}: only http and https feed URLs are allowed`);
    if (url.username !== "" || url.password !== "") throw new BlockedFetchError(`refusing to fetch ${url.origin}${via}: credentials in feed URLs are not allowed`);
    // An IP literal never goes through the lookup, so it is checked here.
    const host = unbracket(url.hostname);
    if (isIpLiteral(host) && !this.#allow.permitsHost(host)) this.#checkAddress(host, host, `${url.href}${via}`);
    return url;
  }

  async #checkedLookup(hostname: string): Promise<LookupAddress[]> {
    let addresses: LookupAddress[];
    try {
      addresses = await this.#options.resolve(hostname);
    } catch (error) {
      throw unavailable(`could not resolve ${hostname}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    if (addresses.length === 0) throw unavailable(`${hostname} resolved to no address`);
    if (this.#allow.permitsHost(hostname)) return addresses;
    // Every address must pass, not just the first: the socket may fall back to any of them.
    for (const { address } of addresses) this.#checkAddress(address, hostname, hostname);
    return addresses;
  }

  #checkAddress(address: string, host: string, what: string): void {
    if (this.#allow.permitsAddress(address)) return;
    const verdict = classifyAddress(address);
    if (!verdict.public) {
      const resolved = address === host ? address : `${host} resolves to ${address}`;
      throw new BlockedFetchError(`refusing to fetch ${what}: ${resolved}, a ${verdict.range} address; feeds are fetched from public addresses only unless an admin allow-lists the host (INGEST_ALLOW_INTERNAL)`);
    }
  }
}

/**
 * Fetch one feed with a one-off {@link FeedFetcher} (a poller keeps one fetcher for all its sources).
 * @example const { bytes, contentType } = await fetchFeed("https://www.example.gov.cn/rss.xml");
 */
export async function fetchFeed(url: string, options: FetchOptions = {}): Promise<FetchedFeed> {
  const fetcher = new FeedFetcher(options);
  try {
    return await fetcher.fetch(url);
  } finally {
    await fetcher.close();
  }
}

/** The HTTP status a fetch was refused with (non-2xx), if that is why it failed. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { httpStatus?: unknown } | null)?.httpStatus;
  return typeof status === "number" ? status : undefined;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// undici wraps lookup failures; surface our own error (blocked address, unresolvable host) when it is in the chain.
function explain(error: unknown, url: string, timeoutMs: number): unknown {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof LiaowangError) return e;
  }
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError" || /timeout/i.test(error.name))) {
    return unavailable(`${url}: no complete answer within ${timeoutMs} ms`, error);
  }
  return unavailable(`could not fetch ${url}: ${error instanceof Error ? error.message : String(error)}`, error);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
