import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReloadResult } from "./segmenter.js";
import { watchDictionaries, watchFiles } from "./watch.js";
import { tempDir } from "@liaowang/testing/temp";

function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error("condition not met in time"));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe("watchDictionaries", () => {
  it("reloads when either file changes, reports failures, and stops when asked", { timeout: 20_000 }, async () => {
    const dir = tempDir("liaowang-watch-");
    const userDictPath = join(dir, "user.dict.txt");
    const stopWordsPath = join(dir, "stopwords.txt");
    writeFileSync(userDictPath, "甲 10 n\n");
    writeFileSync(stopWordsPath, "的\n");
    let fail = false;
    let calls = 0;
    const reloaded: ReloadResult[] = [];
    const errors: unknown[] = [];
    const target = {
      userDictPath,
      stopWordsPath,
      reload(): ReloadResult {
        calls++;
        if (fail) throw new Error("bad dictionary");
        return { userWords: calls, stopWords: 1, changed: true };
      },
    };
    const stop = watchDictionaries(target, { intervalMs: 20, onReload: (r) => reloaded.push(r), onError: (e) => errors.push(e) });
    // The first poll records the starting state; a change before it would be the baseline, not a change (a loaded
    // machine can take several hundred milliseconds to run it).
    await new Promise((r) => setTimeout(r, 1000));

    writeFileSync(userDictPath, "甲 10 n\n乙 10 n\n");
    await until(() => reloaded.length === 1);
    writeFileSync(stopWordsPath, "的\n了\n");
    await until(() => reloaded.length === 2);
    fail = true;
    writeFileSync(userDictPath, "broken line with too many fields\n");
    await until(() => errors.length === 1);
    expect((errors[0] as Error).message).toBe("bad dictionary");

    stop();
    const before = calls;
    writeFileSync(userDictPath, "丙 10 n\n");
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(before);
  });
});

describe("watchFiles", () => {
  it("calls reload when any of the files changes, once per change", { timeout: 20_000 }, async () => {
    const dir = tempDir("liaowang-watch-files-");
    const paths = ["taxonomy.yaml", "positive.txt", "negative.txt"].map((name) => join(dir, name));
    for (const path of paths) writeFileSync(path, "v1\n");
    let version = 0;
    const results: number[] = [];
    const stop = watchFiles([...paths, paths[0]!], () => ++version, { intervalMs: 20, onReload: (r) => results.push(r) });
    // The first poll's baseline, as above.
    await new Promise((r) => setTimeout(r, 1000));
    writeFileSync(paths[2]!, "v2\n");
    await until(() => results.length === 1);
    writeFileSync(paths[0]!, "v2 longer\n");
    await until(() => results.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    // A path listed twice is watched once.
    expect(results).toEqual([1, 2]);
    stop();
  });
});
