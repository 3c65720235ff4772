import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { ES_VERSION, KAFKA_VERSION, type StackLayout } from "./layout.js";
import { runProgram } from "./tools.js";

/**
 * A new KRaft cluster id: 16 random bytes in base64url, as Kafka's own `Uuid.randomUuid()` makes them, and like it
 * never starting with "-" (one id in 64 would), which `kafka-storage format -t` reads as an option and refuses.
 * @example kafkaClusterId() // "q1Xh0b8WRyS3m0pN3hY0Aw"
 */
export function kafkaClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** One server of the dev stack: how to prepare, start and health-check it. */
export interface Component {
  name: "kafka" | "elasticsearch";
  version: string;
  /** Loopback ports it binds; all must be free before it starts. */
  ports: number[];
  /** The address clients use. */
  address: string;
  logFile: string;
  pidFile: string;
  /** One-time preparation before the first start (config files, storage format). */
  prepare(): Promise<void>;
  /** java arguments (after `java`). */
  javaArgs(): string[];
  /** True when the server answers as healthy. */
  healthy(): Promise<boolean>;
}

/** A property every dev-stack JVM carries, so `down` never signals a recycled pid that is not ours. */
export const MARKER = "-Dliaowang.devstack=";

/**
 * Both servers run with the client compiler only (C1). On a cold JVM, HotSpot's optimising compiler (C2) kept two
 * cores busy for minutes: in the benchmark's first minutes, 50–70% of Elasticsearch's CPU (and most of Kafka's) was
 * JIT compilation, so each run of the suite or of a load phase paid it again. C1 code runs ~1.5× slower on the hot
 * indexing paths, but the servers' CPU per post under load dropped 2–3× in those first minutes (the README's dev
 * stack section). A long-lived server that should reach peak speed gets `-XX:TieredStopAtLevel=4` through
 * LIAOWANG_STACK_ES_JVM_ARGS / LIAOWANG_STACK_KAFKA_JVM_ARGS, which come after these flags and so override them.
 */
const JIT = ["-XX:TieredStopAtLevel=1"];

/** Extra JVM flags from an environment variable, split on whitespace. */
function extraJvmArgs(value: string | undefined): string[] {
  return value?.split(/\s+/).filter(Boolean) ?? [];
}

function kafkaComponent(layout: StackLayout, env: NodeJS.ProcessEnv): Component {
  const { kafka: port, kafkaController: controllerPort } = layout.ports;
  const dataDir = join(layout.data.kafka, "logs");
  const configFile = join(layout.data.kafka, "server.properties");
  const log4jFile = join(layout.data.kafka, "log4j.properties");
  return {
    name: "kafka",
    version: KAFKA_VERSION,
    ports: [port, controllerPort],
    address: `127.0.0.1:${port}`,
    logFile: join(layout.logs, "kafka.log"),
    pidFile: join(layout.run, "kafka.json"),
    async prepare() {
      mkdirSync(dataDir, { recursive: true });
      // Rewritten on every start so a port change takes effect; the cluster id and data stay.
      writeFileSync(
        configFile,
        [
          "process.roles=broker,controller",
          "node.id=1",
          `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
          `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
          `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
          "controller.listener.names=CONTROLLER",
          "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
          `log.dirs=${dataDir}`,
          "num.partitions=3",
          "offsets.topic.replication.factor=1",
          "offsets.topic.num.partitions=10",
          "transaction.state.log.replication.factor=1",
          "transaction.state.log.min.isr=1",
          "group.initial.rebalance.delay.ms=0",
          // services create the topics they use with the partition counts they want
          "auto.create.topics.enable=false",
          "log.retention.hours=168",
          "",
        ].join("\n"),
      );
      writeFileSync(
        log4jFile,
        [
          "log4j.rootLogger=INFO, stdout",
          "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
          "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
          "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
          "log4j.logger.kafka.request.logger=WARN",
          "log4j.logger.state.change.logger=WARN",
          "",
        ].join("\n"),
      );
      if (existsSync(join(dataDir, "meta.properties"))) return;
      const clusterId = kafkaClusterId();
      const result = await runProgram("java", [
        "-cp",
        join(layout.artifacts.kafka, "lib", "*"),
        `-Dlog4j.configuration=file:${log4jFile}`,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        clusterId,
        "-c",
        configFile,
      ], { env });
      if (result.code !== 0) throw new Error(`kafka storage format failed:\n${(result.stdout + result.stderr).trim()}`);
    },
    javaArgs() {
      return [
        `${MARKER}kafka`,
        `-Xms${env.LIAOWANG_STACK_KAFKA_HEAP ?? "512m"}`,
        `-Xmx${env.LIAOWANG_STACK_KAFKA_HEAP ?? "512m"}`,
        "-XX:+UseG1GC",
        ...JIT,
        ...extraJvmArgs(env.LIAOWANG_STACK_KAFKA_JVM_ARGS),
        `-Dlog4j.configuration=file:${log4jFile}`,
        "-cp",
        join(layout.artifacts.kafka, "lib", "*"),
        "kafka.Kafka",
        configFile,
      ];
    },
    async healthy() {
      const kafka = new Kafka({
        clientId: "liaowang-devstack",
        brokers: [`127.0.0.1:${port}`],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 1_000,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null;
      } catch {
        return false;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

function esComponent(layout: StackLayout, env: NodeJS.ProcessEnv): Component {
  const { es: port, esTransport } = layout.ports;
  return {
    name: "elasticsearch",
    version: ES_VERSION,
    ports: [port, esTransport],
    address: `http://127.0.0.1:${port}`,
    logFile: join(layout.logs, "elasticsearch.log"),
    pidFile: join(layout.run, "elasticsearch.json"),
    async prepare() {
      mkdirSync(join(layout.data.es, "tmp"), { recursive: true });
    },
    javaArgs() {
      const heap = env.LIAOWANG_STACK_ES_HEAP ?? "1g";
      return [
        `${MARKER}elasticsearch`,
        `-Xms${heap}`,
        `-Xmx${heap}`,
        "-XX:+UseG1GC",
        ...JIT,
        ...extraJvmArgs(env.LIAOWANG_STACK_ES_JVM_ARGS),
        `-Djava.io.tmpdir=${join(layout.data.es, "tmp")}`,
        "-Dfile.encoding=UTF-8",
        "-cp",
        [join(layout.artifacts.es, "classes"), join(layout.artifacts.es, "lib", "*")].join(":"),
        "liaowang.devstack.EmbeddedElasticsearch",
        layout.data.es,
        String(port),
        String(esTransport),
      ];
    },
    async healthy() {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/_cluster/health`, { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) return false;
        const body = (await response.json()) as { status?: string };
        return body.status === "green" || body.status === "yellow";
      } catch {
        return false;
      }
    },
  };
}

/** The dev stack's servers, in start order. */
export function stackComponents(layout: StackLayout, env: NodeJS.ProcessEnv = process.env): Component[] {
  return [kafkaComponent(layout, env), esComponent(layout, env)];
}

/** Read a component's pid file, if any. */
export function readPidFile(component: Component): { pid: number; startedAt: string } | undefined {
  if (!existsSync(component.pidFile)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(component.pidFile, "utf8")) as { pid?: unknown; startedAt?: unknown };
    if (typeof parsed.pid !== "number") return undefined;
    return { pid: parsed.pid, startedAt: String(parsed.startedAt ?? "") };
  } catch {
    return undefined;
  }
}
