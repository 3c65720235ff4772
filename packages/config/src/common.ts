import { z } from "zod";
import { defaultConfigDir } from "./files.js";

const hostPort = /^[^\s,:]+:\d{1,5}$/;

/** Settings every service shares: where Kafka and Elasticsearch are and how names are prefixed. */
export const CommonEnv = z.object({
  LIAOWANG_KAFKA_BROKERS: z
    .string()
    .default("127.0.0.1:9092")
    .transform((value) => value.split(",").map((b) => b.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((b) => hostPort.test(b)), "expected a comma-separated list of host:port"),
  LIAOWANG_KAFKA_CLIENT_ID: z.string().min(1).default("liaowang"),
  LIAOWANG_ES_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:9200"),
  LIAOWANG_ES_API_KEY: z.string().min(1).optional(),
  LIAOWANG_ES_USERNAME: z.string().min(1).optional(),
  LIAOWANG_ES_PASSWORD: z.string().min(1).optional(),
  LIAOWANG_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, "expected letters, digits, '.', '_' or '-'")
    .default("liaowang."),
  LIAOWANG_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, "expected lowercase letters, digits, '_' or '-' (Elasticsearch index names)")
    .default("liaowang-"),
  /** How soon a crashed consumer's partitions move to another replica (Kafka group session timeout). */
  LIAOWANG_KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  LIAOWANG_CONFIG_DIR: z.string().min(1).default(defaultConfigDir),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type CommonEnv = z.output<typeof CommonEnv>;

/** The Kafka part of the common settings, in the shape the kafka package takes. */
export function kafkaSettings(env: CommonEnv): { brokers: string[]; clientId: string; topicPrefix: string } {
  return { brokers: env.LIAOWANG_KAFKA_BROKERS, clientId: env.LIAOWANG_KAFKA_CLIENT_ID, topicPrefix: env.LIAOWANG_TOPIC_PREFIX };
}

/** The Elasticsearch part of the common settings, in the shape the es package takes. */
export function esSettings(env: CommonEnv): { node: string; apiKey?: string; username?: string; password?: string; indexPrefix: string } {
  return {
    node: env.LIAOWANG_ES_URL,
    indexPrefix: env.LIAOWANG_INDEX_PREFIX,
    ...(env.LIAOWANG_ES_API_KEY ? { apiKey: env.LIAOWANG_ES_API_KEY } : {}),
    ...(env.LIAOWANG_ES_USERNAME ? { username: env.LIAOWANG_ES_USERNAME } : {}),
    ...(env.LIAOWANG_ES_PASSWORD ? { password: env.LIAOWANG_ES_PASSWORD } : {}),
  };
}
