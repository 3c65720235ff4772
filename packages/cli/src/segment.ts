import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { CommonEnv, loadEnv } from "@liaowang/config";
import { createSegmenter } from "@liaowang/nlp";
import { println, type CliIo } from "./io.js";

/**
 * `segment [--json]`: one output line per UTF-8 input line, tokens separated by single spaces, using exactly
 * the production segmenter and dictionaries. `--json` prints `{"line":…,"tokens":[…],"indexTokens":[…]}`.
 */
export async function segmentCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } } });
  const env = loadEnv(CommonEnv, io.env);
  const segmenter = createSegmenter({ configDir: env.LIAOWANG_CONFIG_DIR });
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const tokens = segmenter.cut(line);
    if (values.json) {
      println(io.stdout, JSON.stringify({ line, tokens, indexTokens: segmenter.tokensForIndex(line) }));
    } else {
      println(io.stdout, tokens.join(" "));
    }
  }
  return 0;
}
