import type { Admin, Consumer, Kafka, KafkaMessage } from "kafkajs";
import type { z } from "zod";
import { topicName, topics, type DeadLetter, type TopicKey } from "@liaowang/schemas";
import { describeError, LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";
import { groupLag } from "./client.js";
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

/** What {@link ConsumerOptions.parse} made of one record's text: the handler's value, or why it is dead-lettered. */
export type ParseResult<V> = { ok: true; value: V } | { ok: false; reason: string };

export interface ConsumerOptions<K extends TopicKey, V = z.output<(typeof topics)[K]["schema"]>> {
  kafka: Kafka;
  topicPrefix: string;
  /** Consumer group; default `<topicPrefix><service>`. */
  groupId?: string | undefined;
  topic: K;
  service: string;
  handler: BatchHandler<V>;
  /**
   * Turns a record's value (never empty) into the handler's value; by default its text parsed as JSON and checked with
   * the topic's schema. A stage that only passes records on (the indexer writes them to Elasticsearch) may read just
   * what it needs; a record it refuses is dead-lettered as `invalid_message` with the reason.
   */
  parse?: (value: Buffer) => ParseResult<V>;
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
  /** Group session timeout (ms): a member not heard from for this long is dropped; default 30 s. */
  sessionTimeout?: number;
  /** How often a busy or waiting batch heartbeats (ms); default a third of the session timeout, at most 3 s. */
  heartbeatInterval?: number;
  /**
   * A single handler call that has not returned after this long (ms) is presumed hung: its batch stops heartbeating,
   * so the group gives the partitions to a healthy member instead of trusting a wedged one forever; default 5 min.
   * Retry waits between calls always heartbeat (the stage is healthy, the dependency is not).
   */
  maxHandlerCallMs?: number;
  /**
   * Called when this member is about to lose its partitions (a rebalance it noticed while handling a batch, or
   * `stop()`), after the last batch of them was committed and before they go to another member; a service keeping
   * per-partition state flushes it here. Errors are logged, never thrown.
   */
  onRevoke?: (partitions: number[]) => Promise<void>;
  /**
   * Called with this member's partitions of the topic after every group join; batches wait until it settles, so a
   * service can load per-partition state before it handles their records. Errors are logged, never thrown.
   */
  onAssign?: (partitions: number[]) => Promise<void>;
  /** Failed attempts of a (part of a) batch before it is split in halves to find the record that fails; default 3. */
  splitAfter?: number;
  /**
   * How long the last record of a batch still failing (the rest went through) keeps being retried before it is
   * dead-lettered as poison, when nothing else can show whether the dependency is up; default 30 s.
   */
  lastRecordFailingMs?: number;
  /** Most records per handler call (a fetched batch is handled in slices, each committed); default 500. */
  maxRecordsPerCall?: number;
  /** How long the same offsets may keep failing before the stage reports itself stuck (logs and status); default 60 s. */
  stuckAfterMs?: number;
  /**
   * Watchdog: a member that holds partitions with records waiting but has neither fetched nor committed for this long
   * (ms), while no batch of it is failing and no handler call of it is younger than `maxHandlerCallMs`, is stalled:
   * its fetch loop or a batch is wedged outside the handler, and nothing else would ever notice. It logs STAGE
   * STALLED, reports it in `status().stalled`, and `stallExitAfterMs` later calls `onFatal`, so the service exits,
   * its supervisor restarts it and the group hands its partitions out again; default 120 s.
   */
  stallAfterMs?: number;
  /** How long a stalled member reports it (health) before `onFatal` (ms); default 15 s (three health reports). */
  stallExitAfterMs?: number;
  /**
   * Fetch sizes (kafkajs defaults: 1 MB per partition, 10 MB per fetch, answer as soon as 1 byte is there, else wait up
   * to 5 s). A larger per-partition fetch lets a stage that writes in bulk (the indexer) write fewer, larger requests;
   * `minBytes` with a short `maxWaitTimeInMs` makes the broker gather records for up to that long before it answers,
   * so a stage that keeps up gets batches of hundreds instead of a few records per fetch (fewer fetches, fewer bulks),
   * at the price of up to `maxWaitTimeInMs` of added delay.
   */
  fetch?: { maxBytesPerPartition?: number; maxBytes?: number; minBytes?: number; maxWaitTimeInMs?: number };
}

/** What a stage is doing, for health reports. */
export interface ConsumerStatus {
  service: string;
  topic: string;
  groupId: string;
  /** When the last batch was made durable and committed (epoch ms). */
  lastCommitAt?: number;
  /** Records committed since start. */
  committed: number;
  /** Group joins since start: 1 when the member never lost its membership (more means rebalances). */
  joins: number;
  /** When this member last joined the group (epoch ms). */
  lastJoinAt?: number;
  /**
   * Batches abandoned uncommitted because the group rebalanced or this member's session ended while they were handled;
   * their records are delivered again (to this or another member).
   */
  abandoned: number;
  /** When a batch was last abandoned (epoch ms). */
  lastAbandonedAt?: number;
  /** Set while a batch has been failing for longer than `stuckAfterMs`: the same offsets are being retried. */
  stuck?: { since: number; partition: number; firstOffset: string; lastOffset: string; records: number; attempts: number; error: string };
  /** Set while the member holds partitions with records waiting but has not fetched since `since` (see `stallAfterMs`). */
  stalled?: { since: number; partitions: number[]; lag: number };
}

export interface RunningConsumer {
  consumer: Consumer;
  /** The consumer group id. */
  groupId: string;
  /** Whether the stage is stuck on some offsets, and how far it got. */
  status(): ConsumerStatus;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Consume one catalog topic in batches: parse, hand valid records to the handler, dead-letter what cannot
 * be processed, and commit offsets only after the handler's effect and the dead letters are durable.
 */
export async function runConsumer<K extends TopicKey, V = z.output<(typeof topics)[K]["schema"]>>(options: ConsumerOptions<K, V>): Promise<RunningConsumer> {
  type T = V;
  const { kafka, log, service } = options;
  const def = topics[options.topic];
  const parse = options.parse ?? ((value: Buffer) => parseWithSchema(def.schema, value.toString()) as ParseResult<V>);
  const topic = topicName(options.topicPrefix, options.topic);
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 15_000 };
  const unknownRetries = options.unknownErrorRetries ?? 3;
  const stuckAfterMs = options.stuckAfterMs ?? 60_000;
  const maxRecords = options.maxRecordsPerCall ?? 500;
  const groupId = options.groupId ?? `${options.topicPrefix}${service}`;
  const status: ConsumerStatus = { service, topic, groupId, committed: 0, joins: 0, abandoned: 0 };
  const sessionTimeout = options.sessionTimeout ?? 30_000;
  const heartbeatInterval = options.heartbeatInterval ?? Math.min(3_000, Math.floor(sessionTimeout / 3));
  const maxHandlerCallMs = options.maxHandlerCallMs ?? 300_000;
  // Failing batches per partition (kafkajs may run partitions concurrently); the oldest one is reported.
  const failing = new Map<number, NonNullable<ConsumerStatus["stuck"]>>();
  let lastLoud = 0;
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout,
    heartbeatInterval,
    allowAutoTopicCreation: false,
    ...options.fetch,
  });
  let stopping = false;
  // Partitions this member holds (from the last join), the hook's settling, and the batch being handled.
  let assigned: number[] = [];
  let assignment: Promise<void> = Promise.resolve();
  let inFlight: Promise<void> = Promise.resolve();
  let revoked = true;
  // Revoking and assigning run one after the other (a join's assignment waits for the hand-over before it).
  const revoke = (why: string): Promise<void> => {
    assignment = assignment.then(async () => {
      if (revoked) return;
      revoked = true;
      if (!options.onRevoke) return;
      try {
        await options.onRevoke([...assigned]);
      } catch (error) {
        log.warn({ err: error, partitions: assigned, why }, "onRevoke failed");
      }
    });
    return assignment;
  };
  // kafkajs noticed the rebalance itself (between batches) and rejoins at once: hand over meanwhile.
  consumer.on(consumer.events.REBALANCING, () => void revoke("rebalance"));

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    status.joins++;
    status.lastJoinAt = Date.now();
    const partitions = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    if (status.joins > 1) log.info({ partitions, joins: status.joins }, "rejoined the consumer group");
    // In the same chain as revoking, so a hand-over still pending finishes with the partitions it was about.
    assignment = assignment.then(async () => {
      assigned = partitions;
      revoked = false;
      try {
        await options.onAssign?.(partitions);
      } catch (error) {
        log.warn({ err: error, partitions }, "onAssign failed");
      }
    });
  });

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
    const tooLarge = await options.deadLetters.sendAll("deadLetter", letters);
    if (tooLarge.length > 0) {
      // The letter must never wedge the stage: keep the reason and a short excerpt of the value.
      const shortened = tooLarge.map(({ index }) => {
        const letter = letters[index] as DeadLetter;
        return { ...letter, value: `${letter.value.slice(0, 2_000)}… (value cut: too large for the dead-letter topic)` };
      });
      await options.deadLetters.send("deadLetter", shortened);
    }
    for (const letter of letters) {
      log.warn({ deadLetter: { topic: letter.topic, partition: letter.partition, offset: letter.offset, recordId: letter.recordId, code: letter.code, reason: letter.reason } }, "record dead-lettered");
    }
  };

  const processSlice = async (partition: number, batchTopic: string, messages: KafkaMessage[], membership: Membership) => {
    const byOffset = new Map<string, KafkaMessage>();
    const valid: Delivered<T>[] = [];
    const invalid: { message: KafkaMessage; partition: number; code: string; reason: string }[] = [];
    for (const message of messages) {
      byOffset.set(message.offset, message);
      const parsed = parseMessage(parse, message);
      if (parsed.ok) {
        valid.push({ value: parsed.value as T, topic: batchTopic, partition, offset: message.offset, key: message.key?.toString() });
      } else {
        invalid.push({ message, partition, code: "invalid_message", reason: `offset ${message.offset}: ${parsed.reason}` });
      }
    }
    const first = messages[0] as KafkaMessage;
    const last = messages[messages.length - 1] as KafkaMessage;
    const onFailure = (failure: { attempts: number; since: number; error: unknown } | undefined) => {
      if (!failure) {
        if (failing.delete(partition)) log.warn({ topic, partition }, "stage no longer stuck: the failing batch went through");
        return;
      }
      const now = Date.now();
      if (now - failure.since < stuckAfterMs) return;
      const stuck = { since: failure.since, partition, firstOffset: first.offset, lastOffset: last.offset, records: messages.length, attempts: failure.attempts, error: describeError(failure.error) };
      failing.set(partition, stuck);
      if (now - lastLoud >= stuckAfterMs) {
        lastLoud = now;
        log.error(
          { stuck: { ...stuck, since: new Date(stuck.since).toISOString(), forMs: now - stuck.since } },
          `STAGE STUCK: ${service} has retried offsets ${stuck.firstOffset}-${stuck.lastOffset} of ${topic}[${partition}] for ${Math.round((now - stuck.since) / 1000)} s`,
        );
      }
    };
    const rejections = await processWithRetry(valid, handler, { membership, backoff, unknownRetries, splitAfter: options.splitAfter ?? 3, lastRecordFailingMs: options.lastRecordFailingMs ?? 30_000, log, onFailure });
    if (rejections === "aborted") {
      failing.delete(partition);
      // Stopping or rebalanced: leave the offsets uncommitted so the records are processed again.
      throw abandon(membership, partition, first.offset, last.offset);
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
  };

  /** The error a batch that cannot be committed is abandoned with (counted and logged once). */
  const abandon = (membership: Membership, partition: number, firstOffset: string, lastOffset: string): Error => {
    status.abandoned++;
    status.lastAbandonedAt = Date.now();
    const lost = membership.lost;
    if (lost) {
      log.info(
        { partition, firstOffset, lastOffset, reason: describeError(lost) },
        "group rebalanced while a batch was handled: left it uncommitted, its records will be delivered again",
      );
      // The protocol error itself: kafkajs rejoins the group on it (a wrapper would crash the consumer instead).
      return lost;
    }
    return new LiaowangError("unavailable", `consumer for ${topic} stopped before the batch was durable`);
  };

  const commit = async (batchTopic: string, partition: number, offset: string) => {
    try {
      await consumer.commitOffsets([{ topic: batchTopic, partition, offset }]);
    } catch (error) {
      // Lost the partition (the group rebalanced, or the coordinator dropped this member): hand kafkajs the protocol
      // error it rejoins on, instead of the non-retriable wrapper that would crash the consumer. The work was durable
      // and is idempotent by record id; the records are delivered again and their second handling changes nothing.
      const cause = rebalanceCause(error);
      if (cause) {
        status.abandoned++;
        status.lastAbandonedAt = Date.now();
        log.info({ partition, offset, reason: describeError(cause) }, "commit refused after a rebalance: the records will be delivered again");
        throw cause;
      }
      throw error;
    }
  };

  // Watchdog (see `stallAfterMs`): when the member last fetched, and the handler call in progress, if any.
  const stallAfterMs = options.stallAfterMs ?? 120_000;
  let lastFetchAt = Date.now();
  let lastCallEndedAt = 0;
  let callStartedAt: number | undefined;
  const handler: BatchHandler<T> = async (records) => {
    callStartedAt = Date.now();
    try {
      return await options.handler(records);
    } finally {
      callStartedAt = undefined;
      lastCallEndedAt = Date.now();
    }
  };
  const fetched = () => {
    lastFetchAt = Date.now();
    if (status.stalled) unstall();
  };
  consumer.on(consumer.events.FETCH_START, fetched);
  consumer.on(consumer.events.FETCH, fetched);
  let lagAdmin: Admin | undefined;
  let stallExit: NodeJS.Timeout | undefined;
  let checking = false;
  const unstall = () => {
    clearTimeout(stallExit);
    if (!status.stalled) return;
    log.warn({ topic, partitions: status.stalled.partitions }, "stage no longer stalled: it fetches again");
    status.stalled = undefined;
  };
  const checkStall = async () => {
    if (checking || stopping) return;
    checking = true;
    try {
      const now = Date.now();
      const quietSince = Math.max(lastFetchAt, status.lastCommitAt ?? 0, lastCallEndedAt);
      const inCall = callStartedAt !== undefined && now - callStartedAt <= maxHandlerCallMs;
      if (revoked || assigned.length === 0 || failing.size > 0 || inCall || now - quietSince <= stallAfterMs) return unstall();
      lagAdmin ??= kafka.admin();
      await lagAdmin.connect();
      const held = new Set(assigned);
      const lag = (await groupLag(lagAdmin, groupId, topic)).partitions.filter((p) => held.has(p.partition)).reduce((n, p) => n + p.lag, 0);
      if (lag === 0) return unstall();
      if (status.stalled) {
        status.stalled.lag = lag;
        return;
      }
      const partitions = [...assigned];
      status.stalled = { since: quietSince, partitions, lag };
      const exitAfterMs = options.stallExitAfterMs ?? 15_000;
      const what = `${service} holds ${topic}[${partitions.join(",")}] with ${lag} record(s) waiting and has not fetched for ${Math.round((now - quietSince) / 1000)} s`;
      log.error({ stalled: { partitions, lag, since: new Date(quietSince).toISOString(), lastFetchAt: new Date(lastFetchAt).toISOString() } }, `STAGE STALLED: ${what}; restarting in ${Math.round(exitAfterMs / 1000)} s so the group hands its partitions out again`);
      stallExit = setTimeout(() => {
        if (status.stalled && !stopping) options.onFatal(new LiaowangError("unavailable", `consumer stalled: ${what}`));
      }, exitAfterMs);
      stallExit.unref();
    } catch (error) {
      // Kafka not answering is an outage, not a stall: judged again at the next check.
      log.debug({ err: error }, "watchdog could not read the group's lag");
    } finally {
      checking = false;
    }
  };
  const watchdog = setInterval(() => void checkStall(), Math.max(500, Math.min(15_000, Math.floor(stallAfterMs / 4))));
  watchdog.unref();

  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
      // Heartbeats go on while the handler works and while a failing batch waits to be retried, so a dependency being
      // down for longer than the session timeout does not cost the group membership; a rebalance or an expired
      // session seen by a heartbeat makes the batch stop at the next safe point.
      const membership = new Membership(heartbeat, () => isRunning() && !isStale() && !stopping, maxHandlerCallMs, log);
      const work = (async () => {
        try {
          // The service's per-partition state for this assignment is loaded first (heartbeating meanwhile).
          await assignment;
          // A fetch can hold thousands of records: the handler gets them in slices, each committed on its own, so
          // progress is durable as it is made.
          for (let start = 0; start < batch.messages.length; start += maxRecords) {
            const slice = batch.messages.slice(start, start + maxRecords);
            const first = slice[0] as KafkaMessage;
            const lastMessage = slice[slice.length - 1] as KafkaMessage;
            if (!membership.alive()) throw abandon(membership, batch.partition, first.offset, lastMessage.offset);
            await processSlice(batch.partition, batch.topic, slice, membership);
            // Committed even when a rebalance was just noticed: until this member rejoins, the coordinator still
            // takes commits of its generation, and the next owner then starts after work that is already durable.
            await commit(batch.topic, batch.partition, (BigInt(lastMessage.offset) + 1n).toString());
            // Committing does not move kafkajs's fetch position (resolving does): without this the batch is fetched again.
            resolveOffset(lastMessage.offset);
            status.committed += slice.length;
            status.lastCommitAt = Date.now();
            await membership.beat();
          }
          if (membership.lost) throw membership.lost;
        } catch (error) {
          // About to rejoin: the partitions may go elsewhere, so let the service hand over their state first.
          if (membership.lost || rebalanceCause(error)) await revoke("rebalance");
          throw error;
        } finally {
          membership.close();
        }
      })();
      inFlight = work.catch(() => undefined);
      await work;
    },
  });

  return {
    consumer,
    groupId,
    status() {
      const oldest = [...failing.values()].sort((a, b) => a.since - b.since)[0];
      return { ...status, ...(oldest ? { stuck: { ...oldest } } : {}), ...(status.stalled ? { stalled: { ...status.stalled, partitions: [...status.stalled.partitions] } } : {}) };
    },
    async stop() {
      stopping = true;
      clearInterval(watchdog);
      clearTimeout(stallExit);
      void lagAdmin?.disconnect().catch(() => undefined);
      // The batch in hand stops at its next safe point; then the partitions' state is handed over before the group
      // learns that this member leaves (disconnecting leaves the group).
      await inFlight;
      await revoke("stop");
      await consumer.disconnect();
    },
  };
}

