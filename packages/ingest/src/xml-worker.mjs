// Parses XML documents, one at a time, off the event loop for parseXmlBounded (xml.ts). Plain JavaScript on purpose: a worker
// gets no TypeScript loader under every runner (tsx, vitest), and this file only needs fast-xml-parser.
import { parentPort, workerData } from "node:worker_threads";
import { XMLParser } from "fast-xml-parser";

const parser = new XMLParser(workerData.options);
parentPort.on("message", (xml) => {
  try {
    parentPort.postMessage({ ok: true, doc: parser.parse(xml) });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
