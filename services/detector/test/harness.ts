import type { Consumer, Kafka } from "kafkajs";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { createEsClient } from "@liaowang/es";
import { createProducer, type TypedProducer } from "@liaowang/kafka";
import { Incident, topicName } from "@liaowang/schemas";
import type { SpawnedService } from "@liaowang/testing";

/** What a detector test on the real stack shares: its spawned replicas, a producer, the incidents they published. */
export interface DetectorHarness {
  /** Replicas the test spawned: stopped after the file, their output printed when a test fails. */
  services: SpawnedService[];
  /** Every incident message published on the incidents topic, in arrival order. */
  received: Incident[];
  /** A producer for the file's topics (set once the file's set-up ran). */
  readonly producer: TypedProducer;
}

/**
 * Registers a detector integration file's set-up and tear-down: the enriched, incidents and dead-letter topics with 3
 * partitions under `topicPrefix`, a producer, a reader collecting every published incident, and at the end the spawned
 * replicas stopped, the clients closed and the file's indices deleted. `tailChars` of each replica's output are
 * printed when a test fails.
 */
export function detectorHarness(opts: { kafka: Kafka; es: ReturnType<typeof createEsClient>; topicPrefix: string; indexPrefix: string; tailChars: number }): DetectorHarness {
  const { kafka, es, topicPrefix, indexPrefix, tailChars } = opts;
  const services: SpawnedService[] = [];
  const received: Incident[] = [];
  let producer: TypedProducer | undefined;
  let reader: Consumer | undefined;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: (["enriched", "incidents", "deadLetter"] as const).map((t) => ({ topic: topicName(topicPrefix, t), numPartitions: 3, replicationFactor: -1 })),
    });
    await admin.disconnect();
    producer = await createProducer(kafka, topicPrefix);
    reader = kafka.consumer({ groupId: `${topicPrefix}reader` });
    await reader.connect();
    await reader.subscribe({ topic: topicName(topicPrefix, "incidents"), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void received.push(Incident.parse(JSON.parse(message.value!.toString()))) });
  });

  afterEach((context) => {
    if (context.task.result?.state === "fail") for (const s of services) process.stderr.write(s.output().slice(-tailChars));
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await reader?.disconnect();
    await producer?.disconnect();
    await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
    await es.close();
  });

  return {
    services,
    received,
    get producer(): TypedProducer {
      if (!producer) throw new Error("the detector harness's producer is used before its beforeAll ran");
      return producer;
    },
  };
}
