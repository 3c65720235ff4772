import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeBody, parseFeed } from "@liaowang/ingest";
import { renderDemoFeed, renderDemoTemplate } from "./feeds.js";

const start = new Date("2024-05-01T02:00:00Z"); // 10:00 Beijing time

describe("renderDemoTemplate", () => {
  it("writes times before the start in ISO, RFC 822 and zone-less Beijing forms", () => {
    expect(renderDemoTemplate("{{ago:90m}} {{ago:2h|rfc822}} {{ago:1d|local}} {{ago:x}}", start)).toBe("2024-05-01T08:30:00+08:00 Wed, 01 May 2024 08:00:00 +0800 2024-04-30 10:00:00 {{ago:x}}");
  });
});

describe("renderDemoFeed", () => {
  const template = `<?xml version="1.0" encoding="gb2312"?>\n<rss><channel><item><title>工资拖欠</title><pubDate>{{ago:30m|local}}</pubDate></item></channel></rss>`;

  it("serves XML in its declared encoding, labelled with it, so the poller decodes it back exactly", () => {
    const feed = renderDemoFeed("gov.xml", template, start);
    expect(feed.contentType).toBe("application/rss+xml; charset=gb2312");
    expect(feed.body.includes(Buffer.from("工资拖欠"))).toBe(false);
    expect(feed.body.includes(iconv.encode("工资拖欠", "gb2312"))).toBe(true);
    const parsed = parseFeed(decodeBody(feed.body, feed.contentType).text, { source: "demo", fetchedAt: start });
    expect(parsed.items).toEqual([{ item: 1, ok: true, record: { source: "demo", title: "工资拖欠", text: "工资拖欠", publishedAt: "2024-05-01T01:30:00.000Z" } }]);
  });

  it("serves UTF-8 XML and JSON without re-encoding", () => {
    expect(renderDemoFeed("a.xml", '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"/>', start).contentType).toBe("application/atom+xml");
    const json = renderDemoFeed("a.json", '[{"publishedAt":"{{ago:1h}}"}]', start);
    expect(json).toEqual({ contentType: "application/json; charset=utf-8", body: Buffer.from('[{"publishedAt":"2024-05-01T09:00:00+08:00"}]') });
  });
});
