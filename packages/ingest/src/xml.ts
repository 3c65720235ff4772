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

/**
 * Parse XML in a worker thread within `budgetMs`: the event loop (pushes, other feeds) never waits on a
 * third-party parser, and a document that takes longer (hostile or pathological) is abandoned, the worker
 * terminated, and `invalid_input` thrown saying so. The worker's heap is bounded too.
 * @example const doc = await parseXmlBounded(text, { budgetMs: 10_000 });
 */
export function parseXmlBounded(xml: string, options: { budgetMs: number; maxHeapMb?: number }): Promise<XmlNode> {
  return new Promise<XmlNode>((resolve, reject) => {
    const worker = new Worker(WORKER_URL, {
      workerData: { options: PARSER_OPTIONS },
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 512 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(invalidInput(`feed took longer than ${options.budgetMs} ms to parse and was abandoned (pathological or hostile XML)`))),
      options.budgetMs,
    );
    worker.once("message", (message: { ok: true; doc: XmlNode } | { ok: false; message: string }) =>
      finish(() => (message.ok ? resolve(message.doc) : reject(notWellFormed(message.message)))),
    );
    worker.once("error", (error) => finish(() => reject(invalidInput(`feed could not be parsed (${truncate(error.message, 160)})`, error))));
    worker.once("exit", (code) => finish(() => reject(invalidInput(`feed parser stopped (exit code ${code}) before finishing`))));
    worker.postMessage(xml);
  });
}
