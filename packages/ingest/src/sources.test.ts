import { describe, expect, it } from "vitest";
import { SourcesFile, mergeSources, rebaseSelf } from "./sources.js";

const source = { name: "xinghe-gov", kind: "rss", url: "https://www.xinghe.gov.cn/rss.xml", schedule: "*/5 * * * *" };

describe("SourcesFile", () => {
  it("accepts a valid file and fills defaults", () => {
    expect(SourcesFile.parse({ sources: [source] })).toEqual({ timezone: "Asia/Shanghai", sources: [{ ...source, enabled: true }] });
    expect(SourcesFile.parse({})).toEqual({ timezone: "Asia/Shanghai", sources: [] });
  });

  it("names every wrong key", () => {
    const result = SourcesFile.safeParse({
      timezone: "Mars/Olympus",
      sources: [
        { ...source, schedule: "every minute" },
        { ...source, kind: "csv", url: "ftp://x.cn/feed", extra: 1 },
        { ...source, name: "Bad Name", charset: "klingon" },
      ],
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues).toEqual(
      expect.arrayContaining([
        "timezone: expected an IANA time zone such as Asia/Shanghai",
        expect.stringMatching(/^sources\.0\.schedule: expected a node-cron expression such as "\*\/5 \* \* \* \*"/),
        expect.stringMatching(/^sources\.1\.kind: /),
        "sources.1.url: expected an http(s) URL",
        expect.stringMatching(/^sources\.1: Unrecognized key: "extra"/),
        "sources.2.name: expected a lowercase id of letters, digits, '.', '_' or '-' (at most 100)",
        "sources.2.charset: expected a charset name such as gb18030, gbk or utf-8",
      ]),
    );
  });

  it("refuses duplicate names", () => {
    const result = SourcesFile.safeParse({ sources: [source, source] });
    expect(result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["sources.1.name: duplicate source name (also sources.0.name)"]);
  });

  it("accepts six-field schedules with seconds and a charset override", () => {
    expect(SourcesFile.parse({ sources: [{ ...source, schedule: "*/30 * * * * *", charset: "gbk", enabled: false }] }).sources[0]).toMatchObject({ charset: "gbk", enabled: false });
  });
});

describe("rebaseSelf / mergeSources", () => {
  it("rebases only self.invalid URLs", () => {
    expect(rebaseSelf("http://self.invalid/demo/feeds/a.xml", "http://127.0.0.1:8081/")).toBe("http://127.0.0.1:8081/demo/feeds/a.xml");
    expect(rebaseSelf("https://www.gov.cn/rss.xml", "http://127.0.0.1:8081")).toBe("https://www.gov.cn/rss.xml");
  });

  it("merges files and refuses a name defined twice", () => {
    const a = SourcesFile.parse({ sources: [source] });
    const b = SourcesFile.parse({ sources: [{ ...source, name: "demo" }] });
    expect(mergeSources([a, b]).sources.map((s) => s.name)).toEqual(["xinghe-gov", "demo"]);
    expect(() => mergeSources([a, a])).toThrow('source "xinghe-gov" is defined in more than one sources file');
  });
});
