import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("enrich config", () => {
  it("gathers raw posts for up to 100 ms or 64 KiB per fetch by default, and takes other values from the environment", () => {
    expect(loadConfig({})).toMatchObject({ ENRICH_FETCH_MIN_BYTES: 65_536, ENRICH_FETCH_WAIT_MS: 100 });
    expect(loadConfig({ ENRICH_FETCH_MIN_BYTES: "1", ENRICH_FETCH_WAIT_MS: "0" })).toMatchObject({ ENRICH_FETCH_MIN_BYTES: 1, ENRICH_FETCH_WAIT_MS: 0 });
  });

  it("refuses a wait longer than a second or no bytes at all, naming the key", () => {
    expect(() => loadConfig({ ENRICH_FETCH_WAIT_MS: "5000" })).toThrow(/ENRICH_FETCH_WAIT_MS/);
    expect(() => loadConfig({ ENRICH_FETCH_MIN_BYTES: "0" })).toThrow(/ENRICH_FETCH_MIN_BYTES/);
  });
});
