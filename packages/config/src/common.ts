import { readFileSync } from "node:fs";
import { z } from "zod";
import { invalidInput } from "@liaowang/errors";
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
  /** Secrets from files (Docker/Kubernetes secrets) instead of the environment; the file's content, trimmed. */
  LIAOWANG_ES_API_KEY_FILE: z.string().min(1).optional(),
  LIAOWANG_ES_PASSWORD_FILE: z.string().min(1).optional(),
  /** PEM file of the CA that signed Elasticsearch's HTTPS certificate (https:// URLs; system CAs otherwise). */
  LIAOWANG_ES_CA_FILE: z.string().min(1).optional(),
  /** SASL on the Kafka connection (SCRAM for production clusters); unset: none, as on the loopback dev stack. */
  LIAOWANG_KAFKA_SASL_MECHANISM: z.enum(["scram-sha-256", "scram-sha-512", "plain"]).optional(),
  LIAOWANG_KAFKA_USERNAME: z.string().min(1).optional(),
  LIAOWANG_KAFKA_PASSWORD: z.string().min(1).optional(),
  LIAOWANG_KAFKA_PASSWORD_FILE: z.string().min(1).optional(),
  /** TLS to the brokers: "on" uses the system CAs; LIAOWANG_KAFKA_CA_FILE (PEM) turns it on with that CA. */
  LIAOWANG_KAFKA_TLS: z.enum(["on", "off"]).default("off"),
  LIAOWANG_KAFKA_CA_FILE: z.string().min(1).optional(),
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

/** A secret given directly or as a file (`<KEY>_FILE`), never both; the file's content is trimmed. */
function secretOf(env: CommonEnv, key: "LIAOWANG_ES_API_KEY" | "LIAOWANG_ES_PASSWORD" | "LIAOWANG_KAFKA_PASSWORD"): string | undefined {
  const fileKey = `${key}_FILE` as const;
  const file = env[fileKey];
  if (file === undefined) return env[key];
  if (env[key] !== undefined) throw invalidInput(`${key} and ${fileKey} are both set: give the secret one way`);
  return readPem(file, fileKey);
}

function readPem(file: string, key: string): string {
  try {
    const text = readFileSync(file, "utf8").trim();
    if (text === "") throw new Error("the file is empty");
    return text;
  } catch (error) {
    // the message names the key and the path, never the content
    throw invalidInput(`${key} = ${JSON.stringify(file)}: cannot read it (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
  }
}

/** SASL credentials for Kafka. */
export interface KafkaSasl {
  mechanism: "scram-sha-256" | "scram-sha-512" | "plain";
  username: string;
  password: string;
}

/**
 * The Kafka part of the common settings, in the shape the kafka package takes: brokers, client id, prefix, and for
 * secured clusters SASL (mechanism, user, password) and TLS (optionally a CA file). Fails naming the keys when the
 * credentials are incomplete, never echoing a password.
 */
export function kafkaSettings(env: CommonEnv): { brokers: string[]; clientId: string; topicPrefix: string; sasl?: KafkaSasl; tls?: { ca?: string } } {
  const password = secretOf(env, "LIAOWANG_KAFKA_PASSWORD");
  const mechanism = env.LIAOWANG_KAFKA_SASL_MECHANISM;
  const username = env.LIAOWANG_KAFKA_USERNAME;
  if (mechanism === undefined && (username !== undefined || password !== undefined)) {
    throw invalidInput("LIAOWANG_KAFKA_USERNAME / LIAOWANG_KAFKA_PASSWORD are set but LIAOWANG_KAFKA_SASL_MECHANISM is not: expected scram-sha-256, scram-sha-512 or plain");
  }
  if (mechanism !== undefined && (username === undefined || password === undefined)) {
    throw invalidInput(`LIAOWANG_KAFKA_SASL_MECHANISM = "${mechanism}" needs LIAOWANG_KAFKA_USERNAME and LIAOWANG_KAFKA_PASSWORD (or LIAOWANG_KAFKA_PASSWORD_FILE)`);
  }
  const ca = env.LIAOWANG_KAFKA_CA_FILE === undefined ? undefined : readPem(env.LIAOWANG_KAFKA_CA_FILE, "LIAOWANG_KAFKA_CA_FILE");
  const tls = env.LIAOWANG_KAFKA_TLS === "on" || ca !== undefined ? (ca === undefined ? {} : { ca }) : undefined;
  return {
    brokers: env.LIAOWANG_KAFKA_BROKERS,
    clientId: env.LIAOWANG_KAFKA_CLIENT_ID,
    topicPrefix: env.LIAOWANG_TOPIC_PREFIX,
    ...(mechanism && username && password ? { sasl: { mechanism, username, password } } : {}),
    ...(tls ? { tls } : {}),
  };
}

/**
 * The Elasticsearch part of the common settings, in the shape the es package takes: an API key (preferred) or basic
 * auth, and the CA of an HTTPS cluster. Fails naming the keys when credentials are incomplete or ambiguous.
 */
export function esSettings(env: CommonEnv): { node: string; apiKey?: string; username?: string; password?: string; caPem?: string; indexPrefix: string } {
  const apiKey = secretOf(env, "LIAOWANG_ES_API_KEY");
  const password = secretOf(env, "LIAOWANG_ES_PASSWORD");
  const username = env.LIAOWANG_ES_USERNAME;
  if (apiKey !== undefined && (username !== undefined || password !== undefined)) {
    throw invalidInput("LIAOWANG_ES_API_KEY and LIAOWANG_ES_USERNAME / LIAOWANG_ES_PASSWORD are both set: use one way to authenticate (an API key per service is recommended)");
  }
  if ((username === undefined) !== (password === undefined)) {
    throw invalidInput("LIAOWANG_ES_USERNAME and LIAOWANG_ES_PASSWORD (or LIAOWANG_ES_PASSWORD_FILE) go together: one of them is missing");
  }
  if (env.LIAOWANG_ES_CA_FILE !== undefined && !env.LIAOWANG_ES_URL.startsWith("https:")) {
    throw invalidInput(`LIAOWANG_ES_CA_FILE is set but LIAOWANG_ES_URL = ${JSON.stringify(env.LIAOWANG_ES_URL)} is not https://`);
  }
  return {
    node: env.LIAOWANG_ES_URL,
    indexPrefix: env.LIAOWANG_INDEX_PREFIX,
    ...(apiKey ? { apiKey } : {}),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(env.LIAOWANG_ES_CA_FILE ? { caPem: readPem(env.LIAOWANG_ES_CA_FILE, "LIAOWANG_ES_CA_FILE") } : {}),
  };
}
