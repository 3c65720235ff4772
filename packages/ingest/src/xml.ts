import { Worker } from "node:worker_threads";
import { XMLParser } from "fast-xml-parser";
import type { X2jOptions } from "fast-xml-parser";
import { invalidInput } from "@liaowang/errors";
import { truncate } from "./issues.js";

/** A parsed XML element: child elements by name, `#text`, and attributes as `@_name`. */
export type XmlNode = Record<string, unknown>;

// Text constructs are stop nodes: we get their raw inner markup and decode it ourselves, because feeds put
// escaped HTML, CDATA, Atom xhtml and (wrongly) bare HTML in them, and the parser would mangle the last two.
// Plain data only (no functions), so the same options reach the worker thread; repeated elements (item, entry,
// link) are arrays or single nodes and the feed reader accepts both.
const PARSER_OPTIONS: Partial<X2jOptions> = {
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // The parser expands no entity at all, so no DOCTYPE-declared entity can ever be expanded (billion laughs)
  // or resolved (XXE), even if one slipped past rejectEntityDeclarations. We decode the predefined XML
  // entities and character references ourselves (decodeXML), which knows nothing user-defined.
  processEntities: false,
  htmlEntities: false,
  stopNodes: ["*.title", "*.description", "*.content:encoded", "*.content", "*.summary"],
};

const syncParser = new XMLParser(PARSER_OPTIONS);
const WORKER_URL = new URL("./xml-worker.mjs", import.meta.url);

function notWellFormed(message: string, cause?: unknown): Error {
  return invalidInput(`not well-formed XML (${truncate(message, 160)})`, cause);
}

/**
 * Parse XML on the calling thread (the CLI, tests). Throws `invalid_input` for XML that is not well-formed.
 * @example parseXml("<rss><channel/></rss>")["rss"]
 */
export function parseXml(xml: string): XmlNode {
  try {
    return syncParser.parse(xml) as XmlNode;
  } catch (error) {
    throw notWellFormed(error instanceof Error ? error.message : String(error), error);
  }
}

interface ParseJob {
  readonly xml: string;
  readonly budgetMs: number;
  readonly resolve: (doc: XmlNode) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One long-lived worker thread that parses documents one after another (starting a thread per feed costs more
 * than most parses). A document over its budget gets the worker terminated; the next job starts a fresh one. The
 * budget runs from when the job reaches the worker, so feeds queued behind another are not charged for the wait.
 * The thread is unref'd: it never keeps a process alive.
 */
class XmlWorker {
  #worker: Worker | undefined;
  #current: (ParseJob & { timer: NodeJS.Timeout }) | undefined;
  readonly #queue: ParseJob[] = [];

  parse(xml: string, budgetMs: number): Promise<XmlNode> {
    return new Promise<XmlNode>((resolve, reject) => {
      this.#queue.push({ xml, budgetMs, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    if (this.#current !== undefined) return;
    const job = this.#queue.shift();
    if (job === undefined) return;
    const worker = this.#worker ?? this.#start();
    const timer = setTimeout(() => {
      this.#stop();
      this.#settle((j) => j.reject(invalidInput(`feed took longer than ${j.budgetMs} ms to parse and was abandoned (pathological or hostile XML)`)));
    }, job.budgetMs);
    this.#current = { ...job, timer };
    worker.postMessage(job.xml);
  }

  #start(): Worker {
    const worker = new Worker(WORKER_URL, { workerData: { options: PARSER_OPTIONS }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    worker.unref();
    // A terminated worker's late answer belongs to an abandoned job, never to the next one.
    worker.on("message", (message: { ok: true; doc: XmlNode } | { ok: false; message: string }) => {
      if (this.#worker === worker) this.#settle((job) => (message.ok ? job.resolve(message.doc) : job.reject(notWellFormed(message.message))));
    });
    worker.on("error", (error) => {
      if (this.#worker !== worker) return;
      this.#stop(worker);
      this.#settle((job) => job.reject(invalidInput(`feed could not be parsed (${truncate(error.message, 160)})`, error)));
    });
    worker.on("exit", (code) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#settle((job) => job.reject(invalidInput(`feed parser stopped (exit code ${code}) before finishing`)));
    });
    this.#worker = worker;
    return worker;
  }

  #stop(worker = this.#worker): void {
    if (worker === undefined) return;
    if (this.#worker === worker) this.#worker = undefined;
    void worker.terminate();
  }

  #settle(outcome: (job: ParseJob) => void): void {
    const job = this.#current;
    if (job === undefined) return;
    this.#current = undefined;
    clearTimeout(job.timer);
    outcome(job);
    this.#next();
  }
}

const sharedWorker = new XmlWorker();

/**
 * Parse XML in a worker thread within `budgetMs`: the event loop (pushes, other feeds) never waits on a
 * third-party parser, and a document that takes longer (hostile or pathological) is abandoned, the worker
 * terminated, and `invalid_input` thrown saying so. The worker's heap is bounded too.
 * @example const doc = await parseXmlBounded(text, { budgetMs: 10_000 });
 */
export function parseXmlBounded(xml: string, options: { budgetMs: number }): Promise<XmlNode> {
  return sharedWorker.parse(xml, options.budgetMs);
}
