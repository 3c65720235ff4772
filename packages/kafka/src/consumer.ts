import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import type { z } from "zod";
import { topicName, topics, type DeadLetter, type TopicKey } from "@liaowang/schemas";
import { describeError, isRetriable, LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import type { TypedProducer } from "./producer.js";

/** A parsed message with where it came from. */
export interface Delivered<T> {
  value: T;
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
}

/** A record the handler gives up on: it goes to the dead-letter topic with this reason. */
export interface Rejection<T> {
  record: Delivered<T>;
  reason: string;
  code?: string;
}

/**
 * Processes a batch and makes its effect durable before returning. Throw a retriable error to have the
 * whole batch retried with backoff; return rejections for records that can never succeed.
 */
export type BatchHandler<T> = (records: Delivered<T>[]) => Promise<Rejection<T>[] | void>;

export interface ConsumerOptions<K extends TopicKey> {
  kafka: Kafka;
  topicPrefix: string;
  /** Consumer group; default `<topicPrefix><service>`. */
  groupId?: string | undefined;
  topic: K;
  service: string;
  handler: BatchHandler<z.output<(typeof topics)[K]["schema"]>>;
  /** Where unparseable and rejected records go; must be connected. */
  deadLetters: TypedProducer;
  log: Logger;
  /** Called when the consumer has stopped for good (kafkajs gave up); the service should exit. */
  onFatal: (error: unknown) => void;
  fromBeginning?: boolean;
  /** Backoff bounds for retriable failures. */
  backoff?: { initialMs: number; maxMs: number };
  /** How many times a non-Liaowang (unknown) error is retried before the records are isolated. */
  unknownErrorRetries?: number;
  sessionTimeout?: number;
}

export interface RunningConsumer {
  consumer: Consumer;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Consume one catalog topic in batches: parse, hand valid records to the handler, dead-letter what cannot
 * be processed, and commit offsets only after the handler's effect and the dead letters are durable.
 */
export async function runConsumer<K extends TopicKey>(options: ConsumerOptions<K>): Promise<RunningConsumer> {
  type T = z.output<(typeof topics)[K]["schema"]>;
  const { kafka, log, service } = options;
  const def = topics[options.topic];
  const topic = topicName(options.topicPrefix, options.topic);
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 15_000 };
  const unknownRetries = options.unknownErrorRetries ?? 3;
  const consumer = kafka.consumer({
    groupId: options.groupId ?? `${options.topicPrefix}${service}`,
    sessionTimeout: options.sessionTimeout ?? 30_000,
    allowAutoTopicCreation: false,
  });
  let stopping = false;

  consumer.on(consumer.events.CRASH, (event) => {
    // kafkajs restarts itself after retriable crashes; when it will not, the consumer is dead while the
    // process lives on, so tell the service to exit rather than sit idle.
    const { error, restart } = event.payload as { error: Error; restart?: boolean };
    log.error({ err: error, restart }, "kafka consumer crashed");
    if (restart === false && !stopping) options.onFatal(error);
  });

  const deadLetter = async (items: { message: KafkaMessage; partition: number; code: string; reason: string; recordId?: string }[]) => {
    if (items.length === 0) return;
    const letters: DeadLetter[] = items.map((item) => ({
      v: 1,
      service,
      topic,
      partition: item.partition,
      offset: item.message.offset,
      ...(item.message.key ? { key: item.message.key.toString() } : {}),
      ...(item.recordId ? { recordId: item.recordId } : {}),
      code: item.code,
      reason: item.reason,
      value: (item.message.value?.toString() ?? "").slice(0, 100_000),
      at: new Date().toISOString(),
    }));
    await options.deadLetters.send("deadLetter", letters);
    for (const letter of letters) {
      log.warn({ deadLetter: { topic: letter.topic, partition: letter.partition, offset: letter.offset, recordId: letter.recordId, code: letter.code, reason: letter.reason } }, "record dead-lettered");
    }
  };

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
      if (batch.messages.length === 0) return;
      const byOffset = new Map<string, KafkaMessage>();
      const valid: Delivered<T>[] = [];
      const invalid: { message: KafkaMessage; partition: number; code: string; reason: string }[] = [];
      for (const message of batch.messages) {
        byOffset.set(message.offset, message);
        const parsed = parseMessage(def.schema, message);
        if (parsed.ok) {
          valid.push({ value: parsed.value as T, topic, partition: batch.partition, offset: message.offset, key: message.key?.toString() });
        } else {
          invalid.push({ message, partition: batch.partition, code: "invalid_message", reason: `offset ${message.offset}: ${parsed.reason}` });
        }
      }

      const alive = () => isRunning() && !isStale() && !stopping;
      const rejections = await processWithRetry(valid, options.handler, { alive, heartbeat, backoff, unknownRetries, log });
      if (rejections === "aborted") {
        // Stopping or rebalanced: leave the offsets uncommitted so the batch is processed again.
        throw new LiaowangError("unavailable", `consumer for ${topic} stopped before the batch was durable`);
      }
      await deadLetter([
        ...invalid,
        ...rejections.map((r) => ({
          message: byOffset.get(r.record.offset) as KafkaMessage,
          partition: r.record.partition,
          code: r.code ?? "rejected",
          reason: r.reason,
          recordId: recordIdOf(r.record.value),
        })),
      ]);
      const last = batch.messages[batch.messages.length - 1] as KafkaMessage;
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
      // Committing does not move kafkajs's fetch position (resolving does): without this the batch is fetched again.
      resolveOffset(last.offset);
      await heartbeat();
    },
  });

  return {
    consumer,
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}

