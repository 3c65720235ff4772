import { describe, expect, it } from "vitest";
import { parseFeed, parseFeedBounded, rejectEntityDeclarations } from "./feed.js";
import type { FeedItemResult } from "./feed.js";

const fetchedAt = new Date("2024-05-02T00:00:00Z");
const opts = { source: "xinghe-gov", fetchedAt, region: "星河市" };

function records(items: FeedItemResult[]) {
  return items.flatMap((item) => (item.ok ? [item.record] : []));
}

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>星河市人民政府 &amp; 新闻</title>
  <lastBuildDate>Wed, 01 May 2024 12:00:00 +0800</lastBuildDate>
  <item>
    <title>关于城东化工厂爆炸事故的情况通报</title>
    <link>/xwdt/2024/0501/1.html?a=1&amp;b=2</link>
    <description><![CDATA[<p>5月1日9时30分，城东化工厂发生爆炸，造成<b>3人死亡</b>、12人受伤。</p>]]></description>
    <pubDate>Wed, 01 May 2024 10:15:00</pubDate>
    <author>press@xinghe.gov.cn (星河市应急管理局)</author>
  </item>
  <item>
    <title>日期错误的条目</title>
    <description>内容</description>
    <pubDate>not a date</pubDate>
  </item>
  <item>
    <title>仅有标题的公告：住房保障资格审核结果公示</title>
    <guid>https://www.xinghe.gov.cn/zfbz/notice-7.html</guid>
  </item>
  <item><link>https://www.xinghe.gov.cn/empty.html</link></item>
  <item>
    <title>转义的 HTML</title>
    <description>&lt;p&gt;拖欠农民工工资&lt;/p&gt; &amp;custom; &#x4E2D;</description>
    <dc:date>2024-05-01T08:00:00+08:00</dc:date>
    <dc:creator>市人社局</dc:creator>
  </item>
</channel>
</rss>`;

describe("parseFeed (RSS 2.0)", () => {
  const feed = parseFeed(RSS, { ...opts, baseUrl: "https://www.xinghe.gov.cn/rss.xml" });

  it("reads the channel and every item in order", () => {
    expect(feed.format).toBe("rss");
    expect(feed.title).toBe("星河市人民政府 & 新闻");
    expect(feed.updatedAt).toBe("2024-05-01T04:00:00.000Z");
    expect(feed.items.map((item) => item.ok)).toEqual([true, true, true, false, true]);
  });

  it("maps an item: HTML body kept for the normaliser, relative link resolved, zone-less date as Beijing time, author name", () => {
    expect(records(feed.items)[0]).toEqual({
      source: "xinghe-gov",
      region: "星河市",
      title: "关于城东化工厂爆炸事故的情况通报",
      text: "<p>5月1日9时30分，城东化工厂发生爆炸，造成<b>3人死亡</b>、12人受伤。</p>",
      url: "https://www.xinghe.gov.cn/xwdt/2024/0501/1.html?a=1&b=2",
      publishedAt: "2024-05-01T02:15:00.000Z",
      author: "星河市应急管理局",
    });
  });

  it("keeps an item whose date cannot be read, at the fetch time, flagged with the date text it carried", () => {
    expect(feed.items[1]).toEqual({
      item: 2,
      ok: true,
      record: { source: "xinghe-gov", region: "星河市", title: "日期错误的条目", text: "内容", publishedAt: fetchedAt.toISOString() },
      notes: { flags: ["date_unreadable"], dateText: "not a date" },
    });
  });

  it("rejects a bad item with its position and reason while the items around it flow", () => {
    expect(feed.items[3]).toMatchObject({ item: 4, ok: false, reason: "item 4: has no content:encoded, description or title" });
  });

  it("uses the title as text for headline-only items, a permalink guid as the link and the feed date when undated", () => {
    expect(records(feed.items)[2]).toMatchObject({
      text: "仅有标题的公告：住房保障资格审核结果公示",
      url: "https://www.xinghe.gov.cn/zfbz/notice-7.html",
      publishedAt: "2024-05-01T04:00:00.000Z",
    });
  });

  it("decodes predefined and numeric entities but leaves unknown entities as literal text", () => {
    expect(records(feed.items)[3]).toMatchObject({ text: "<p>拖欠农民工工资</p> &custom; 中", author: "市人社局", publishedAt: "2024-05-01T00:00:00.000Z" });
  });
});

describe("parseFeed (Atom and RSS 1.0)", () => {
  it("reads Atom entries with alternate links, xhtml content and author names", () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title type="text">食品药品监管</title><updated>2024-05-01T10:00:00Z</updated>
      <entry><title>抽检通报</title><link rel="self" href="https://x.gov.cn/self"/><link rel="alternate" href="https://x.gov.cn/a?x=1&amp;y=2"/>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>3批次食品不合格</p></div></content>
        <published>2024-05-01T09:00:00+08:00</published><author><name>市市场监管局</name></author></entry>
      <entry><title>无日期</title><summary>摘要</summary></entry>
    </feed>`;
    const feed = parseFeed(atom, opts);
    expect(feed.format).toBe("atom");
    expect(feed.items).toEqual([
      { item: 1, ok: true, record: { source: "xinghe-gov", region: "星河市", title: "抽检通报", text: '<div xmlns="http://www.w3.org/1999/xhtml"><p>3批次食品不合格</p></div>', url: "https://x.gov.cn/a?x=1&y=2", publishedAt: "2024-05-01T01:00:00.000Z", author: "市市场监管局" } },
      { item: 2, ok: true, record: { source: "xinghe-gov", region: "星河市", title: "无日期", text: "摘要", publishedAt: "2024-05-01T10:00:00.000Z" } },
    ]);
  });

  it("reads RSS 1.0 (RDF) items", () => {
    const rdf = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel><title>t</title></channel><item><title>养老服务</title><description>新增床位</description><dc:date>2024-05-01</dc:date></item></rdf:RDF>`;
    expect(records(parseFeed(rdf, opts).items)).toEqual([{ source: "xinghe-gov", region: "星河市", title: "养老服务", text: "新增床位", publishedAt: "2024-04-30T16:00:00.000Z" }]);
  });

  it("resolves relative links against the feed's own address when no base URL is given", () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="https://zjj.xinghe.gov.cn/feeds/atom.xml"/><entry><title>公示</title><link href="../zfbz/118.html"/><summary>名单</summary></entry></feed>`;
    expect(records(parseFeed(atom, opts).items)[0]?.url).toBe("https://zjj.xinghe.gov.cn/zfbz/118.html");
    const rss = `<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><link>https://www.xinghe.gov.cn/</link><item><title>通报</title><link>/xwfb/1.html</link></item></channel></rss>`;
    expect(records(parseFeed(rss, opts).items)[0]?.url).toBe("https://www.xinghe.gov.cn/xwfb/1.html");
    // The URL the feed was fetched from wins over what the feed says of itself.
    expect(records(parseFeed(rss, { ...opts, baseUrl: "https://mirror.xinghe.gov.cn/rss.xml" }).items)[0]?.url).toBe("https://mirror.xinghe.gov.cn/xwfb/1.html");
  });

  it("falls back to the fetch time when neither item nor feed is dated", () => {
    const rss = "<rss><channel><item><title>t</title></item></channel></rss>";
    expect(records(parseFeed(rss, opts).items)[0]?.publishedAt).toBe(fetchedAt.toISOString());
  });
});

