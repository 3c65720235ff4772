import { describe, expect, it } from "vitest";
import { mergeDigest } from "./aggregate.js";
import { formatBeijingTime, renderHtml, renderMarkdown, renderSms, renderSubject, renderText, smsCapacity, truncateUtf8 } from "./render.js";
import { sampleNotification } from "./testing/fixtures.js";

const wecom = { maxBytes: 4096, lineBreak: "\n" };

describe("render", () => {
  it("shows deadlines in Beijing time", () => {
    expect(formatBeijingTime("2024-05-01T06:00:00Z")).toBe("2024-05-01 14:00");
    expect(formatBeijingTime("2024-12-31T16:30:00Z")).toBe("2025-01-01 00:30");
  });

  it("renders robot markdown with heading, department, deadlines, body and the ack link last", () => {
    const md = renderMarkdown(sampleNotification({ level: "I", kind: "escalation" }), wecom);
    expect(md.split("\n")).toEqual([
      "### 【瞭望·升级通知】I级（特别重大）",
      "**某市化工园区发生爆炸事故，已造成12人遇难**",
      "> 责任部门：市应急管理局",
      "> 权威信息发布：2024-05-01 13:10 前（北京时间）",
      "> 新闻发布会：2024-05-02 08:10 前（北京时间）",
      "**首发**：2024-05-01 08:10 微博用户发帖",
      "涉及话题：安全生产、应急救援",
      "[查看原帖](https://weibo.example/p/1)",
      "[确认收到](https://liaowang.example.gov.cn/ack?t=alert-20240501-001.sig)",
    ]);
  });

  it("gives watch-only recipients (co-notified departments) no acknowledge link on any channel", () => {
    const { ackUrl: _dropped, ...rest } = sampleNotification({ level: "I" });
    const watch = rest;
    for (const out of [renderMarkdown(watch, wecom), renderText(watch), renderHtml(watch), renderSms(watch, { maxSegments: 3, signName: "【瞭望】" })]) {
      expect(out).not.toContain("/ack");
      expect(out).not.toContain("确认：");
    }
    expect(renderMarkdown(watch, wecom)).toContain("知会通报：由责任部门确认处置");
    const digest = mergeDigest([watch, sampleNotification({ alertId: "a2", idempotencyKey: "k2", level: "IV", ackUrl: "https://x.example/ack/2" })]);
    expect(digest.ackUrl).toBe("https://x.example/ack/2");
    expect(renderText(digest)).toContain("（知会）");
  });

  it("neutralises links and mentions smuggled in through untrusted titles", () => {
    const md = renderMarkdown(sampleNotification({ title: "谣言[点我](https://evil.example) <@all>", department: "宣传部]" }), wecom);
    expect(md).not.toContain("](https://evil.example)");
    expect(md).not.toContain("<@all>");
    expect(md).toContain("谣言［点我］(https://evil.example) ＜@all＞");
  });

  it("fits WeCom's 4096 bytes, dropping body lines and never the link", () => {
    const md = renderMarkdown(sampleNotification({ body: Array.from({ length: 300 }, (_, i) => `第${i}条相关报道摘要：某地群众反映情况`) }), wecom);
    expect(Buffer.byteLength(md, "utf8")).toBeLessThanOrEqual(4096);
    expect(md).toMatch(/……正文另有 \d+ 行，请登录值班台查看\n\[确认收到\]\(https:/);
    const huge = renderMarkdown(sampleNotification({ title: "长".repeat(3_000), body: [] }), wecom);
    expect(Buffer.byteLength(huge, "utf8")).toBeLessThanOrEqual(4096);
    expect(huge.endsWith("[确认收到](https://liaowang.example.gov.cn/ack?t=alert-20240501-001.sig)")).toBe(true);
  });

  it("lists every merged alert with its own ack link in a digest", () => {
    const digest = mergeDigest([
      sampleNotification({ alertId: "a1", idempotencyKey: "k1", level: "I", title: "爆炸", ackUrl: "https://x.example/ack?t=1" }),
      sampleNotification({ alertId: "a2", idempotencyKey: "k2", level: "IV", title: "停水", kind: "reminder", ackUrl: "https://x.example/ack?t=2" }),
    ]);
    const md = renderMarkdown(digest, wecom);
    expect(md).toContain("### 【瞭望·预警汇总】共 2 条");
    expect(md).toContain("1. I级·新预警 **爆炸**（市应急管理局）[确认](https://x.example/ack?t=1)");
    expect(md).toContain("2. IV级·催办提醒 **停水**（市应急管理局）[确认](https://x.example/ack?t=2)");
    expect(renderSubject(digest)).toBe("【瞭望·预警汇总】2 条预警，最高 I级：爆炸");
    expect(renderText(digest)).toContain("   确认：https://x.example/ack?t=2");
  });

  it("renders a scheduled digest's title and body lines, and links only when it lists alerts", () => {
    const body = ["**在办预警**：1 起，其中超时 1 起", "1. II级　爆炸｜研判中｜权威信息发布时限 2024-05-01 15:00，已超时 17小时", "**昨日（2024-05-01）**：无新增预警"];
    const item = { idempotencyKey: "digest:em:2024-05-02", alertId: "a1", incidentId: "i1", level: "II" as const, kind: "digest" as const, title: "爆炸", department: "市应急管理局", ackUrl: "https://x.example/ack?t=1" };
    const daily = sampleNotification({ kind: "digest", idempotencyKey: "digest:em:2024-05-02", title: "市应急管理局每日预警简报（2024-05-02）", body, deadlines: [], items: [item], ackUrl: "https://x.example/ack?t=1" });
    const md = renderMarkdown(daily, wecom).split("\n");
    expect(md[0]).toBe("### 【瞭望·预警汇总】市应急管理局每日预警简报（2024-05-02）");
    expect(md.slice(1, 4)).toEqual(body);
    expect(md.at(-1)).toBe("[打开最紧急的一条并确认](https://x.example/ack?t=1)");
    expect(renderSubject(daily)).toBe("【瞭望·预警汇总】市应急管理局每日预警简报（2024-05-02）");
    expect(renderText(daily)).toContain("在办预警：1 起，其中超时 1 起");
    expect(renderSms(daily, { maxSegments: 2, signName: "【瞭望】" })).toBe("【瞭望】市应急管理局每日预警简报（2024-05-02）：在办预警：1 起，其中超时 1 起 确认：https://x.example/ack?t=1");

    const quiet = { ...daily, items: [], body: ["**在办预警**：0 起，其中超时 0 起", "**昨日（2024-05-01）**：新增预警 1 起"] };
    expect(renderMarkdown(quiet, wecom)).not.toContain("确认");
    expect(renderSms(quiet, { maxSegments: 2, signName: "【瞭望】" })).toBe("【瞭望】市应急管理局每日预警简报（2024-05-02）：在办预警：0 起，其中超时 0 起");
  });

  it("renders plain text and escaped HTML for email", () => {
    const n = sampleNotification({ body: ["<script>alert(1)</script> **重点**"] });
    const text = renderText(n);
    expect(text).toContain("权威信息发布：2024-05-01 13:10 前（北京时间）");
    expect(text).toContain("<script>alert(1)</script> 重点");
    expect(text.endsWith("确认收到：https://liaowang.example.gov.cn/ack?t=alert-20240501-001.sig")).toBe(true);
    const html = renderHtml(n);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; <strong>重点</strong>");
    expect(html).not.toContain("<script>");
    expect(html).toContain('<a href="https://liaowang.example.gov.cn/ack?t=alert-20240501-001.sig">确认收到</a>');
  });

  it("fits SMS text into the configured parts and keeps the whole link", () => {
    const n = sampleNotification({ title: "某市化工园区发生爆炸事故".repeat(10) });
    const sms = renderSms(n, { maxSegments: 3, signName: "【瞭望】" });
    expect(sms.length).toBeLessThanOrEqual(smsCapacity(3));
    expect(sms.startsWith("【瞭望】[II级·新预警]某市化工园区")).toBe(true);
    expect(sms).toMatch(/… 确认：https:\/\/liaowang\.example\.gov\.cn\/ack\?t=alert-20240501-001\.sig$/);
    const short = renderSms(sampleNotification({ title: "停水" }), { maxSegments: 3, signName: "" });
    expect(short).toBe("[II级·新预警]停水（市应急管理局） 确认：https://liaowang.example.gov.cn/ack?t=alert-20240501-001.sig");
    // A link longer than the budget still goes out whole, with a little context.
    const tight = renderSms(n, { maxSegments: 1, signName: "" });
    expect(tight).toContain(n.ackUrl);
    expect(smsCapacity(1)).toBe(70);
    expect(smsCapacity(2)).toBe(134);
  });

  it("truncates UTF-8 without splitting characters", () => {
    expect(truncateUtf8("瞭望abc", 4)).toBe("瞭");
    expect(truncateUtf8("瞭望abc", 6)).toBe("瞭望");
    expect(truncateUtf8("瞭望abc", 100)).toBe("瞭望abc");
  });
});
