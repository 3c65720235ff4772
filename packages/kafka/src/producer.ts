import type { ConfigResourceTypes, Kafka, Message, Producer } from "kafkajs";
import type { z } from "zod";
import { topicName, topics, type TopicKey } from "@liaowang/schemas";
import { invalidInput, LiaowangError, unavailable } from "@liaowang/errors";
import { keyPartitioner } from "./partitioner.js";

export const SCHEMA_VERSION_HEADER = "liaowang-schema-version";

/** A record {@link TypedProducer.sendAll} did not produce because it alone exceeds the topic's message limit. */
export interface TooLarge {
  /** Index in the `messages` passed in. */
  index: number;
  bytes: number;
  reason: string;
}

type Input<K extends TopicKey> = z.input<(typeof topics)[K]["schema"]>;

/** How a send treats its messages. */
export interface SendOptions {
  /**
   * The messages are already the schema's output (the schema would return them unchanged), built by the caller's typed code from a schema parse (ingest's
   * `normaliseRecord`) or by code a test checks against the schema (`enrichDocument`): they are not parsed again.
   * Re-parsing every enriched document cost ~5% of enrich's CPU and allocated a second copy of each.
   */
  validated: true;
}

/**
 * A message encoded for its topic by {@link TypedProducer.prepare}: its key, JSON bytes and size, ready for
 * {@link TypedProducer.sendPrepared}. Holding these instead of the messages lets a caller drop each message object as
 * soon as it is built.
 */
export interface Prepared<K extends TopicKey> {
  readonly topic: K;
  readonly message: Message;
  readonly bytes: number;
}

/** A producer that accepts only each catalog topic's schema input and waits for all in-sync replicas. */
export interface TypedProducer {
  /**
   * Produce every message (in byte-bounded chunks) or throw: `invalid_input` (not retriable) when a message does
   * not match its schema or is alone larger than the topic accepts, `unavailable` when Kafka fails.
   */
  send<K extends TopicKey>(key: K, messages: Input<K>[], options?: SendOptions): Promise<void>;
  /**
   * Like `send`, but a message that is alone larger than the topic accepts is left out and returned (with the
   * reason) instead of failing the others, so the caller can dead-letter exactly that record.
   */
  sendAll<K extends TopicKey>(key: K, messages: Input<K>[], options?: SendOptions): Promise<TooLarge[]>;
  /**
   * Encode one message for `sendPrepared` now (checked with the schema unless `validated`; throws `invalid_input` when
   * it does not match). A batch built and encoded message by message leaves only bytes alive until it is produced: a
   * batch of ~500 enriched documents held as objects until `sendAll` survived young-generation collections and was
   * copied into the old generation.
   */
  prepare<K extends TopicKey>(key: K, message: Input<K>, options?: SendOptions): Prepared<K>;
  /** `sendAll` of prepared messages: what alone exceeds the topic's limit is left out and returned by its index. */
  sendPrepared<K extends TopicKey>(key: K, prepared: readonly Prepared<K>[]): Promise<TooLarge[]>;
  /** Bytes one produce request may carry to this topic (below the topic's and broker's message limit). */
  batchBytes(key: TopicKey): Promise<number>;
  /** Produce requests made and chunks (callers' byte-bounded pieces of their sends) they carried, since connect. */
  stats(): { requests: number; chunks: number };
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  /**
   * Upper bound of one produce request's bytes; by default the topic's `max.message.bytes` (which Kafka derives
   * from the broker's `message.max.bytes` unless the topic overrides it), read from the cluster.
   */
  maxBatchBytes?: number | undefined;
  /** Compress record batches (gzip is built into kafkajs); off by default. */
  compression?: "none" | "gzip";
}

/** Kafka's own default `message.max.bytes`, used when the topic's limit cannot be read (e.g. no DescribeConfigs ACL). */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

// A record batch's header (61 bytes) plus a margin for the request framing; each record adds varints and attributes.
const BATCH_OVERHEAD = 1_024;
const RECORD_OVERHEAD = 40;

/**
 * Connect an idempotent producer (broker-side de-duplication of retried sends) bound to a topic prefix. Every send is
 * cut into chunks whose encoded size stays below the topic's message limit, so a burst can never make one produce
 * request that Kafka refuses as a whole ("message larger than the max message size").
 *
 * Group commit: an idempotent kafkajs producer makes one request at a time per broker (its sequence numbers need
 * it), and every concurrent `send` used to wait for its own round trip (acks=all). Under many concurrent callers
 * (push requests arriving 10–50 a second) the queue of round trips grew faster than it drained, requests waited
 * seconds and the push API timed out with 503 at 1,000 posts/s. Now chunks wait in one queue and each produce request
 * carries every chunk queued while the previous one was in flight (up to the message limit): no added latency when
 * idle, one round trip for many callers when busy.
 * @example const producer = await createProducer(kafka, "liaowang."); await producer.send("raw", [doc]);
 */
