import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { serviceLogger } from "@liaowang/runtime";
import { ALERTER_LOG } from "./log.js";

describe("the alerter's logger", () => {
  it("redacts notify secrets wherever they are logged (the paths reach the logger main builds)", () => {
    let out = "";
    const destination = new Writable({
      write(chunk: Buffer, _e, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = serviceLogger("alerter", { ...ALERTER_LOG, destination });
    log.warn({ notify: { smtp: { pass: "smtp-pass-LEAK" }, sms: { token: "sms-token-LEAK" }, targets: { w: { url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ROBOTKEY-LEAK" } } } }, "config");
    log.warn({ target: { channel: "dingtalk", url: "https://oapi.dingtalk.com/robot/send?access_token=DING-LEAK", secret: "SEC-LEAK" } }, "send failed");
    expect(out).toContain("[redacted]");
    for (const leaked of ["smtp-pass-LEAK", "sms-token-LEAK", "ROBOTKEY-LEAK", "DING-LEAK", "SEC-LEAK"]) expect(out).not.toContain(leaked);
  });
});
