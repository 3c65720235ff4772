import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sampleNotification } from "../testing/fixtures.js";
import { DINGTALK_MARKDOWN_MAX_BYTES, dingtalkBody, dingtalkSign, dingtalkSignedUrl } from "./dingtalk.js";

const secret = "SECd2f5c3b1a0e94f7c8b6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3";
const timestamp = 1_700_000_000_000;

describe("DingTalk 加签", () => {
  it("matches a vector computed independently with Python's hmac/base64/quote_plus", () => {
    // python3: base64.b64encode(hmac.new(secret, f"{ts}\n{secret}", sha256).digest())
    expect(dingtalkSign(secret, timestamp)).toBe("3XE0dVsLKDD3k411IEJvMmTyhKb08rZ/CMwZ36nKL3M=");
  });

  it("matches node:crypto computed here by hand", () => {
    const expected = createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(`${timestamp}\n${secret}`, "utf8")).digest("base64");
    expect(dingtalkSign(secret, timestamp)).toBe(expected);
  });

  it("appends timestamp and the URL-encoded sign to the robot URL, keeping access_token", () => {
    const url = dingtalkSignedUrl("https://oapi.dingtalk.com/robot/send?access_token=abc123", secret, timestamp);
    expect(url).toBe(
      "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1700000000000&sign=3XE0dVsLKDD3k411IEJvMmTyhKb08rZ%2FCMwZ36nKL3M%3D",
    );
    expect(new URL(url).searchParams.get("sign")).toBe(dingtalkSign(secret, timestamp));
  });
});

describe("dingtalkBody", () => {
  it("is a markdown message with a one-line title and blank-line separated text", () => {
    const body = dingtalkBody(sampleNotification({ level: "I" }));
    expect(body.msgtype).toBe("markdown");
    expect(body.markdown.title).toBe("【瞭望·新预警】I级 某市化工园区发生爆炸事故，已造成12人遇难");
    expect(body.markdown.text).toContain("\n\n> 责任部门：市应急管理局");
    expect(body.markdown.text).toContain("> 权威信息发布：2024-05-01 13:10 前（北京时间）");
    expect(body.markdown.text.endsWith("[确认收到](https://liaowang.example.gov.cn/ack?t=alert-20240501-001.sig)")).toBe(true);
  });

  it("stays within the size limit for a huge body and keeps the link", () => {
    const body = dingtalkBody(sampleNotification({ body: Array.from({ length: 2_000 }, (_, i) => `第${i}行：舆情摘要内容较长较长较长`) }));
    expect(Buffer.byteLength(body.markdown.text, "utf8")).toBeLessThanOrEqual(DINGTALK_MARKDOWN_MAX_BYTES);
    expect(body.markdown.text).toMatch(/正文另有 \d+ 行/);
    expect(body.markdown.text).toContain("[确认收到](");
  });
});
