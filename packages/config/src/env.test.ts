import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CommonEnv } from "./common.js";
import { loadEnv } from "./env.js";

describe("loadEnv", () => {
  it("applies local defaults", () => {
    const env = loadEnv(CommonEnv, {});
    expect(env.LIAOWANG_KAFKA_BROKERS).toEqual(["127.0.0.1:9092"]);
    expect(env.LIAOWANG_ES_URL).toBe("http://127.0.0.1:9200");
    expect(env.LIAOWANG_TOPIC_PREFIX).toBe("liaowang.");
  });

  it("fails with the key, the value and what was expected", () => {
    expect(() => loadEnv(CommonEnv, { LIAOWANG_KAFKA_BROKERS: "kafka-1", LIAOWANG_ES_URL: "es:9200" })).toThrowError(
      /LIAOWANG_KAFKA_BROKERS = "kafka-1": expected a comma-separated list of host:port[\s\S]*LIAOWANG_ES_URL = "es:9200"/,
    );
  });

  it("never echoes a rejected secret: the key and its length, not its value", () => {
    const Schema = z.object({ ALERTER_ACK_SECRET: z.string().min(32), LIAOWANG_INGEST_TOKENS: z.string().min(16), LIAOWANG_ES_PASSWORD: z.string().min(12), LIAOWANG_ES_API_KEY: z.string().min(20), smtp: z.object({ pass: z.string().min(10) }) });
    const env = { ALERTER_ACK_SECRET: "hunter2-short", LIAOWANG_INGEST_TOKENS: "tok-leak", LIAOWANG_ES_PASSWORD: "pw-leak", LIAOWANG_ES_API_KEY: "key-leak", smtp: { pass: "smtp-leak" } };
    let message = "";
    try {
      loadEnv(Schema, env as never);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("ALERTER_ACK_SECRET = (hidden, 13 characters)");
    for (const leaked of ["hunter2", "tok-leak", "pw-leak", "key-leak", "smtp-leak"]) expect(message).not.toContain(leaked);
  });

  it("names every wrong key at once", () => {
    const schema = z.object({ PORT: z.coerce.number().int().max(65535), MODE: z.enum(["a", "b"]) });
    try {
      loadEnv(schema, { PORT: "70000", MODE: "c" });
      expect.unreachable("loadEnv should have thrown");
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT = "70000"');
      expect(message).toContain('MODE = "c"');
    }
  });
});
