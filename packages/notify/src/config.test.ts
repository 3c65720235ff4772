import { Writable } from "node:stream";
import { createLogger } from "@liaowang/logger";
import { describe, expect, it } from "vitest";
import { NotifyConfig, notifyRedactPaths } from "./config.js";
import { createChannelRouter, targetFromConfig } from "./router.js";

const raw = {
  smtp: { host: "smtp.example.gov.cn", port: 587, secure: false, user: "duty", pass: "smtp-pass-SECRET", from: "瞭望值班 <duty@example.gov.cn>" },
  sms: { url: "https://sms.example/send", token: "sms-token-SECRET" },
  targets: {
    "ops-webhook": { channel: "webhook", url: "https://hooks.example/liaowang", secret: "webhook-secret-SECRET" },
    "propaganda-wecom": { channel: "wecom", key: "wecom-key-SECRET" },
    "emergency-dingtalk": { channel: "dingtalk", url: "https://oapi.dingtalk.com/robot/send?access_token=dt-token-SECRET", secret: "SECdingtalk-SECRET" },
    "duty-mail": { channel: "email", to: ["duty@example.gov.cn"] },
    "head-sms": { channel: "sms", to: ["+8613800000000"] },
  },
};

describe("NotifyConfig", () => {
  it("parses a full config with robot defaults of 18 per minute", () => {
    const config = NotifyConfig.parse(raw);
    expect(config.timeoutMs).toBe(10_000);
    expect(config.rateLimits.wecom).toEqual({ limit: 18, windowMs: 60_000 });
    expect(config.rateLimits.dingtalk).toEqual({ limit: 18, windowMs: 60_000 });
    expect(config.rateLimits.webhook).toBeUndefined();
    expect(config.smtp).toMatchObject({ requireTLS: true });
    expect(config.sms).toMatchObject({ signName: "", maxSegments: 3 });
    const wecom = config.targets["propaganda-wecom"];
    expect(wecom && targetFromConfig(wecom)).toEqual({ channel: "wecom", url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-SECRET" });
  });

  it("rejects incomplete or insecure settings with a message naming the problem", () => {
    const fail = (input: unknown): string => {
      const r = NotifyConfig.safeParse(input);
      return r.success ? "" : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    };
    expect(fail({ targets: { r: { channel: "wecom" } } })).toContain("exactly one of key or url");
    expect(fail({ targets: { r: { channel: "wecom", key: "k", url: "https://x.example" } } })).toContain("exactly one of key or url");
    expect(fail({ targets: { d: { channel: "dingtalk", url: "https://x.example", secret: "nope" } } })).toContain("starts with SEC");
    expect(fail({ targets: { w: { channel: "webhook", url: "https://x.example", secret: "short" } } })).toContain("at least 16");
    expect(fail({ targets: { w: { channel: "webhook", url: "ftp://x.example", secret: "0123456789abcdef" } } })).toContain("targets.w.url");
    expect(fail({ targets: { m: { channel: "email", to: ["duty@example.gov.cn"] } } })).toContain('email target "m" needs smtp settings');
    expect(fail({ targets: { s: { channel: "sms", to: ["12345678"] } } })).toContain('sms target "s" needs sms gateway settings');
    expect(fail({ smtp: { host: "h", from: "a@b.c", user: "u" } })).toContain("both smtp user and pass");
    expect(fail({ targets: { "bad id!": { channel: "wecom", key: "k" } } })).toContain("targets.bad id!: Invalid key");
  });

  it("routes configured targets by channel and id only", () => {
    const router = createChannelRouter(NotifyConfig.parse(raw));
    expect(router.route("wecom", "propaganda-wecom")?.rateLimit).toEqual({ limit: 18, windowMs: 60_000 });
    expect(router.route("email", "duty-mail")?.rateLimit).toBeNull();
    expect(router.route("email", "propaganda-wecom")).toBeUndefined();
    expect(router.route("wecom", "nope")).toBeUndefined();
    expect(router.route("wecom", "toString")).toBeUndefined();
    expect(router.route("wecom", "propaganda-wecom")?.rateKey).not.toContain("SECRET");
  });

  it("gives pino paths that keep every secret out of the logs", () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ service: "alerter", destination, extraRedact: notifyRedactPaths });
    const config = NotifyConfig.parse(raw);
    const wecom = config.targets["propaganda-wecom"];
    log.info({ config }, "top level");
    log.info({ notify: config }, "nested");
    log.info({ target: wecom && targetFromConfig(wecom) }, "resolved target");
    log.info({ target: targetFromConfig({ channel: "webhook", url: "https://hooks.example/x-SECRET", secret: "SECRET-webhook-secret" }) }, "webhook target");
    const out = chunks.join("");
    expect(out.split("\n").filter(Boolean)).toHaveLength(4);
    expect(out).not.toContain("SECRET");
    expect(out).not.toContain("13800000000");
    expect(out).toContain("smtp.example.gov.cn");
  });
});
