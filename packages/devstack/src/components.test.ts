import { describe, expect, it } from "vitest";
import { kafkaClusterId, stackComponents } from "./components.js";
import { stackLayout } from "./layout.js";

const argsOf = (env: NodeJS.ProcessEnv) => {
  const layout = stackLayout({ LIAOWANG_STACK_DIR: "/tmp/liaowang-components-test" });
  return Object.fromEntries(stackComponents(layout, env).map((c) => [c.name, c.javaArgs()]));
};

describe("dev stack JVM flags", () => {
  it("runs both servers with the client compiler only, before the main class", () => {
    const args = argsOf({});
    for (const [name, main] of [["kafka", "kafka.Kafka"], ["elasticsearch", "liaowang.devstack.EmbeddedElasticsearch"]] as const) {
      expect(args[name]!.indexOf("-XX:TieredStopAtLevel=1")).toBeGreaterThan(-1);
      expect(args[name]!.indexOf("-XX:TieredStopAtLevel=1")).toBeLessThan(args[name]!.indexOf(main));
    }
  });

  it("puts LIAOWANG_STACK_*_JVM_ARGS after the defaults, so a user's flag overrides them", () => {
    const args = argsOf({ LIAOWANG_STACK_ES_JVM_ARGS: " -XX:TieredStopAtLevel=4  -XX:+AlwaysPreTouch", LIAOWANG_STACK_KAFKA_JVM_ARGS: "-XX:TieredStopAtLevel=4" });
    const es = args.elasticsearch!;
    expect(es.lastIndexOf("-XX:TieredStopAtLevel=4")).toBeGreaterThan(es.indexOf("-XX:TieredStopAtLevel=1"));
    expect(es).toContain("-XX:+AlwaysPreTouch");
    expect(es).not.toContain("");
    expect(es.indexOf("-XX:+AlwaysPreTouch")).toBeLessThan(es.indexOf("liaowang.devstack.EmbeddedElasticsearch"));
    const kafka = args.kafka!;
    expect(kafka.lastIndexOf("-XX:TieredStopAtLevel=4")).toBeGreaterThan(kafka.indexOf("-XX:TieredStopAtLevel=1"));
    expect(kafka.indexOf("-XX:TieredStopAtLevel=4")).toBeLessThan(kafka.indexOf("kafka.Kafka"));
  });
});

describe("Kafka cluster id", () => {
  it("never starts with '-', which kafka-storage format would read as an option", () => {
    // 0xF8 as the first byte makes base64url's first character "-" (62).
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x41)];
    const id = kafkaClusterId(() => draws.shift()!);
    expect(Buffer.alloc(16, 0xf8).toString("base64url").startsWith("-")).toBe(true);
    expect(id).toBe(Buffer.alloc(16, 0x41).toString("base64url"));
    expect(id).toHaveLength(22);
    expect(draws).toHaveLength(0);
  });
});
