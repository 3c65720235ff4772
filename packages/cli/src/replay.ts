import { open, readFile, stat } from "node:fs/promises";
import { connect } from "node:net";
import { basename, extname } from "node:path";
import { parseArgs } from "node:util";
import { CommonEnv, kafkaSettings, loadEnv } from "@liaowang/config";
import { describeError } from "@liaowang/errors";
import {
  decodeBody,
  decodeUnlabelled,
  detectFormat,
  fromLineStream,
  Intake,
  parseDocument,
  readNdjsonFile,
  type InputFormat,
  type IntakeReport,
  type ParsedUnit,
} from "@liaowang/ingest";
import { createKafka, createProducer, ensureTopics } from "@liaowang/kafka";
import { createLogger } from "@liaowang/logger";
import { topicName } from "@liaowang/schemas";
import { println, type CliIo } from "./io.js";

const USAGE = `usage: pnpm liaowang replay <file> [--source NAME] [--region REGION] [--json]

  Feeds an NDJSON file, a JSON array of records / JSON Feed, or an RSS/Atom file (detected by content), or a
  .csv export (header row; UTF-8 or GB18030) into the running pipeline's raw topic, and prints accepted /
  duplicate / rejected counts and each rejection.
  --source  the source of a feed's or CSV's items (default: the file name); fills records that have no "source"
  --region  the region of a feed's items; fills records that have no "region"
  --json    print the report as JSON`;

/** Largest JSON or feed file read whole (NDJSON is streamed and has no limit). */
const MAX_WHOLE_FILE_BYTES = 256 * 1024 * 1024;

/**
 * `replay <file> [--source NAME] [--region REGION] [--json]`: produce a file's records to the raw topic.
 * Exit 0 when it ran (even with rejections), 1 when the file or Kafka could not be used, 2 on bad usage.
 */
export async function replayCommand(args: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseReplayArgs>;
  try {
    parsed = parseReplayArgs(args);
  } catch (error) {
    println(io.stderr, `liaowang replay: ${describeError(error)}`);
    println(io.stderr, USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    println(io.stderr, USAGE);
    return 2;
  }
  const fail = (message: string) => {
    println(io.stderr, `liaowang replay: ${message}`);
    return 1;
  };

  let format: InputFormat | undefined;
  try {
    const info = await stat(file);
    if (!info.isFile()) return fail(`${file} is not a file`);
    format = extname(file).toLowerCase() === ".csv" ? "csv" : detectFormat(decodeBody(await readHead(file)).text);
    if (format === undefined) return fail(`${file} is not NDJSON, a JSON array of records or an RSS/Atom feed (detected by its first characters)`);
    if (format !== "ndjson" && info.size > MAX_WHOLE_FILE_BYTES) return fail(`${file} is ${info.size} bytes; JSON and feed files are read whole and may be at most ${MAX_WHOLE_FILE_BYTES} bytes (use NDJSON for larger replays)`);
  } catch (error) {
    return fail(`cannot read ${file}: ${describeError(error)}`);
  }

  const env = loadEnv(CommonEnv, io.env);
  const settings = kafkaSettings({ ...env, LIAOWANG_KAFKA_CLIENT_ID: "liaowang-replay" });
  // kafkajs retries an unreachable broker for about a minute; a quick TCP probe gives a clear answer at once.
  if (!(await anyReachable(settings.brokers, 3_000))) {
    return fail(`Kafka is not reachable at ${settings.brokers.join(", ")}. Start the local stack with \`pnpm liaowang stack up\` (or \`pnpm start\`), or set LIAOWANG_KAFKA_BROKERS to your cluster.`);
  }

  const source = values.source ?? (format === "feed" || format === "csv" ? basename(file, extname(file)) : undefined);
  const defaults = { ...(source === undefined ? {} : { source }), ...(values.region === undefined ? {} : { region: values.region }) };
  const log = createLogger({ service: "replay", level: "error", destination: io.stderr });
  const kafka = createKafka(settings, log);
  const topic = topicName(settings.topicPrefix, "raw");
  let report: IntakeReport;
  try {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [topic]);
    } finally {
      await admin.disconnect();
    }
    const producer = await createProducer(kafka, settings.topicPrefix);
    try {
      const units = await readUnits(file, format, defaults);
      report = await new Intake(producer).accept(units, "file");
    } finally {
      await producer.disconnect();
    }
  } catch (error) {
    return fail(`${describeError(error)} (Kafka at ${settings.brokers.join(", ")}, topic ${topic})`);
  }

  if (values.json) {
    println(io.stdout, JSON.stringify({ file, format, topic, ...report }, null, 2));
    return 0;
  }
  println(io.stdout, `replayed ${file} (${format}) into ${topic}`);
  println(io.stdout, `accepted:   ${report.accepted}`);
  println(io.stdout, `duplicates: ${report.duplicates}`);
  println(io.stdout, `rejected:   ${report.rejected.length}`);
  for (const rejection of report.rejected) println(io.stdout, `  ${rejection.reason}`);
  return 0;
}

function parseReplayArgs(args: string[]) {
  return parseArgs({ args, allowPositionals: true, options: { source: { type: "string" }, region: { type: "string" }, json: { type: "boolean", default: false } } });
}

async function readUnits(file: string, format: InputFormat, defaults: { source?: string; region?: string }): Promise<Iterable<ParsedUnit> | AsyncIterable<ParsedUnit>> {
  if (format === "ndjson") return fromLineStream(readNdjsonFile(file, { defaults }));
  const bytes = await readFile(file);
  // CSV exports carry no charset; Chinese Windows saves them as GB18030 ("ANSI") when not UTF-8.
  const text = format === "csv" ? decodeUnlabelled(bytes).text : decodeBody(bytes).text;
  return parseDocument(text, { format, defaults, fetchedAt: Date.now(), maxItems: 1_000_000, feed: { maxChars: MAX_WHOLE_FILE_BYTES, maxItems: 1_000_000 } }).units;
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function anyReachable(brokers: readonly string[], timeoutMs: number): Promise<boolean> {
  return Promise.all(
    brokers.map(
      (broker) =>
        new Promise<boolean>((resolve) => {
          const at = broker.lastIndexOf(":");
          const socket = connect({ host: broker.slice(0, at), port: Number(broker.slice(at + 1)) });
          const done = (ok: boolean) => {
            socket.destroy();
            resolve(ok);
          };
          socket.setTimeout(timeoutMs, () => done(false));
          socket.once("connect", () => done(true));
          socket.once("error", () => done(false));
        }),
    ),
  ).then((results) => results.some(Boolean));
}
