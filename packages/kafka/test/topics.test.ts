import { describe, expect, it } from "vitest";
import { createLogger } from "@liaowang/logger";
import { isolatedEnv } from "@liaowang/testing";
import { createKafka, ensureTopics } from "../src/index.js";

// Services start together and each ensures the topics it touches: several creating the same fresh topics at once
// must all come up (kafkajs's own wait for leaders gave up on a topic another client had just created, and the
// service died at start-up), with every partition led.

const { env, topicPrefix } = isolatedEnv("kafka-topics");
const log = createLogger({ service: "kafka-test", level: "silent" });

describe("ensureTopics", () => {
  it("lets six clients create the same fresh topics at once, each returning only when every partition has a leader", async () => {
    const names = ["raw", "enriched", "incidents", "alert-events", "dead-letter"].map((t) => `${topicPrefix}${t}`);
    const admins = Array.from({ length: 6 }, (_, i) => createKafka({ brokers: [env.LIAOWANG_KAFKA_BROKERS!], clientId: `topics-${i}`, topicPrefix }, log).admin());
    await Promise.all(admins.map((a) => a.connect()));
    try {
      await Promise.all(admins.map((admin) => ensureTopics(admin, names)));
      const { topics } = await admins[0]!.fetchTopicMetadata({ topics: names });
      expect(topics.map((t) => t.name).sort()).toEqual([...names].sort());
      for (const topic of topics) {
        expect(topic.partitions).toHaveLength(3);
        expect(topic.partitions.every((p) => p.leader >= 0)).toBe(true);
      }
      await admins[0]!.deleteTopics({ topics: names });
    } finally {
      await Promise.all(admins.map((a) => a.disconnect()));
    }
  });
});
