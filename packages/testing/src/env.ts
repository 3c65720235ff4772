import { randomBytes } from "node:crypto";

/** Env for a service or client under test: the test stack, plus unique topic and index prefixes. */
export interface IsolatedEnv {
  env: Record<string, string>;
  topicPrefix: string;
  indexPrefix: string;
}

/**
 * Env pointing at the test stack with prefixes unique to this call, so tests never see each other's data.
 * @example const { env, indexPrefix } = isolatedEnv("replay");
 */
export function isolatedEnv(label: string): IsolatedEnv {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 24) || "test";
  const unique = `${slug}-${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const topicPrefix = `t.${unique}.`;
  const indexPrefix = `t-${unique}-`;
  const env: Record<string, string> = {
    LIAOWANG_KAFKA_BROKERS: process.env.LIAOWANG_KAFKA_BROKERS ?? `127.0.0.1:${process.env.LIAOWANG_STACK_KAFKA_PORT ?? "9092"}`,
    LIAOWANG_ES_URL: process.env.LIAOWANG_ES_URL ?? `http://127.0.0.1:${process.env.LIAOWANG_STACK_ES_PORT ?? "9200"}`,
    LIAOWANG_TOPIC_PREFIX: topicPrefix,
    LIAOWANG_INDEX_PREFIX: indexPrefix,
    // a killed service's partitions move to its restarted replica within seconds, not 30 s
    LIAOWANG_KAFKA_SESSION_TIMEOUT_MS: "8000",
    LOG_LEVEL: process.env.LIAOWANG_TEST_LOG_LEVEL ?? "warn",
  };
  return { env, topicPrefix, indexPrefix };
}