describe("parseFeed refuses hostile or broken documents", () => {
  it("refuses entity declarations (billion laughs)", () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><rss><channel><item><title>&lol2;</title></item></channel></rss>`;
    expect(() => parseFeed(lol, opts)).toThrow(/declares entities.*billion laughs/);
  });

  it("refuses external entities (XXE)", () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss><channel><item><title>&xxe;</title></item></channel></rss>`;
    expect(() => parseFeed(xxe, opts)).toThrow(expect.objectContaining({ code: "invalid_input", message: expect.stringMatching(/XXE/) }));
  });

  it("refuses a second DOCTYPE but accepts a bare one and DOCTYPE text inside CDATA", () => {
    expect(() => parseFeed("<!DOCTYPE rss><rss><!DOCTYPE x><channel/></rss>", opts)).toThrow(/2 DOCTYPE/);
    const bare = `<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss><channel><item><title>a</title><description><![CDATA[<!DOCTYPE html><!ENTITY x "y"><p>正文</p>]]></description></item></channel></rss>`;
    expect(records(parseFeed(bare, opts).items)).toHaveLength(1);
    expect(() => rejectEntityDeclarations("<rss><description><![CDATA[<!DOCTYPE html>]]></description></rss>")).not.toThrow();
  });

  it("bounds the document, the items and each item's text", () => {
    expect(() => parseFeed(RSS, { ...opts, maxChars: 100 })).toThrow(/more than 100/);
    const many = `<rss><channel>${"<item><title>a</title></item>".repeat(5)}</channel></rss>`;
    const limited = parseFeed(many, { ...opts, maxItems: 3 });
    expect(limited.items).toHaveLength(4);
    expect(limited.items[3]).toMatchObject({ ok: false, reason: "items 4–5 not read: a feed may have at most 3 items" });
    const big = `<rss><channel><item><title>大</title><description>${"字".repeat(50)}</description></item><item><title>小</title></item></channel></rss>`;
    const bounded = parseFeed(big, { ...opts, maxItemChars: 20 });
    expect(bounded.items.map((item) => item.ok)).toEqual([false, true]);
    expect(bounded.items[0]).toMatchObject({ reason: "item 1 (大): description is 50 characters, more than 20" });
  });

  it("reads what it can of a truncated feed and says what is wrong with a document that is not a feed", () => {
    // Lenient on purpose: real government feeds are often slightly malformed; every item is validated anyway.
    expect(records(parseFeed("<rss><channel><item><title>完整</title></item><item><link>x", opts).items)[0]?.title).toBe("完整");
    expect(() => parseFeed("<rss><channel><item><title>截断", opts)).toThrow("not well-formed XML (Unexpected end of title)");
    expect(() => parseFeed("plain text", opts)).toThrow('not an RSS or Atom feed: it does not start with XML markup (starts with "plain text")');
    expect(() => parseFeed('{"items":[]}', opts)).toThrow("not an RSS or Atom feed: it looks like JSON");
    expect(() => parseFeed("  ", opts)).toThrow("not an RSS or Atom feed: the body is empty");
    expect(() => parseFeed("<?xml version='1.0'?>", opts)).toThrow("not an RSS or Atom feed (root element missing)");
    expect(() => parseFeed("<html><body/></html>", opts)).toThrow("not an RSS or Atom feed: it is an HTML page (root element <html>; expected <rss>, <feed> or <rdf:RDF>)");
    expect(() => parseFeed("<\u0000r\u0000s\u0000s\u0000>", opts)).toThrow("NUL characters (UTF-16 or UTF-32 bytes read with another charset?)");
  });
});

