import type { DeliveryResult } from "./notification.js";

/** The fetch signature channels use; Node 20's global fetch by default, injectable for a custom dispatcher. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options shared by the HTTP channels. */
export interface HttpChannelOptions {
  /** Per-request timeout; the outbox lease must exceed the sends of one dispatch round. Default 10 s. */
  timeoutMs?: number;
  fetch?: FetchLike;
  /** Epoch ms, used for signature timestamps. Default `Date.now`. */
  clock?: () => number;
}

/** Default per-request timeout of the HTTP channels. */
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** What a POST came back with, body already read (capped) so the connection is released. */
export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
}

const MAX_REPLY_CHARS = 64 * 1024;

/**
 * POST a JSON body with a timeout. Redirects are not followed: a signed POST must not be replayed
 * to wherever a 3xx points. Network errors and timeouts come back as a retriable DeliveryResult.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: HttpChannelOptions,
): Promise<HttpReply | DeliveryResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  try {
    const response = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "user-agent": "liaowang-notify/1", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = (await response.text()).slice(0, MAX_REPLY_CHARS);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    return { ok: false, retriable: true, error: describeFetchError(error, timeoutMs) };
  }
}

/** True when `postJson` produced a result instead of a reply (the request never completed). */
export function isDeliveryResult(value: HttpReply | DeliveryResult): value is DeliveryResult {
  return "ok" in value;
}

// Deliberately never includes the URL: robot URLs embed their keys.
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") return `no reply within ${timeoutMs} ms`;
    // undici wraps the socket error: "fetch failed" with the useful part in `cause`.
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause && typeof cause === "object" && "code" in cause && cause.code) return `network error: ${String(cause.code)}`;
    if (cause instanceof Error) return `network error: ${cause.message}`;
    return `network error: ${error.message}`;
  }
  return `network error: ${String(error)}`;
}

/** Retry-After (seconds or HTTP date) in ms, if present and sane. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Classify a non-2xx HTTP status: 5xx, 408 and 429 are retriable, other 4xx and 3xx are not.
 * @example httpFailure({ status: 503, ... }, Date.now()).retriable === true
 */
export function httpFailure(reply: HttpReply, now: number): DeliveryResult {
  const retriable = reply.status >= 500 || reply.status === 429 || reply.status === 408;
  const after = retriable ? retryAfterMs(reply.headers, now) : undefined;
  return {
    ok: false,
    retriable,
    status: reply.status,
    error: `HTTP ${reply.status}${reply.text ? `: ${reply.text.slice(0, 200)}` : ""}`,
    ...(after === undefined ? {} : { retryAfterMs: after }),
  };
}

/** True for 2xx. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
