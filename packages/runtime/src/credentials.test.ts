import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommonEnv, esSettings, kafkaSettings, loadEnv } from "@liaowang/config";
import { esClientOptions } from "@liaowang/es";
import { kafkaConnection } from "@liaowang/kafka";
import { tempDir } from "@liaowang/testing/temp";

// Every service connects through connectInfra: what it would connect with, from the environment alone (there is
// no secured cluster in this repository's tests; these check the configuration, not a live handshake).

const dir = tempDir("liaowang-credentials-");
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const CA = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZmFrZS1jYS1mb3ItdGVzdHM=\n-----END CERTIFICATE-----";
const env = (vars: Record<string, string>) => loadEnv(CommonEnv, vars);
const kafkaOf = (vars: Record<string, string>) => kafkaConnection(kafkaSettings(env(vars)));
const esOf = (vars: Record<string, string>) => esClientOptions(esSettings(env(vars)));

/** The message of what `fn` throws. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected a failure");
}

describe("Kafka credentials from the environment", () => {
  it("connects without SASL or TLS when none is configured (the loopback dev stack)", () => {
    const config = kafkaOf({ LIAOWANG_KAFKA_BROKERS: "127.0.0.1:9092" });
    expect(config).toEqual({ clientId: "liaowang", brokers: ["127.0.0.1:9092"] });
  });

  it("uses SCRAM as the service's own user, over TLS with the given CA", () => {
    const config = kafkaOf({
      LIAOWANG_KAFKA_BROKERS: "kafka-1.gov.internal:9093,kafka-2.gov.internal:9093",
      LIAOWANG_KAFKA_SASL_MECHANISM: "scram-sha-512",
      LIAOWANG_KAFKA_USERNAME: "indexer",
      LIAOWANG_KAFKA_PASSWORD: "s3cret-indexer-password",
      LIAOWANG_KAFKA_CA_FILE: file("kafka-ca.pem", `${CA}\n`),
    });
    expect(config.sasl).toEqual({ mechanism: "scram-sha-512", username: "indexer", password: "s3cret-indexer-password" });
    expect(config.ssl).toEqual({ ca: [CA], rejectUnauthorized: true });
    expect(config.brokers).toEqual(["kafka-1.gov.internal:9093", "kafka-2.gov.internal:9093"]);
  });

  it("reads the password from a file (Docker and Kubernetes secrets) and TLS on with the system CAs", () => {
    const config = kafkaOf({
      LIAOWANG_KAFKA_SASL_MECHANISM: "scram-sha-256",
      LIAOWANG_KAFKA_USERNAME: "alerter",
      LIAOWANG_KAFKA_PASSWORD_FILE: file("kafka.password", "from-a-secret-file\n"),
      LIAOWANG_KAFKA_TLS: "on",
    });
    expect(config.sasl).toEqual({ mechanism: "scram-sha-256", username: "alerter", password: "from-a-secret-file" });
    expect(config.ssl).toBe(true);
  });

  it("refuses incomplete credentials naming the keys, never echoing the password", () => {
    const noMechanism = failure(() => kafkaOf({ LIAOWANG_KAFKA_USERNAME: "enrich", LIAOWANG_KAFKA_PASSWORD: "hunter2-hunter2" }));
    expect(noMechanism).toMatch(/LIAOWANG_KAFKA_SASL_MECHANISM/);
    expect(noMechanism).not.toContain("hunter2");
    expect(failure(() => kafkaOf({ LIAOWANG_KAFKA_SASL_MECHANISM: "scram-sha-512", LIAOWANG_KAFKA_USERNAME: "enrich" }))).toMatch(/LIAOWANG_KAFKA_PASSWORD/);
    const both = failure(() =>
      kafkaOf({ LIAOWANG_KAFKA_SASL_MECHANISM: "plain", LIAOWANG_KAFKA_USERNAME: "x", LIAOWANG_KAFKA_PASSWORD: "hunter2-hunter2", LIAOWANG_KAFKA_PASSWORD_FILE: file("p", "y") }),
    );
    expect(both).toMatch(/both set/);
    expect(both).not.toContain("hunter2");
    const wrong = failure(() => env({ LIAOWANG_KAFKA_SASL_MECHANISM: "gssapi" }));
    expect(wrong).toMatch(/LIAOWANG_KAFKA_SASL_MECHANISM/);
    expect(failure(() => kafkaOf({ LIAOWANG_KAFKA_CA_FILE: join(dir, "missing.pem") }))).toMatch(/LIAOWANG_KAFKA_CA_FILE = ".*missing\.pem": cannot read it/);
  });
});

describe("Elasticsearch credentials from the environment", () => {
  it("connects without credentials when none are configured (the loopback dev stack)", () => {
    const options = esOf({});
    expect(options.node).toBe("http://127.0.0.1:9200");
    expect(options.auth).toBeUndefined();
    expect(options.tls).toBeUndefined();
  });

  it("uses the service's API key, from the environment or a file, and the cluster's CA over HTTPS", () => {
    expect(esOf({ LIAOWANG_ES_API_KEY: "aWQ6a2V5LWZvci1hcGk=" }).auth).toEqual({ apiKey: "aWQ6a2V5LWZvci1hcGk=" });
    const options = esOf({
      LIAOWANG_ES_URL: "https://es.gov.internal:9200",
      LIAOWANG_ES_API_KEY_FILE: file("es.key", "aWQ6ZnJvbS1maWxl\n"),
      LIAOWANG_ES_CA_FILE: file("es-ca.pem", CA),
    });
    expect(options.auth).toEqual({ apiKey: "aWQ6ZnJvbS1maWxl" });
    expect(options.tls).toEqual({ ca: CA, rejectUnauthorized: true });
  });

  it("uses basic auth when given a user and password", () => {
    expect(esOf({ LIAOWANG_ES_USERNAME: "liaowang_api", LIAOWANG_ES_PASSWORD_FILE: file("es.password", "pw-from-file") }).auth).toEqual({ username: "liaowang_api", password: "pw-from-file" });
  });

  it("refuses ambiguous or incomplete credentials and a CA for a plain-HTTP URL, never echoing a secret", () => {
    const both = failure(() => esOf({ LIAOWANG_ES_API_KEY: "c2VjcmV0LWtleQ==", LIAOWANG_ES_USERNAME: "u", LIAOWANG_ES_PASSWORD: "hunter2-hunter2" }));
    expect(both).toMatch(/one way/);
    expect(both).not.toContain("c2VjcmV0LWtleQ");
    expect(both).not.toContain("hunter2");
    expect(failure(() => esOf({ LIAOWANG_ES_USERNAME: "u" }))).toMatch(/LIAOWANG_ES_PASSWORD/);
    expect(failure(() => esOf({ LIAOWANG_ES_CA_FILE: file("ca2.pem", CA) }))).toMatch(/not https/);
  });
});