const REBALANCE_TYPES = new Set(["REBALANCE_IN_PROGRESS", "NOT_COORDINATOR_FOR_GROUP", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID"]);

/** The kafkajs protocol error in the cause chain that means "this member lost its partitions", if any. */
function rebalanceCause(error: unknown): Error | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 6; depth++) {
    if (REBALANCE_TYPES.has(String((e as { type?: unknown }).type))) return e as Error;
    e = (e as { originalError?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function recordIdOf(value: unknown): string | undefined {
  if (value && typeof value === "object" && "id" in value && typeof (value as { id: unknown }).id === "string") {
    return (value as { id: string }).id;
  }
  return undefined;
}

function parseMessage<V>(parse: (value: Buffer) => ParseResult<V>, message: KafkaMessage): ParseResult<V> {
  if (!message.value || message.value.length === 0) return { ok: false, reason: "empty message" };
  return parse(message.value);
}

/** A record's text as JSON checked with its topic's schema (the default parse), with the first problems as the reason. */
export function parseWithSchema<S extends z.ZodType>(schema: S, text: string): ParseResult<z.output<S>> {
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

/**
 * The group membership of one eachBatch call: heartbeats every second while the batch is handled (kafkajs sends one
 * only when its heartbeat interval has passed) and remembers the protocol error that says the membership is gone.
 */
class Membership {
  /** Set once a heartbeat said the group is rebalancing or no longer knows this member. */
  lost: Error | undefined;
  private callStartedAt: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly heartbeat: () => Promise<void>,
    private readonly running: () => boolean,
    private readonly maxCallMs: number,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.beat(), 1_000);
    this.timer.unref();
  }

  /** Whether the batch may go on: the consumer runs and still owns its partitions. */
  alive(): boolean {
    return this.lost === undefined && this.running();
  }

  /** Runs one handler call, heartbeating meanwhile unless it outlasts `maxCallMs`. */
  async call<R>(fn: () => Promise<R>): Promise<R> {
    this.callStartedAt = Date.now();
    try {
      return await fn();
    } finally {
      this.callStartedAt = undefined;
    }
  }

  /** Waits `ms`, heartbeating, and returns early once the batch may not go on. */
  async wait(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.alive() && Date.now() < until) await sleep(Math.min(200, until - Date.now()));
  }

  async beat(): Promise<void> {
    if (this.lost) return;
    if (this.callStartedAt !== undefined && Date.now() - this.callStartedAt > this.maxCallMs) return;
    try {
      await this.heartbeat();
    } catch (error) {
      const cause = rebalanceCause(error);
      if (cause) this.lost ??= cause;
      // Anything else (the coordinator moving, a broker restarting) is retried at the next beat.
      else this.log.debug({ err: error }, "heartbeat failed; retrying");
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

interface RetryContext {
  membership: Membership;
  backoff: { initialMs: number; maxMs: number };
  unknownRetries: number;
  /** Failed attempts of a group (retriable) before it is split in halves. */
  splitAfter: number;
  /** See `lastRecordFailingMs` of the consumer's options. */
  lastRecordFailingMs: number;
  log: Logger;
  /** Called after every failed attempt, and with `undefined` once the batch went through. */
  onFailure: (failure: { attempts: number; since: number; error: unknown } | undefined) => void;
}

/** Most groups a batch is split into while nothing in it succeeds (beyond that it looks like an outage, not poison). */
const MAX_GROUPS_WITHOUT_PROGRESS = 16;

interface Group<T> {
  records: Delivered<T>[];
  failures: number;
  /**
   * Failed attempts with another group of the batch gone through since this group's previous failure: the dependency
   * worked in between, and this group still failed.
   */
  evidence: number;
  /** How many groups had gone through at this group's last failure. */
  successesAtFailure?: number;
  /** When its first attempt failed (epoch ms). */
  failingSince?: number;
  unknownFailures: number;
  lastError?: unknown;
}

/**
 * Run the handler on the whole batch; when it keeps failing, split it in halves down to the records that fail, so a
 * batch can never be retried forever because of one record (or because it is too big as a whole):
 * - a non-retriable failure splits at once, and a single record that fails so is rejected (dead-lettered);
 * - a retriable failure is retried with backoff; after `splitAfter` failures the group is split. A single record
 *   that keeps failing while other records of its batch went through (so the dependency is up) is rejected as
 *   poison; while nothing succeeds it is an outage, and the groups are retried with growing backoff, split at most
 *   one more per round so an outage costs a few calls per round and never dead-letters good records.
 * - "while other records went through" means: another group of the batch went through between two of its failures
 *   (the dependency worked in between, and it still failed). That counts twice before it is poison; once when it is
 *   the last group left, or, with nothing going through between its failures, after `lastRecordFailingMs` (an outage
 *   longer than that, begun just after the rest of its batch went through, dead-letters that one record). Failures with nothing going through between them are
 *   an outage, however much of the batch went through before it began: at the end of an outage a record can fail at
 *   t (the dependency still refusing) and a later group succeed at t+ε, and a dependency that goes down after half the
 *   batch went through fails the other half for as long as it is down; neither dead-letters a good record.
 */
async function processWithRetry<T>(records: Delivered<T>[], handler: BatchHandler<T>, ctx: RetryContext): Promise<Rejection<T>[] | "aborted"> {
  if (records.length === 0) return [];
  const rejections: Rejection<T>[] = [];
  let pending: Group<T>[] = [{ records, failures: 0, evidence: 0, unknownFailures: 0 }];
  let successes = 0;
  let delay = ctx.backoff.initialMs;
  let attempts = 0;
  let since: number | undefined;
  while (pending.length > 0) {
    const next: Group<T>[] = [];
    let moved = false;
    let roundProgress = false;
    for (const group of pending) {
      if (!ctx.membership.alive()) return "aborted";
      try {
        rejections.push(...((await ctx.membership.call(() => handler(group.records))) ?? []));
        roundProgress = true;
        successes++;
        moved = true;
        continue;
      } catch (error) {
        attempts++;
        since ??= Date.now();
        ctx.onFailure({ attempts, since, error });
        const known = error instanceof LiaowangError;
        const permanent = (known && !error.retriable) || (!known && ++group.unknownFailures > ctx.unknownRetries);
        group.failures++;
        if (group.successesAtFailure !== undefined && successes > group.successesAtFailure) group.evidence++;
        group.successesAtFailure = successes;
        group.failingSince ??= Date.now();
        group.lastError = error;
        if (permanent) {
          moved = true;
          if (group.records.length === 1) rejections.push({ record: group.records[0] as Delivered<T>, reason: describeError(error), code: codeOf(error) });
          else next.push(...halves(group.records));
          continue;
        }
        next.push(group);
      }
    }
    // Decide what the retriable failures become in the next round.
    // While groups go through, split freely (finding poison); while nothing does, it looks like an outage.
    let splitBudget = roundProgress ? Number.POSITIVE_INFINITY : next.length < MAX_GROUPS_WITHOUT_PROGRESS ? 1 : 0;
    pending = [];
    for (const group of next) {
      if (group.failures < ctx.splitAfter || group.lastError === undefined) {
        pending.push(group);
      } else if (group.records.length > 1 && splitBudget > 0) {
        splitBudget--;
        pending.push(...halves(group.records));
      } else if (group.records.length === 1 && isPoison(group, next.length === 1, successes, ctx.lastRecordFailingMs)) {
        // It failed again after other records went through, so the dependency is up: this record is what fails.
        moved = true;
        const record = group.records[0] as Delivered<T>;
        rejections.push({ record, reason: `failed ${group.failures} times while the rest of its batch went through: ${describeError(group.lastError)}`, code: codeOf(group.lastError) });
      } else {
        pending.push(group);
      }
    }
    if (pending.length === 0) break;
    if (moved) {
      delay = ctx.backoff.initialMs;
    } else {
      const failing = pending.reduce((n, g) => n + g.records.length, 0);
      ctx.log.warn({ err: pending[0]?.lastError, records: failing, groups: pending.length, attempts, retryInMs: delay }, "batch failed, retrying");
      await ctx.membership.wait(delay);
      delay = Math.min(delay * 2, ctx.backoff.maxMs);
    }
    await ctx.membership.beat();
  }
  ctx.onFailure(undefined);
  return rejections;
}

/**
 * Whether a single record that failed `splitAfter` times is what fails: other records went through between two of its
 * failures twice; or, when it is the last left (nothing else can go through to show the dependency is up), records of
 * its batch went through and it has kept failing for `lastRecordFailingMs`.
 */
function isPoison<T>(group: Group<T>, last: boolean, successes: number, lastRecordFailingMs: number): boolean {
  if (group.evidence >= 2) return true;
  if (!last || successes === 0) return false;
  return group.evidence >= 1 || Date.now() - (group.failingSince ?? Date.now()) >= lastRecordFailingMs;
}

/** Splits records in two halves (in order), each a fresh group. */
function halves<T>(records: Delivered<T>[]): Group<T>[] {
  const mid = Math.ceil(records.length / 2);
  return [records.slice(0, mid), records.slice(mid)].filter((r) => r.length > 0).map((r) => ({ records: r, failures: 0, evidence: 0, unknownFailures: 0 }));
}

function codeOf(error: unknown): string {
  return error instanceof LiaowangError ? error.code : "handler_error";
}
