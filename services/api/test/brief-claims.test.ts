import { afterAll, describe, expect, it } from "vitest";
import { briefDateBefore } from "@liaowang/alerting";
import { createEsClient } from "@liaowang/es";
import { createLogger } from "@liaowang/logger";
import type { ReportEmail } from "@liaowang/notify";
import { isolatedEnv } from "@liaowang/testing";
import { BriefConfig } from "../src/brief/config.js";
import { BriefMailer, briefSendsIndex } from "../src/brief/mailer.js";

// The once-a-day claims of the brief email on the real Elasticsearch: a failed send releases its claim and the
// next run sends; a sent brief is never sent again, by this mailer or another replica; a claim left by a sender
// that died mid-send is taken over only once it is stale. (The SMTP side is tested with a real server in
// brief-email.test.ts; the mailer here is a stand-in that fails on demand.)

const { env, indexPrefix } = isolatedEnv("brief-claims");
const es = createEsClient({ node: env.LIAOWANG_ES_URL!, indexPrefix });
const log = createLogger({ service: "brief-claims-test", level: "silent" });
const settings = { timeZone: "Asia/Shanghai", publicUrl: "http://127.0.0.1:8080", fontPath: undefined };
const config = BriefConfig.parse({ recipients: [{ to: ["office@example.gov.cn"] }] });

function mailer() {
  const sent: ReportEmail[] = [];
  let failing = false;
  return {
    sent,
    fail: (on: boolean) => (failing = on),
    async send(report: ReportEmail) {
      if (failing) throw Object.assign(new Error("451 4.3.0 try again later"), { responseCode: 451 });
      sent.push(report);
      return { messageId: `<${report.idempotencyKey}@test>`, rejected: [] };
    },
  };
}

afterAll(async () => {
  await es.indices.delete({ index: `${indexPrefix}*` }).catch(() => undefined);
  await es.close();
});

describe("brief email claims", () => {
  it("sends each day's brief once; a failure is retried; a stale claim is taken over, a fresh one is not", async () => {
    const now = new Date();
    const key = `brief:office:${briefDateBefore(now, "Asia/Shanghai")}`;
    const a = mailer();
    const first = new BriefMailer({ es, indexPrefix, departments: undefined, log }, settings, config, a);
    a.fail(true);
    expect(await first.runOnce(now)).toEqual({ sent: [], failed: [key] });
    a.fail(false);
    expect(await first.runOnce(now)).toEqual({ sent: [key], failed: [] });
    expect(await first.runOnce(now)).toEqual({ sent: [], failed: [] });
    const b = mailer();
    const replica = new BriefMailer({ es, indexPrefix, departments: undefined, log }, settings, config, b);
    expect(await replica.runOnce(now)).toEqual({ sent: [], failed: [] });
    expect(a.sent.map((m) => m.idempotencyKey)).toEqual([key]);
    expect(a.sent[0]?.attachments?.[0]?.content.subarray(0, 5).toString()).toBe("%PDF-");
    expect(b.sent).toEqual([]);

    // A sender died 20 minutes after claiming tomorrow's brief: taken over. One that claimed a minute ago: left alone.
    const later = new Date(now.getTime() + 86_400_000);
    const laterKey = `brief:office:${briefDateBefore(later, "Asia/Shanghai")}`;
    const claim = (claimedAt: Date) => ({ key: laterKey, date: laterKey.slice(-10), department: null, to: ["office@example.gov.cn"], claimedAt: claimedAt.toISOString(), sentAt: null, messageId: null });
    await es.index({ index: briefSendsIndex(indexPrefix), id: laterKey, document: claim(new Date(later.getTime() - 60_000)), refresh: true });
    expect(await replica.runOnce(later)).toEqual({ sent: [], failed: [] });
    await es.index({ index: briefSendsIndex(indexPrefix), id: laterKey, document: claim(new Date(later.getTime() - 20 * 60_000)), refresh: true });
    expect(await replica.runOnce(later)).toEqual({ sent: [laterKey], failed: [] });
    const stored = await es.get<{ sentAt: string | null }>({ index: briefSendsIndex(indexPrefix), id: laterKey });
    expect(typeof stored._source?.sentAt).toBe("string");
  });
});
