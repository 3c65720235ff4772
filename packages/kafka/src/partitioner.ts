import { randomBytes } from "node:crypto";
import type { ICustomPartitioner } from "kafkajs";

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 of a key's bytes (the Java client's `Utils.murmur2`), as kafkajs computes it for its default
 * partitioner, in 32-bit integer arithmetic: kafkajs does it on 64-bit BigInt `Long`s, several allocations per four
 * bytes of key, ~10% of ingest's CPU per post. Only the low 32 bits of kafkajs's products and xors are ever read
 * (`toInt`), and they depend only on the operands' low 32 bits, so `Math.imul` gives the same numbers (a test
 * compares both on many keys).
 * @example murmur2(Buffer.from("湖南省")) // the same as kafkajs's murmur2
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16;
    if (tail >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
}

const toPositive = (x: number) => x & 0x7fffffff;

/**
 * kafkajs's `Partitioners.DefaultPartitioner` (Java-compatible: a keyed record goes to murmur2(key) mod partitions,
 * so the same key reaches the same partition as before and as other Kafka clients send it; an explicit partition is
 * kept; records without a key go round-robin over the partitions that have a leader), with {@link murmur2} in 32-bit
 * arithmetic.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const numPartitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) {
      return toPositive(murmur2(Buffer.isBuffer(message.key) ? message.key : Buffer.from(String(message.key)))) % numPartitions;
    }
    const next = (counters.get(topic) ?? randomBytes(4).readUInt32BE(0)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[toPositive(next) % available.length]!.partitionId;
    return toPositive(next) % numPartitions;
  };
};
