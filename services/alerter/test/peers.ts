import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { DepartmentsConfigInput, EscalationConfigInput } from "@liaowang/alerting";
import type { NotifyConfigInput } from "@liaowang/notify";
import type { Incident } from "@liaowang/schemas";
import { tempDir } from "@liaowang/testing";

/** A real SMTP server on loopback that keeps every message it accepts, parsed. */
export interface SmtpPeer {
  port: number;
  mails: ParsedMail[];
  close(): Promise<void>;
}

/** Start an SMTP peer (plain SMTP, no auth) on an ephemeral port. */
export async function startSmtpPeer(): Promise<SmtpPeer> {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          callback();
        })
        .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Write departments.yaml, escalation.yaml and notify.yaml (JSON is valid YAML) into a fresh directory. */
export function writeConfigDir(files: { departments: DepartmentsConfigInput; escalation: EscalationConfigInput; notify: NotifyConfigInput }): string {
  const dir = tempDir("liaowang-alerter-");
  writeFileSync(join(dir, "departments.yaml"), JSON.stringify(files.departments, null, 2));
  writeFileSync(join(dir, "escalation.yaml"), JSON.stringify(files.escalation, null, 2));
  writeFileSync(join(dir, "notify.yaml"), JSON.stringify(files.notify, null, 2));
  return dir;
}

/** A graded 生产安全事故 incident in 昆山 as the detector publishes it. */
export function incident(overrides: Partial<Incident> & Pick<Incident, "id" | "onsetAt">): Incident {
  const at = new Date().toISOString();
  const post = { docId: "d1", source: "微博", url: "https://weibo.example/p/1", title: "昆山某化工厂爆炸", snippet: "昆山某化工厂发生爆炸，已造成12人遇难", publishedAt: overrides.onsetAt };
  return {
    v: 1,
    revision: 1,
    status: "open",
    changes: ["opened"],
    mergedFrom: [],
    title: "昆山某化工厂发生爆炸，已造成12人遇难",
    openedAt: at,
    updatedAt: at,
    firstSource: post,
    lastActivityAt: at,
    level: "II",
    gradeReason: "据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）",
    gradeHistory: [],
    category: "生产安全事故",
    topics: [{ id: "安全生产", score: 0.9 }],
    regions: [{ code: "320583", name: "昆山市", level: "county", province: "江苏省", count: 5 }],
    keywords: [
      { word: "爆炸", weight: 0.5 },
      { word: "化工厂", weight: 0.3 },
    ],
    sources: { count: 3, names: ["微博", "今日头条", "本地论坛"] },
    volume: 12,
    velocity: 12,
    figures: [],
    representativeDocs: [post],
    watchMatches: [],
    bursts: [],
    timeline: [],
    ...overrides,
  };
}
