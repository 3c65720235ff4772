import { createReadStream } from "node:fs";
import { DEFAULT_MAX_LINE_BYTES, parseLine } from "./records.js";
import type { LineResult, RecordParseOptions } from "./records.js";

/** One line cut from a byte stream: its text, or only its size when it was longer than the bound. */
export type StreamLine = { line: number; text: string } | { line: number; tooLongBytes: number } | { line: number; invalidUtf8: true };

/**
 * Split a byte (or text) stream into lines with bounded memory: a line longer than `maxLineBytes` is skipped
 * to its newline and reported by size, never buffered whole. (readline would buffer any line entirely first.)
 * @example for await (const l of splitLines(process.stdin, 1 << 20)) …
 */
export async function* splitLines(source: AsyncIterable<Uint8Array | string>, maxLineBytes: number): AsyncGenerator<StreamLine> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let line = 0;
  const finish = (): StreamLine => {
    line += 1;
    if (overflow) return { line, tooLongBytes: size };
    let bytes = Buffer.concat(parts, size);
    if (bytes.at(-1) === 0x0d) bytes = bytes.subarray(0, -1);
    try {
      return { line, text: decoder.decode(bytes) };
    } catch {
      return { line, invalidUtf8: true };
    }
  };
  for await (const chunk of source) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(0x0a, start);
      const piece = buffer.subarray(start, newline === -1 ? buffer.length : newline);
      if (!overflow) {
        if (size + piece.length > maxLineBytes) {
          overflow = true;
          parts = [];
        } else if (piece.length > 0) {
          parts.push(piece);
        }
      }
      size += piece.length;
      if (newline === -1) break;
      yield finish();
      parts = [];
      size = 0;
      overflow = false;
      start = newline + 1;
    }
  }
  if (size > 0) yield finish();
}

/**
 * Parse an NDJSON byte or text stream (stdin, a file stream, an HTTP body) into per-line results, lazily.
 * @example for await (const r of parseNdjsonStream(req)) …
 */
export async function* parseNdjsonStream(source: AsyncIterable<Uint8Array | string>, options: RecordParseOptions = {}): AsyncGenerator<LineResult> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  for await (const cut of splitLines(source, max)) {
    if ("tooLongBytes" in cut) {
      yield { line: cut.line, ok: false, reason: `line ${cut.line}: longer than ${max} bytes (${cut.tooLongBytes} bytes), not read` };
    } else if ("invalidUtf8" in cut) {
      yield { line: cut.line, ok: false, reason: `line ${cut.line}: not valid UTF-8` };
    } else {
      // TextDecoder drops a leading BOM per line, so only whitespace needs checking here.
      if (cut.text.trim().length === 0) continue;
      yield parseLine(cut.line, cut.text, { ...options, maxLineBytes: max });
    }
  }
}

/**
 * Stream an NDJSON file (a replay or a hotline/mailbox export) into per-line results without loading it whole.
 * @example for await (const r of readNdjsonFile("test/fixtures/replay/sample.ndjson")) …
 */
export function readNdjsonFile(path: string, options: RecordParseOptions = {}): AsyncGenerator<LineResult> {
  return parseNdjsonStream(createReadStream(path, { highWaterMark: 256 * 1024 }), options);
}
