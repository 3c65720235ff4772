import { Partitioners, type Kafka, type Producer } from "kafkajs";
import type { z } from "zod";
import { topicName, topics, type TopicKey } from "@liaowang/schemas";
import { invalidInput, unavailable } from "@liaowang/errors";

export const SCHEMA_VERSION_HEADER = "liaowang-schema-version";

/** A producer that accepts only each catalog topic's schema input and waits for all in-sync replicas. */
export interface TypedProducer {
  send<K extends TopicKey>(key: K, messages: z.input<(typeof topics)[K]["schema"]>[]): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Connect an idempotent producer (broker-side de-duplication of retried sends) bound to a topic prefix.
 * @example const producer = await createProducer(kafka, "liaowang."); await producer.send("raw", [doc]);
 */
export async function createProducer(kafka: Kafka, topicPrefix: string): Promise<TypedProducer> {
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return {
    async send(key, messages) {
      if (messages.length === 0) return;
      const def = topics[key];
      const encoded = messages.map((message, index) => {
        const parsed = def.schema.safeParse(message);
        if (!parsed.success) {
          throw invalidInput(`message ${index} for topic ${def.name} does not match its schema: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
        }
        const value = parsed.data as never;
        return {
          key: def.key(value),
          value: JSON.stringify(value),
          headers: { [SCHEMA_VERSION_HEADER]: String(def.version) },
        };
      });
      try {
        await producer.send({ topic: topicName(topicPrefix, key), acks: -1, messages: encoded });
      } catch (error) {
        throw unavailable(`could not produce ${encoded.length} message(s) to ${topicName(topicPrefix, key)}: ${String(error)}`, error);
      }
    },
    async disconnect() {
      await producer.disconnect();
    },
  };
}
