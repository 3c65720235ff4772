import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("defaults to production mode (no demo) and finds demo files in the config dir when asked", () => {
    expect(loadConfig({ LIAOWANG_CONFIG_DIR: "/etc/liaowang" }).demo).toBeUndefined();
    const config = loadConfig({ LIAOWANG_CONFIG_DIR: "/etc/liaowang", LIAOWANG_DEMO: "on" });
    expect(config).toMatchObject({
      INGEST_HTTP_HOST: "127.0.0.1",
      INGEST_HTTP_PORT: 8081,
      LIAOWANG_INGEST_TOKENS: [],
      INGEST_ALLOW_INTERNAL: [],
      sourcesFile: "/etc/liaowang/sources.yaml",
      demo: { dir: "/etc/liaowang/demo", sourcesFile: "/etc/liaowang/sources.demo.yaml" },
    });
  });

  it("turns demo mode and feed polling off, and splits lists", () => {
    const config = loadConfig({ LIAOWANG_DEMO: "off", INGEST_SOURCES_FILE: "none", LIAOWANG_INGEST_TOKENS: "a".repeat(16) + ", " + "b".repeat(20), INGEST_ALLOW_INTERNAL: "intranet.gov.local, 10.0.0.0/8" });
    expect(config).toMatchObject({ demo: undefined, sourcesFile: undefined, LIAOWANG_INGEST_TOKENS: ["a".repeat(16), "b".repeat(20)], INGEST_ALLOW_INTERNAL: ["intranet.gov.local", "10.0.0.0/8"] });
  });

  it("fails naming each wrong key, its value (not a secret's) and what was expected", () => {
    expect(() => loadConfig({ LIAOWANG_DEMO: "of", INGEST_HTTP_PORT: "99999", LIAOWANG_INGEST_TOKENS: "short" })).toThrow(
      [
        "Invalid configuration:",
        "INGEST_HTTP_PORT = \"99999\": Too big: expected number to be <=65535",
        // a secret is named with its length, never echoed
        "LIAOWANG_INGEST_TOKENS = (hidden, 5 characters): expected comma-separated tokens of at least 16 characters each",
        'LIAOWANG_DEMO = "of": expected "on" or "off"',
      ].join("\n"),
    );
  });
});
