import { createRequire } from "node:module";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { keyPartitioner, murmur2 } from "./partitioner.js";

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require("kafkajs/src/producer/partitioners/default/murmur2") as (key: Buffer) => number;

// Keys as the services send them (content ids, story keys, incident ids), of every length modulo 4, in Chinese and
// Latin script, and random bytes.
const keys: Buffer[] = [
  "",
  "a",
  "ab",
  "abc",
  "abcd",
  "place:湖南省",
  "place:湖南省长沙市岳麓区",
  "0b0ca0c3b4b80e476fbc6ad2cbcb6893",
  "incident-01JD3ZK7W6",
  ...Array.from({ length: 2_000 }, (_, i) => `${i.toString(36)}-${"湖南长沙株洲".slice(0, i % 7)}-${i * 7919}`),
].map((k) => Buffer.from(k));
for (let i = 0; i < 2_000; i++) keys.push(Buffer.from(Array.from({ length: i % 67 }, (_, j) => (i * 31 + j * 17) & 0xff)));

const partitions = (n: number): PartitionMetadata[] => Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

describe("murmur2 / keyPartitioner", () => {
  it("hashes every key as kafkajs does, so keyed records keep their partitions", () => {
    for (const key of keys) expect(murmur2(key), key.toString("hex")).toBe(kafkajsMurmur2(key));
  });

  it("sends each key to the partition kafkajs's default partitioner chooses, and keeps an explicit partition", () => {
    const ours = keyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const n of [1, 3, 7, 64]) {
      const partitionMetadata = partitions(n);
      for (const key of keys) {
        const args = { topic: "t", partitionMetadata, message: { key: key.toString("latin1"), value: null } };
        expect(ours(args)).toBe(theirs(args));
      }
    }
    expect(ours({ topic: "t", partitionMetadata: partitions(3), message: { key: "x", value: null, partition: 2 } })).toBe(2);
  });

  it("spreads records without a key over the partitions that have a leader, in turn", () => {
    const ours = keyPartitioner();
    const metadata = partitions(3).map((p) => (p.partitionId === 1 ? { ...p, leader: -1 } : p));
    const chosen = Array.from({ length: 6 }, () => ours({ topic: "t", partitionMetadata: metadata, message: { value: null } }));
    expect(new Set(chosen)).toEqual(new Set([0, 2]));
    expect(chosen[0]).not.toBe(chosen[1]);
  });
});
