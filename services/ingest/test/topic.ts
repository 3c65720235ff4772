import type { createKafka } from "@liaowang/kafka";
import { RawDocument } from "@liaowang/schemas";

/** Reads a raw topic from the beginning into memory, for assertions in integration tests. */
export async function readRawTopic(kafka: ReturnType<typeof createKafka>, topic: string): Promise<{ docs: RawDocument[]; stop: () => Promise<void> }> {
  const docs: RawDocument[] = [];
  const consumer = kafka.consumer({ groupId: `test-reader-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      docs.push(RawDocument.parse(JSON.parse(message.value?.toString() ?? "null")));
    },
  });
  return { docs, stop: () => consumer.disconnect() };
}
