import { DepartmentsConfig, EscalationConfig, type AlertingConfig, type DepartmentsConfigInput, type EscalationConfigInput } from "../config.js";
import type { IncidentInput } from "../incident.js";

/** A small city's departments for tests: two competent emergency departments (city and county), education, and the co-notified four. */
export const departmentsInput: DepartmentsConfigInput = {
  departments: [
    { id: "gov-office", name: "市政府办公室", people: [{ id: "p-office-head", name: "办公室主任", role: "head", mobile: "13800000001" }], targets: ["office-wecom"] },
    {
      id: "emergency",
      name: "市应急管理局",
      parent: "gov-office",
      jurisdiction: ["320500"],
      topics: ["安全生产", "防灾减灾救灾"],
      keywords: ["爆炸", "火灾"],
      targets: ["emergency-wecom"],
      people: [
        { id: "p-em-duty", name: "应急值班室", role: "duty", email: "duty@em.example.gov.cn" },
        { id: "p-em-head", name: "应急局局长", role: "head", mobile: "13800000002", email: "head@em.example.gov.cn" },
      ],
    },
    {
      id: "kunshan-emergency",
      name: "昆山市应急管理局",
      parent: "emergency",
      jurisdiction: ["320583"],
      topics: ["安全生产"],
      targets: ["kunshan-dingtalk"],
      people: [{ id: "p-ks-duty", name: "昆山应急值班", role: "duty", mobile: "13800000003" }],
    },
    { id: "education", name: "市教育局", parent: "gov-office", topics: ["教育"], keywords: ["学校", "学生"], targets: ["edu-webhook"] },
    { id: "propaganda", name: "市委宣传部", targets: ["propaganda-wecom"] },
    { id: "cyberspace", name: "市委网信办", targets: ["cac-dingtalk"] },
    { id: "police", name: "市公安局", targets: ["police-webhook"] },
    { id: "telecom", name: "市通信管理办公室", targets: ["telecom-email"] },
  ],
  routing: { default: "gov-office", coNotifyMajor: ["propaganda", "cyberspace", "police", "telecom"] },
};

/** Escalation for tests: fast steps for I/II, a slower one for the rest, quiet hours 22:00–07:00 Beijing. */
export const escalationInput: EscalationConfigInput = {
  quietHours: { start: "22:00", end: "07:00" },
  policies: [
    {
      id: "major",
      levels: ["I", "II"],
      steps: [
        { id: "duty", after: "10m", notify: [{ department: "responsible", audience: "duty" }] },
        { id: "head", after: "20m", notify: [{ department: "responsible", audience: "head" }] },
        { id: "parent-before-deadline", beforeDeadline: "1h", notify: [{ department: "parent", audience: "head" }] },
      ],
      repeat: { times: 1, every: "30m" },
    },
    { id: "standard", levels: ["III", "IV", "ungraded"], steps: [{ id: "head", after: "30m", notify: [{ department: "responsible", audience: "head" }] }] },
  ],
};

/** Parsed config for tests. */
export function testConfig(overrides: { escalation?: EscalationConfigInput } = {}): AlertingConfig {
  return { departments: DepartmentsConfig.parse(departmentsInput), escalation: EscalationConfig.parse(overrides.escalation ?? escalationInput) };
}

/** A 生产安全事故 incident in 昆山市; override any field. */
export function sampleIncident(overrides: Partial<IncidentInput> = {}): IncidentInput {
  return {
    id: "inc-0001",
    title: "昆山某化工厂发生爆炸，已造成12人遇难",
    onsetAt: "2024-05-01T02:00:00.000Z",
    level: "II",
    levelReason: "据3个来源报道死亡12人，依《生产安全事故报告和调查处理条例》重大事故标准（死亡10–29人）定为II级（重大）",
    topics: ["安全生产"],
    regions: [{ code: "320583", name: "昆山市", province: "江苏省", level: "county" }],
    keywords: ["爆炸", "化工厂"],
    sourceCount: 3,
    volume: 12,
    status: "open",
    updatedAt: "2024-05-01T02:10:00.000Z",
    revision: 1,
    firstPost: { source: "weibo", url: "https://weibo.example/p/1", publishedAt: "2024-05-01T02:00:00.000Z" },
    ...overrides,
  };
}
