import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { ENCODING_CASES } from "../test/fixtures/encodings.js";
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
    expect(decoded).toMatchObject({ charset: "gb18030", from: "header", reason: "header said gb2312", replacements: 0 });
    expect(decoded.mislabelled).toBeUndefined();
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
    expect(decoded).toEqual({ text: CHINESE, charset: "utf-8", from: "bom", reason: "byte-order mark: UTF-8", replacements: 0 });
  });

  it("lets a configured override win over everything", () => {
    const decoded = decodeBody(iconv.encode(CHINESE, "gbk"), "text/xml; charset=utf-8", "gbk");
    expect(decoded).toEqual({ text: CHINESE, charset: "gb18030", from: "override", reason: "configured charset gbk", replacements: 0 });
  });

  it("reads unlabelled UTF-8 as UTF-8, which is XML's default and so no mislabelling", () => {
    expect(decodeBody(Buffer.from(CHINESE))).toEqual({ text: CHINESE, charset: "utf-8", from: "detected", reason: "no charset label, body is UTF-8", replacements: 0 });
    expect(decodeBody(Buffer.from("<rss/>"))).toMatchObject({ charset: "utf-8", from: "default" });
  });

  // Issue 11: a label is used only when the bytes fit it; otherwise the evidence decides and the label is reported.
  it.each(ENCODING_CASES.map((c) => [c.name, c] as const))("%s: the exact Chinese text, the right charset and why", (_name, c) => {
    const decoded = decodeBody(c.bytes, c.contentType);
    for (const [title, text] of c.items) {
      expect(decoded.text).toContain(`<title>${title}</title>`);
      expect(decoded.text).toContain(`<description>${text}</description>`);
    }
    expect({ charset: decoded.charset, reason: decoded.reason, mislabelled: decoded.mislabelled, replacements: decoded.replacements }).toEqual({
      charset: c.charset,
      reason: c.reason,
      mislabelled: c.mislabelled,
      replacements: 0,
    });
  });

  it("keeps a Western single-byte label when the body really is Western", () => {
    const latin = iconv.encode("<rss><title>Café déjà vu: résumé of the año</title></rss>", "latin1");
    expect(decodeBody(latin, "text/xml; charset=ISO-8859-1")).toMatchObject({ text: "<rss><title>Café déjà vu: résumé of the año</title></rss>", charset: "windows-1252", from: "header" });
  });

  it("counts the replacement characters when no charset fits, and says so", () => {
    const broken = Buffer.concat([Buffer.from("<rss><title>"), Buffer.from([0xff, 0xff, 0x3c]), Buffer.from("通报</title></rss>")]);
    const decoded = decodeBody(broken, "text/xml; charset=utf-8");
    expect(decoded.replacements).toBeGreaterThan(0);
    expect(decoded.reason).toMatch(/^header said utf-8, but no charset decodes the body cleanly: read as UTF-8 with \d+ replacement character\(s\)$/);
  });
});

describe("decodeUnlabelled", () => {
  it("reads valid UTF-8 as UTF-8 and anything else as GB18030", () => {
    expect(decodeUnlabelled(Buffer.from(CHINESE)).text).toBe(CHINESE);
    expect(decodeUnlabelled(iconv.encode(CHINESE, "gb18030"))).toMatchObject({ text: CHINESE, charset: "gb18030", from: "default" });
  });
});