function recordIdOf(value: unknown): string | undefined {
  if (value && typeof value === "object" && "id" in value && typeof (value as { id: unknown }).id === "string") {
    return (value as { id: string }).id;
  }
  return undefined;
}

function parseMessage(schema: z.ZodType, message: KafkaMessage): { ok: true; value: unknown } | { ok: false; reason: string } {
  const text = message.value?.toString();
  if (!text) return { ok: false, reason: "empty message" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${describeError(error)})` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, reason: result.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
}

interface RetryContext {
  alive: () => boolean;
  heartbeat: () => Promise<void>;
  backoff: { initialMs: number; maxMs: number };
  unknownRetries: number;
  log: Logger;
}

/**
 * Run the handler on the whole batch, retrying retriable failures with backoff for as long as the consumer
 * runs. A non-retriable failure of the whole batch is narrowed down record by record, so one poison record
 * is dead-lettered and the good records around it still go through.
 */
async function processWithRetry<T>(records: Delivered<T>[], handler: BatchHandler<T>, ctx: RetryContext): Promise<Rejection<T>[] | "aborted"> {
  if (records.length === 0) return [];
  const outcome = await attempt(records, handler, ctx);
  if (outcome.kind !== "failed") return outcome.kind === "ok" ? outcome.rejections : "aborted";
  if (records.length === 1) {
    return [{ record: records[0] as Delivered<T>, reason: describeError(outcome.error), code: codeOf(outcome.error) }];
  }
  const rejections: Rejection<T>[] = [];
  for (const record of records) {
    const single = await processWithRetry([record], handler, ctx);
    if (single === "aborted") return "aborted";
    rejections.push(...single);
  }
  return rejections;
}

async function attempt<T>(
  records: Delivered<T>[],
  handler: BatchHandler<T>,
  ctx: RetryContext,
): Promise<{ kind: "ok"; rejections: Rejection<T>[] } | { kind: "failed"; error: unknown } | { kind: "aborted" }> {
  let delay = ctx.backoff.initialMs;
  let unknownFailures = 0;
  for (;;) {
    if (!ctx.alive()) return { kind: "aborted" };
    try {
      return { kind: "ok", rejections: (await handler(records)) ?? [] };
    } catch (error) {
      const known = error instanceof LiaowangError;
      if (known && !error.retriable) return { kind: "failed", error };
      if (!known && ++unknownFailures > ctx.unknownRetries) return { kind: "failed", error };
      ctx.log.warn({ err: error, records: records.length, retryInMs: delay }, "batch failed, retrying");
      await sleep(delay);
      delay = Math.min(delay * 2, ctx.backoff.maxMs);
      await ctx.heartbeat().catch(() => undefined);
    }
  }
}

function codeOf(error: unknown): string {
  return error instanceof LiaowangError ? error.code : "handler_error";
}
