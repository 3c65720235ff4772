import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./index.js";

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join("").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("binds the service and redacts secrets and webhook URLs", () => {
    const out = capture();
    const log = createLogger({ service: "alerter", destination: out.stream });
    log.info({ channel: { webhookUrl: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", secret: "s3" }, password: "pw" }, "sent");
    const [line] = out.lines();
    expect(line?.service).toBe("alerter");
    expect(JSON.stringify(line)).not.toContain("key=abc");
    expect(JSON.stringify(line)).not.toContain("s3");
    expect(line?.password).toBe("[redacted]");
  });
});
