import { describe, expect, it } from "vitest";
import { robotResult } from "./channels/robot-reply.js";
import { httpFailure, retryAfterMs } from "./http.js";

const reply = (status: number, text = "", headers: Record<string, string> = {}) => ({ status, text, headers: new Headers(headers) });
const now = Date.parse("2024-05-01T00:00:00Z");

describe("HTTP failure classification", () => {
  it("retries 5xx, 408 and 429 and gives up on other 4xx", () => {
    expect(httpFailure(reply(500), now).retriable).toBe(true);
    expect(httpFailure(reply(503), now).retriable).toBe(true);
    expect(httpFailure(reply(429), now).retriable).toBe(true);
    expect(httpFailure(reply(408), now).retriable).toBe(true);
    expect(httpFailure(reply(400), now).retriable).toBe(false);
    expect(httpFailure(reply(401), now).retriable).toBe(false);
    expect(httpFailure(reply(404, "not here"), now)).toEqual({ ok: false, retriable: false, status: 404, error: "HTTP 404: not here" });
    expect(httpFailure(reply(302), now).retriable).toBe(false);
  });

  it("honours Retry-After in seconds or as a date", () => {
    expect(httpFailure(reply(429, "", { "retry-after": "30" }), now).retryAfterMs).toBe(30_000);
    expect(retryAfterMs(new Headers({ "retry-after": "Wed, 01 May 2024 00:02:00 GMT" }), now)).toBe(120_000);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
  });
});

describe("robot errcode classification", () => {
  const rules = { 45009: { retriable: true, retryAfterMs: 60_000 } };
  it("treats only errcode 0 as success", () => {
    expect(robotResult(reply(200, '{"errcode":0,"errmsg":"ok"}'), now, "WeCom", rules)).toEqual({ ok: true, retriable: false, status: 0 });
    expect(robotResult(reply(200, '{"errcode":45009,"errmsg":"api freq out of limit"}'), now, "WeCom", rules)).toEqual({
      ok: false,
      retriable: true,
      status: 45009,
      error: "WeCom errcode 45009: api freq out of limit",
      retryAfterMs: 60_000,
    });
    expect(robotResult(reply(200, '{"errcode":93000,"errmsg":"invalid webhook url"}'), now, "WeCom", rules).retriable).toBe(false);
    expect(robotResult(reply(200, "<html>portal</html>"), now, "WeCom", rules).retriable).toBe(true);
    expect(robotResult(reply(502, "bad gateway"), now, "WeCom", rules)).toMatchObject({ ok: false, retriable: true, status: 502 });
  });
});