export async function createProducer(kafka: Kafka, topicPrefix: string, options: ProducerOptions = {}): Promise<TypedProducer> {
  const producer: Producer = kafka.producer({ createPartitioner: keyPartitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const limits = new Map<string, Promise<number>>();
  const compression = options.compression === "gzip" ? 1 : 0;

  const limitOf = (topic: string): Promise<number> => {
    let limit = limits.get(topic);
    if (!limit) {
      limit = readTopicLimit(kafka, topic).then((topicLimit) => Math.min(topicLimit, options.maxBatchBytes ?? Number.POSITIVE_INFINITY));
      // A failed read is retried at the next send rather than cached.
      limit.catch(() => limits.delete(topic));
      limits.set(topic, limit);
    }
    return limit;
  };

  // One headers object per topic, shared by its records (kafkajs only reads it).
  const headersOf = new Map<TopicKey, Record<string, string>>();
  const headerBytesOf = new Map<TopicKey, number>();
  const encodeOne = (key: TopicKey, message: unknown, what: string, options: SendOptions | undefined): { message: Message; bytes: number } => {
    const def = topics[key];
    let headers = headersOf.get(key);
    if (!headers) {
      headersOf.set(key, (headers = { [SCHEMA_VERSION_HEADER]: String(def.version) }));
      headerBytesOf.set(key, recordBytes({ value: null, headers }) - RECORD_OVERHEAD);
    }
    let value = message as never;
    if (options?.validated !== true) {
      const parsed = def.schema.safeParse(message);
      if (!parsed.success) {
        throw invalidInput(`${what} for topic ${def.name} does not match its schema: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      }
      value = parsed.data as never;
    }
    const recordKey = def.key(value);
    // Encoded to UTF-8 once here: as a string, its byte length was measured three times (here and twice by kafkajs).
    const json = Buffer.from(JSON.stringify(value));
    return { message: { key: recordKey, value: json, headers }, bytes: RECORD_OVERHEAD + (headerBytesOf.get(key) as number) + Buffer.byteLength(recordKey) + json.length };
  };
  const encode = (key: TopicKey, messages: readonly unknown[], options: SendOptions | undefined): { message: Message; bytes: number }[] =>
    messages.map((message, index) => encodeOne(key, message, `message ${index}`, options));

  /** Produce one chunk on its own; a chunk the broker still finds too large (a limit we could not read) is halved. */
  const produce = async (topic: string, chunk: Message[]): Promise<void> => {
    try {
      requests++;
      await producer.send({ topic, acks: -1, compression, messages: chunk });
    } catch (error) {
      if (isTooLarge(error) && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        await produce(topic, chunk.slice(0, half));
        await produce(topic, chunk.slice(half));
        return;
      }
      if (isTooLarge(error)) throw invalidInput(`the broker refused a message to ${topic} as too large (${describeKafkaError(error)})`, error);
      throw unavailable(`could not produce ${chunk.length} message(s) to ${topic}: ${describeKafkaError(error)}`, error);
    }
  };

  // The group-commit queue: chunks of every caller, produced in arrival order, one request at a time.
  interface Queued {
    topic: string;
    messages: Message[];
    bytes: number;
    /** The chunk's topic's budget: a request carrying it stays below this. */
    budget: number;
    resolve: () => void;
    reject: (error: unknown) => void;
  }
  const queue: Queued[] = [];
  let pumping = false;
  let requests = 0;
  let chunks = 0;

  /** Produce queued chunks together, each request up to the smallest budget among them, until the queue is empty. */
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0) {
        const group: Queued[] = [queue.shift() as Queued];
        let bytes = group[0]!.bytes;
        let budget = group[0]!.budget;
        while (queue.length > 0 && bytes + queue[0]!.bytes <= Math.min(budget, queue[0]!.budget)) {
          const next = queue.shift() as Queued;
          group.push(next);
          bytes += next.bytes;
          budget = Math.min(budget, next.budget);
        }
        chunks += group.length;
        if (group.length === 1) {
          const only = group[0]!;
          await produce(only.topic, only.messages).then(only.resolve, only.reject);
          continue;
        }
        const byTopic = new Map<string, Message[]>();
        for (const q of group) byTopic.set(q.topic, [...(byTopic.get(q.topic) ?? []), ...q.messages]);
        try {
          requests++;
          await producer.sendBatch({ acks: -1, compression, topicMessages: [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages })) });
          for (const q of group) q.resolve();
        } catch (error) {
          if (isTooLarge(error)) {
            // A limit we could not read: each chunk on its own again (halved as needed).
            for (const q of group) await produce(q.topic, q.messages).then(q.resolve, q.reject);
          } else {
            const failure = unavailable(`could not produce ${group.reduce((n, q) => n + q.messages.length, 0)} message(s) to ${[...byTopic.keys()].join(", ")}: ${describeKafkaError(error)}`, error);
            for (const q of group) q.reject(failure);
          }
        }
      }
    } finally {
      pumping = false;
    }
  };

  const enqueue = (topic: string, messages: Message[], bytes: number, budget: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      queue.push({ topic, messages, bytes: bytes + BATCH_OVERHEAD, budget: budget + BATCH_OVERHEAD, resolve, reject });
      void pump();
    });

  /** Cut into chunks below the topic's budget, queue them all and wait for every one (the first failure throws). */
  const sendEncoded = async (key: TopicKey, encoded: readonly { message: Message; bytes: number }[], tooLarge: (index: number, bytes: number, limit: number) => void): Promise<void> => {
    if (encoded.length === 0) return;
    const topic = topicName(topicPrefix, key);
    const limit = await limitOf(topic);
    const budget = Math.max(1, limit - BATCH_OVERHEAD);
    const sent: Promise<void>[] = [];
    let chunk: Message[] = [];
    let chunkBytes = 0;
    for (const [index, { message, bytes }] of encoded.entries()) {
      if (bytes > budget) {
        tooLarge(index, bytes, limit);
        continue;
      }
      if (chunkBytes + bytes > budget && chunk.length > 0) {
        sent.push(enqueue(topic, chunk, chunkBytes, budget));
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push(message);
      chunkBytes += bytes;
    }
    if (chunk.length > 0) sent.push(enqueue(topic, chunk, chunkBytes, budget));
    const settled = await Promise.allSettled(sent);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  };

  /** Produce every encoded message but those alone above the topic's limit, which are returned. */
  const sendLeavingOut = async (key: TopicKey, encoded: readonly { message: Message; bytes: number }[]): Promise<TooLarge[]> => {
    const out: TooLarge[] = [];
    const topic = topicName(topicPrefix, key);
    await sendEncoded(key, encoded, (index, bytes, limit) =>
      out.push({ index, bytes, reason: `${bytes} bytes encoded, more than topic ${topic} accepts in one message (max.message.bytes ${limit})` }),
    );
    return out;
  };

  return {
    async send(key: TopicKey, messages: readonly unknown[], options?: SendOptions) {
      const encoded = encode(key, messages, options);
      const refused: string[] = [];
      // Check sizes before producing anything, so a refused send has produced nothing.
      const topic = topicName(topicPrefix, key);
      const budget = Math.max(1, (await limitOf(topic)) - BATCH_OVERHEAD);
      encoded.forEach((e, index) => {
        if (e.bytes > budget) refused.push(`message ${index}${idOf(messages[index])} is ${e.bytes} bytes`);
      });
      if (refused.length > 0) throw invalidInput(`too large for topic ${topic} (at most ${budget} bytes per message): ${refused.join(", ")}`);
      await sendEncoded(key, encoded, () => undefined);
    },
    async sendAll(key: TopicKey, messages: readonly unknown[], options?: SendOptions) {
      return sendLeavingOut(key, encode(key, messages, options));
    },
    prepare(key, message, options) {
      const { message: encoded, bytes } = encodeOne(key, message, `message${idOf(message)}`, options);
      return { topic: key, message: encoded, bytes };
    },
    async sendPrepared(key, prepared) {
      return sendLeavingOut(key, prepared);
    },
    async batchBytes(key) {
      return Math.max(1, (await limitOf(topicName(topicPrefix, key))) - BATCH_OVERHEAD);
    },
    stats() {
      return { requests, chunks };
    },
    async disconnect() {
      await producer.disconnect();
    },
  };
}

// kafkajs's ConfigResourceTypes.TOPIC; its CommonJS export is not visible to ESM named imports.
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

/** The topic's effective `max.message.bytes` (the broker default unless overridden), or Kafka's default when unreadable. */
async function readTopicLimit(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ["max.message.bytes"] }] });
    const value = res.resources[0]?.configEntries.find((e) => e.configName === "max.message.bytes")?.configValue;
    const parsed = Number(value);
    return Number.isFinite(parsed) && parsed > 0 ? parsed : KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  } catch {
    return KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function recordBytes(message: Message): number {
  let bytes = RECORD_OVERHEAD;
  if (typeof message.key === "string") bytes += Buffer.byteLength(message.key);
  if (typeof message.value === "string") bytes += Buffer.byteLength(message.value);
  for (const [k, v] of Object.entries(message.headers ?? {})) bytes += Buffer.byteLength(k) + (typeof v === "string" ? Buffer.byteLength(v) : 8);
  return bytes;
}

function idOf(message: unknown): string {
  if (message && typeof message === "object" && "id" in message && typeof (message as { id: unknown }).id === "string") return ` (id ${(message as { id: string }).id})`;
  return "";
}

/** True when Kafka refused a produce because a message or batch is above its size limit (anywhere in the cause chain). */
function isTooLarge(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 6; depth++) {
    const type = (e as { type?: unknown }).type;
    if (type === "MESSAGE_TOO_LARGE" || type === "RECORD_LIST_TOO_LARGE") return true;
    e = (e as { cause?: unknown; originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

function describeKafkaError(error: unknown): string {
  if (error instanceof LiaowangError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
