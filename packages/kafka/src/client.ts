import { Kafka, logLevel, type Admin, type KafkaConfig, type LogEntry, type SASLOptions } from "kafkajs";
import { LiaowangError } from "@liaowang/errors";
import type { Logger } from "@liaowang/logger";

/** Where the brokers are, how topic names are prefixed, and the credentials of a secured cluster. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  /** SASL (SCRAM-SHA-256/512 or PLAIN) as this service's own user; the cluster's ACLs decide what it may do. */
  sasl?: { mechanism: "scram-sha-256" | "scram-sha-512" | "plain"; username: string; password: string };
  /** TLS to the brokers; `ca` is a PEM bundle (otherwise the system CAs). */
  tls?: { ca?: string };
}

/**
 * The connection part of the kafkajs configuration: brokers, client id, SASL and TLS. Pure, so tests can check what
 * a service would connect with; the password is only ever in `sasl`, never in a log line.
 */
export function kafkaConnection(settings: KafkaSettings): Pick<KafkaConfig, "clientId" | "brokers" | "ssl" | "sasl"> {
  const sasl: SASLOptions | undefined = settings.sasl
    ? settings.sasl.mechanism === "plain"
      ? { mechanism: "plain", username: settings.sasl.username, password: settings.sasl.password }
      : { mechanism: settings.sasl.mechanism, username: settings.sasl.username, password: settings.sasl.password }
    : undefined;
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(settings.tls ? { ssl: settings.tls.ca ? { ca: [settings.tls.ca], rejectUnauthorized: true } : true } : {}),
    ...(sasl ? { sasl } : {}),
  };
}

const LEVELS: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/**
 * Errors in an answer that only mean "the cluster is still settling": a topic created an instant ago whose metadata
 * has not reached this broker, a leader election, a coordinator still loading its state after the broker started.
 * kafkajs logs the answer at error level and then refreshes and retries by itself (and throws if the retries run
 * out, which the caller reports), so an operator reading them (the replay command prints errors to the terminal)
 * would see a failure that did not happen. They are kept at debug.
 */
const SETTLING_ERRORS = new Set([
  "This server does not host this topic-partition",
  "There is no leader for this topic-partition as we are in the middle of a leadership election",
  "This server is not the leader for that topic-partition",
  "The coordinator is loading and hence can't process requests for this group",
  "The group coordinator is not available",
  "This is not the correct coordinator for this group",
]);

function isSettlingError(message: unknown, fields: Record<string, unknown>): boolean {
  return typeof message === "string" && message.startsWith("Response ") && SETTLING_ERRORS.has(String(fields.error));
}

/** A kafkajs client whose own logs go through our pino logger (kafkajs is chatty at info: demoted to debug). */
export function createKafka(settings: KafkaSettings, log: Logger): Kafka {
  const kafkaLog = log.child({ module: "kafkajs" });
  return new Kafka({
    ...kafkaConnection(settings),
    retry: { initialRetryTime: 300, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // We bound producer retries on purpose so a dead broker surfaces as an error (HTTP 503, replay failure)
        // instead of blocking forever; acks=all + idempotence still hold for every send that succeeds.
        if (typeof message === "string" && message.startsWith("Limiting retries for the idempotent producer")) return;
        const method = isSettlingError(message, rest) ? "debug" : (LEVELS[level] ?? "info");
        kafkaLog[method === "info" ? "debug" : method]({ kafka: { ...rest, timestamp: undefined } }, message);
      },
  });
}

/**
 * Create the topics that do not exist yet (idempotent: existing topics are left alone) and wait until every
 * partition of each has a leader. Production clusters usually pre-create topics; this keeps local and test runs
 * self-contained. Several services starting at once may create the same topics: a topic another one created an
 * instant ago answers UNKNOWN_TOPIC_OR_PARTITION until its metadata has spread, which kafkajs's own
 * `waitForLeaders` gives up on (and the service used to die at start-up), so the wait is done here.
 */
export async function ensureTopics(admin: Admin, names: string[], numPartitions = 3, timeoutMs = 30_000): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = names.filter((name) => !existing.has(name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor: -1 })),
    });
  }
  await waitForLeaders(admin, names, timeoutMs);
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem = "";
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const leaderless = topics.filter((name) => {
        const topic = found.find((t) => t.name === name);
        return !topic || topic.partitions.length === 0 || topic.partitions.some((p) => p.leader < 0);
      });
      if (leaderless.length === 0) return;
      problem = `no leader yet for ${leaderless.join(", ")}`;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw new LiaowangError("unavailable", `Kafka topics not ready after ${timeoutMs} ms: ${problem}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * How many records of `topic` the consumer group has not committed yet (summed over partitions); a partition the
 * group never committed counts from its earliest retained offset.
 */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<{ total: number; partitions: { partition: number; lag: number }[] }> {
  const [committed, ends] = await Promise.all([admin.fetchOffsets({ groupId, topics: [topic] }), admin.fetchTopicOffsets(topic)]);
  const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
  const partitions = ends.map((end) => {
    const at = byPartition.get(end.partition);
    const from = at === undefined || at === "-1" ? BigInt(end.low) : BigInt(at);
    const lag = BigInt(end.high) - from;
    return { partition: end.partition, lag: Number(lag > 0n ? lag : 0n) };
  });
  return { total: partitions.reduce((n, p) => n + p.lag, 0), partitions };
}