// Issue 9 finding 2: the DOCTYPE/CDATA pre-check and the text-construct CDATA split were quadratic (a lazy
// "<![CDATA[ … ]]>" regex rescanned to the end from every unclosed opening), so a few MiB froze the event loop
// for minutes. Both are single forward passes now; these inputs took longer than the test timeout before.
describe("parseFeed stays linear on hostile input (issue 9, finding 2)", () => {
  const unclosed = "<![CDATA[".repeat(200_000);

  it("pre-checks 1.8 MB of unclosed CDATA after a DOCTYPE in well under a second", () => {
    const started = performance.now();
    expect(() => rejectEntityDeclarations(`<!DOCTYPE rss><rss>${unclosed}`)).not.toThrow();
    expect(() => rejectEntityDeclarations(`<!DOCTYPE rss [<!ENTITY a "b">]><rss>${unclosed}`)).toThrow(/declares entities/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("reads a description made of 1.8 MB of CDATA openings in well under a second", () => {
    const started = performance.now();
    const feed = parseFeed(`<!DOCTYPE rss><rss><channel><item><title>t</title><description>${unclosed}]]></description></item></channel></rss>`, opts);
    expect(feed.items[0]).toMatchObject({ ok: false, reason: "item 1 (t): description is 1799991 characters, more than 200000" });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("still takes CDATA sections literally and skips them when looking for DOCTYPEs", () => {
    const rss = `<!DOCTYPE rss><rss><channel><item><title>a</title><description>x &amp; <![CDATA[<!DOCTYPE y> &amp;]]> <![CDATA[<![CDATA[嵌套]]></description></item></channel></rss>`;
    expect(records(parseFeed(rss, opts).items)[0]?.text).toBe("x & <!DOCTYPE y> &amp; <![CDATA[嵌套");
  });
});

describe("parseFeedBounded (issue 9, finding 2: a time budget for the whole parse)", () => {
  const item = "<item><title>标题</title><description>内容内容内容内容内容内容内容内容</description><pubDate>2024-05-01 09:30</pubDate></item>";

  it("parses off the event loop and gives the same result as parseFeed", async () => {
    const rss = `<rss><channel><title>星河</title>${item}${item.replace("标题", "另一条")}</channel></rss>`;
    expect(await parseFeedBounded(rss, opts)).toEqual(parseFeed(rss, opts));
  });

  it("abandons a feed that takes longer than its budget, and the event loop keeps turning meanwhile", async () => {
    const huge = `<rss><channel>${item.repeat(60_000)}</channel></rss>`;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const started = performance.now();
    try {
      await expect(parseFeedBounded(huge, { ...opts, maxItems: 100_000, budgetMs: 100 })).rejects.toThrow(
        expect.objectContaining({ code: "invalid_input", message: "feed took longer than 100 ms to parse and was abandoned (pathological or hostile XML)" }),
      );
    } finally {
      clearInterval(ticker);
    }
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(ticks).toBeGreaterThan(0);
    // The abandoned worker is replaced: the next feeds parse, several at once, each with its own answer.
    const feeds = ["甲", "乙", "丙"].map((t) => `<rss><channel>${item.replace("标题", t)}</channel></rss>`);
    const parsed = await Promise.all(feeds.map((f) => parseFeedBounded(f, opts)));
    expect(parsed.map((p) => (p.items[0]?.ok === true ? p.items[0].record.title : undefined))).toEqual(["甲", "乙", "丙"]);
  });

  it("reports XML that is not well-formed the same way as on the calling thread", async () => {
    await expect(parseFeedBounded("<rss><channel><item><title>截断", opts)).rejects.toThrow("not well-formed XML (Unexpected end of title)");
  });
});
