import { describe, expect, it } from "vitest";
import { parseNdjsonStream, splitLines } from "./lines.js";
import type { StreamLine } from "./lines.js";

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) yield part;
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe("splitLines", () => {
  it("joins lines split across chunks, even inside a multi-byte character, and strips CR", async () => {
    const bytes = Buffer.from("工资\r\n拖欠\n");
    const lines = await collect(splitLines(chunks(bytes.subarray(0, 4), bytes.subarray(4, 10), bytes.subarray(10)), 100));
    expect(lines).toEqual<StreamLine[]>([{ line: 1, text: "工资" }, { line: 2, text: "拖欠" }]);
  });

  it("reports an over-long line by size without buffering it, and invalid UTF-8", async () => {
    const lines = await collect(splitLines(chunks("ab", "cdefgh\nok", Buffer.from([0x0a, 0xff, 0xfe, 0x0a]), "last"), 5));
    expect(lines).toEqual([{ line: 1, tooLongBytes: 8 }, { line: 2, text: "ok" }, { line: 3, invalidUtf8: true }, { line: 4, text: "last" }]);
  });
});

describe("parseNdjsonStream", () => {
  it("yields per-line results with reasons", async () => {
    const good = JSON.stringify({ source: "a", text: "正文", publishedAt: "2024-05-01T00:00:00Z" });
    const results = await collect(parseNdjsonStream(chunks(`${good}\n\n${"x".repeat(20)}\n`, Buffer.from([0xc3, 0x0a])), { maxLineBytes: 1000 }));
    expect(results.map((r) => (r.ok ? r.line : r.reason))).toEqual([1, expect.stringMatching(/^line 3: not valid JSON/), "line 4: not valid UTF-8"]);
  });
});
