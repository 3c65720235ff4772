import { join } from "node:path";
import { repoRoot } from "@liaowang/config";
import type { Env } from "@liaowang/config";

/**
 * Versions of the servers the dev stack runs. Elasticsearch is the newest 8.x whose server jar *and*
 * transport-netty4 plugin are both on Maven Central; the @elastic/elasticsearch client is on the same 8.x line.
 */
export const KAFKA_VERSION = "3.9.2";
export const ES_VERSION = "8.19.21";

/** Where the dev stack keeps artifacts, data, logs and pid files, and which loopback ports it uses. */
export interface StackLayout {
  root: string;
  artifacts: { kafka: string; es: string };
  data: { kafka: string; es: string };
  logs: string;
  run: string;
  ports: { kafka: number; kafkaController: number; es: number; esTransport: number };
  /** Java sources of the embedded Elasticsearch launcher, compiled on fetch. */
  launcherSources: string;
}

function port(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${key} = ${JSON.stringify(raw)}: expected a TCP port number 1-65535`);
  }
  return value;
}

/**
 * The stack layout from the environment: LIAOWANG_STACK_DIR (default `<repo>/.devstack`), LIAOWANG_STACK_ARTIFACTS_DIR
 * (default `<stack dir>/artifacts`, shareable between stack directories),
 * LIAOWANG_STACK_KAFKA_PORT (9092; the KRaft controller uses the next port) and LIAOWANG_STACK_ES_PORT (9200;
 * transport on port + 100).
 */
export function stackLayout(env: Env = process.env): StackLayout {
  const root = env.LIAOWANG_STACK_DIR || join(repoRoot, ".devstack");
  const artifacts = env.LIAOWANG_STACK_ARTIFACTS_DIR || join(root, "artifacts");
  const kafka = port(env, "LIAOWANG_STACK_KAFKA_PORT", 9092);
  const es = port(env, "LIAOWANG_STACK_ES_PORT", 9200);
  return {
    root,
    artifacts: { kafka: join(artifacts, `kafka-${KAFKA_VERSION}`), es: join(artifacts, `elasticsearch-${ES_VERSION}`) },
    data: { kafka: join(root, "data", "kafka"), es: join(root, "data", "elasticsearch") },
    logs: join(root, "logs"),
    run: join(root, "run"),
    ports: { kafka, kafkaController: kafka + 1, es, esTransport: es + 100 },
    launcherSources: join(repoRoot, "packages", "devstack", "java"),
  };
}
