import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Segmenter } from "./segmenter.js";
import { tempDir } from "@liaowang/testing/temp";

function dictDir(userDict: string, stopWords: string): { userDictPath: string; stopWordsPath: string } {
  const dir = tempDir("liaowang-nlp-");
  const paths = { userDictPath: join(dir, "user.dict.txt"), stopWordsPath: join(dir, "stopwords.txt") };
  writeFileSync(paths.userDictPath, userDict);
  writeFileSync(paths.stopWordsPath, stopWords);
  return paths;
}

describe("Segmenter.reload", () => {
  it("picks up a new word and stop word, keeps the old ones on a bad file, and skips unchanged files", { timeout: 120_000 }, () => {
    const paths = dictDir("政务舆情 3000 n\n", "的\n");
    const seg = new Segmenter(paths);
    const text = "瞭望哨兵系统上线";
    expect(seg.cut(text)).not.toContain("瞭望哨兵");

    writeFileSync(paths.userDictPath, "政务舆情 3000 n\n瞭望哨兵 3000 nz\n");
    writeFileSync(paths.stopWordsPath, "的\n上线\n");
    expect(seg.reload()).toEqual({ userWords: 2, stopWords: 2, changed: true });
    expect(seg.cut(text)).toContain("瞭望哨兵");
    expect(seg.tokensForIndex(text)).not.toContain("上线");

    writeFileSync(paths.userDictPath, "坏 行 有 四段\n");
    expect(() => seg.reload()).toThrowError(/user\.dict\.txt:1/);
    expect(seg.cut(text)).toContain("瞭望哨兵");

    writeFileSync(paths.userDictPath, "政务舆情 3000 n\n瞭望哨兵 3000 nz\n");
    expect(seg.reload().changed).toBe(false);
  });

  it("fails clearly when a dictionary file is missing", () => {
    expect(() => new Segmenter({ userDictPath: "/nonexistent/user.dict.txt" })).toThrowError(
      /Dictionary file \/nonexistent\/user\.dict\.txt does not exist/,
    );
  });
});
