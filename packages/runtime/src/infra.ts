import type { Kafka } from "kafkajs";
import { esSettings, kafkaSettings, type CommonEnv } from "@liaowang/config";
import { createKafka, createProducer, ensureTopics, type TypedProducer } from "@liaowang/kafka";
import { createEsClient, type Client } from "@liaowang/es";
import { topicName, type TopicKey } from "@liaowang/schemas";
import type { Logger } from "@liaowang/logger";
import type { Lifecycle } from "./service.js";

/** The infrastructure clients a service uses, registered for shutdown on its lifecycle. */
export interface Infra {
  kafka: Kafka;
  producer: TypedProducer;
  topicPrefix: string;
  es: Client;
  indexPrefix: string;
  /** Consumer group session timeout from LIAOWANG_KAFKA_SESSION_TIMEOUT_MS: pass it to runConsumer. */
  sessionTimeout: number;
}

/**
 * Connect Kafka (ensuring the topics the service touches exist) and Elasticsearch.
 * Registered first so they are closed last.
 */
export async function connectInfra(env: CommonEnv, log: Logger, lifecycle: Lifecycle, topicKeys: TopicKey[]): Promise<Infra> {
  const ks = kafkaSettings(env);
  const kafka = createKafka(ks, log);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicKeys.map((key) => topicName(ks.topicPrefix, key)));
  } finally {
    await admin.disconnect();
  }
  const es = lifecycle.add("elasticsearch", createEsClient(esSettings(env)), (client) => client.close());
  const producer = lifecycle.add("producer", await createProducer(kafka, ks.topicPrefix), (p) => p.disconnect());
  return { kafka, producer, topicPrefix: ks.topicPrefix, es, indexPrefix: env.LIAOWANG_INDEX_PREFIX, sessionTimeout: env.LIAOWANG_KAFKA_SESSION_TIMEOUT_MS };
}
