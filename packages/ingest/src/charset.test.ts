import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { charsetFromContentType, charsetFromXmlDeclaration, decodeBody, decodeUnlabelled, resolveCharset } from "./charset.js";

const CHINESE = "星河市应急管理局：化工厂爆炸事故造成3人死亡，朱镕基、王堃";

describe("resolveCharset", () => {
  it("reads GB2312 and GBK as GB18030 and keeps labels iconv-lite knows", () => {
    expect(resolveCharset("GB2312")).toBe("gb18030");
    expect(resolveCharset(" gbk ")).toBe("gb18030");
    expect(resolveCharset('"GB18030"')).toBe("gb18030");
    expect(resolveCharset("UTF-8")).toBe("utf-8");
    expect(resolveCharset("big5")).toBe("big5");
    expect(resolveCharset("x-klingon")).toBeUndefined();
    expect(resolveCharset("")).toBeUndefined();
  });
});

describe("charset labels", () => {
  it("takes the charset parameter of a Content-Type, quoted or not", () => {
    expect(charsetFromContentType("text/xml; charset=gb2312")).toBe("gb2312");
    expect(charsetFromContentType('application/rss+xml;charset="GBK"')).toBe("GBK");
    expect(charsetFromContentType("application/xml")).toBeUndefined();
    expect(charsetFromContentType(undefined)).toBeUndefined();
  });

  it("sniffs the XML declaration's encoding, also after a UTF-8 BOM", () => {
    expect(charsetFromXmlDeclaration(Buffer.from('<?xml version="1.0" encoding="GB2312"?><rss/>'))).toBe("GB2312");
    expect(charsetFromXmlDeclaration(Buffer.from("\ufeff<?xml version='1.0' encoding='utf-8'?>"))).toBe("utf-8");
    expect(charsetFromXmlDeclaration(Buffer.from("<rss/>"))).toBeUndefined();
  });
});

describe("decodeBody", () => {
  const gbXml = (declared: string) => iconv.encode(`<?xml version="1.0" encoding="${declared}"?><rss><title>${CHINESE}</title></rss>`, "gb18030");

  it("decodes GB2312 bytes from the HTTP charset", () => {
    const decoded = decodeBody(gbXml("utf-8"), "text/xml; charset=gb2312");
    expect(decoded.text).toContain(CHINESE);
    expect(decoded).toMatchObject({ charset: "gb18030", from: "header" });
  });

  it("falls back to the XML declaration when the header has no charset", () => {
    const decoded = decodeBody(gbXml("GB2312"), "application/rss+xml");
    expect(decoded.text).toContain(CHINESE);
    expect(decoded.from).toBe("xml-declaration");
  });

  it("skips an unknown header charset and uses the declaration", () => {
    expect(decodeBody(gbXml("gbk"), "text/xml; charset=nonsense").from).toBe("xml-declaration");
  });

  it("lets a UTF-8 BOM win over a wrong label, and strips it", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CHINESE)]);
    const decoded = decodeBody(bytes, "text/xml; charset=gb2312");
    expect(decoded).toEqual({ text: CHINESE, charset: "utf-8", from: "bom" });
  });

  it("lets a configured override win over everything", () => {
    const decoded = decodeBody(iconv.encode(CHINESE, "gbk"), "text/xml; charset=utf-8", "gbk");
    expect(decoded).toEqual({ text: CHINESE, charset: "gb18030", from: "override" });
  });

  it("defaults to UTF-8", () => {
    expect(decodeBody(Buffer.from(CHINESE))).toEqual({ text: CHINESE, charset: "utf-8", from: "default" });
  });
});

describe("decodeUnlabelled", () => {
  it("reads valid UTF-8 as UTF-8 and anything else as GB18030", () => {
    expect(decodeUnlabelled(Buffer.from(CHINESE)).text).toBe(CHINESE);
    expect(decodeUnlabelled(iconv.encode(CHINESE, "gb18030"))).toEqual({ text: CHINESE, charset: "gb18030", from: "default" });
  });
});
