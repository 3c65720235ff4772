import type { z } from "zod";

/** Chinese names of config fields, shown beside the key so the administrator finds both in the form and the file. */
const FIELD: Record<string, string> = {
  // watch-rules.yaml
  rules: "规则",
  must: "必含词",
  any: "任含词",
  minAny: "至少命中",
  exclude: "排除词",
  fields: "匹配范围",
  regions: "地区",
  level: "提示级别",
  // sources.yaml
  sources: "信源",
  title: "标题",
  kind: "类型",
  url: "地址",
  schedule: "抓取周期",
  region: "地区",
  enabled: "启用",
  local: "本地媒体",
  charset: "字符集",
  timezone: "时区",
  // departments.yaml
  departments: "部门",
  parent: "上级部门",
  jurisdiction: "管辖地区",
  topics: "主题",
  keywords: "关键词",
  targets: "通知目标",
  people: "人员",
  role: "角色",
  email: "邮箱",
  mobile: "手机号",
  routing: "分派",
  default: "默认部门",
  coNotifyMajor: "I/II级协同通知部门",
  // escalation.yaml
  clocks: "时限",
  authoritativeInfo: "权威信息时限",
  pressConference: "新闻发布会时限",
  response: "回应时限",
  onOpen: "新预警通知",
  reminders: "提醒",
  points: "提醒点",
  at: "时间点",
  label: "标签",
  notify: "通知对象",
  quietHours: "免打扰时段",
  start: "开始",
  end: "结束",
  utcOffsetMinutes: "时区偏移（分钟）",
  levels: "级别",
  policies: "升级策略",
  steps: "步骤",
  after: "超时未确认",
  beforeDeadline: "截止前",
  audience: "对象",
  department: "部门",
  repeat: "重复",
  times: "次数",
  digest: "每日汇总",
  // holidays.yaml
  years: "年度安排",
  year: "年份",
  notice: "文号",
  holidays: "放假",
  workdays: "调休上班",
  from: "开始日期",
  to: "结束日期",
  date: "日期",
  // shared
  id: "编号",
  name: "名称",
};

/** The English messages our schemas give, in Chinese (matched in order; $1… are the captured parts). */
const MESSAGES: [RegExp, string][] = [
  [/^id must be 1–64 characters/, "须为 1–64 个英文字母、数字或 _ . : -"],
  [/^ids are letters, digits and \. _ -/, "须为英文字母、数字或 . _ -"],
  [/^needs at least one must or any term/, "至少要有一个必含词或任含词"],
  [/^has (\d+) terms, at most (\d+) allowed/, "共 $1 个词，最多 $2 个"],
  [/^minAny (\d+) exceeds the (\d+) any terms/, "至少命中数 $1 超过了任含词的个数 $2"],
  [/^duplicate watch rule id "(.*)"/, "规则编号「$1」重复"],
  [/^empty term/, "词不能为空"],
  [/^term longer than (\d+) characters/, "词不能超过 $1 个字"],
  [/^more than (\d+) terms/, "不能超过 $1 个词"],
  [/^more than (\d+) watch rules/, "不能超过 $1 条规则"],
  [/^expected a lowercase id of letters/, "须为小写英文字母、数字、. _ - 组成的编号（最多 100 个字符）"],
  [/^expected an http\(s\) URL/, "须为 http:// 或 https:// 开头的网址"],
  [/^expected a node-cron expression/, "须为 cron 表达式，如 \"*/5 * * * *\"（每 5 分钟）"],
  [/^expected a charset name/, "须为字符集名称，如 gb18030、gbk、utf-8"],
  [/^duplicate source name/, "信源名称重复"],
  [/^expected an IANA time zone/, "须为时区名称，如 Asia/Shanghai"],
  [/^duplicate department id "(.*)"/, "部门编号「$1」重复"],
  [/^duplicate person id "(.*)"/, "人员编号「$1」重复"],
  [/^unknown parent department "(.*)"/, "上级部门「$1」不存在"],
  [/^unknown department "(.*)"/, "部门「$1」不存在"],
  [/^expected a phone number/, "须为手机号（数字，可带 +）"],
  [/^expected HH:MM/, "须为 24 小时制时刻，如 22:00"],
  [/^quiet hours never hold back I or II/, "免打扰不能延后 I、II 级预警"],
  [/^give exactly one of after or beforeDeadline/, "超时未确认与截止前须且只能填一个"],
  [/^after and beforeDeadline are positive/, "超时未确认与截止前须为正的时长"],
  [/^expected a duration like 30s, 15m, 2h or 1d, got "(.*)"/, "须为时长，如 30s、15m、2h、1d（填的是「$1」）"],
  [/^duplicate policy id "(.*)"/, "策略编号「$1」重复"],
  [/^duplicate step id "(.*)"/, "步骤编号「$1」重复"],
  [/^reminder points are at or before the deadline/, "提醒点须在截止时间或之前（如 -2h、-30m、0）"],
  [/^duplicate reminder point "(.*)"/, "提醒点「$1」重复"],
  // holidays.yaml
  [/^expected a date YYYY-MM-DD/, "须为日期，如 2027-01-01"],
  [/^not a calendar date/, "不是日历上的日期"],
  [/^a year's schedule has at least 元旦 and 春节/, "一年的安排至少要有元旦和春节"],
  [/^(.*?): ends \((.*)\) before it starts \((.*)\)/, "$1：结束日期 $2 早于开始日期 $3"],
  [/^(.*?): (\S+)–(\S+) is longer than a month/, "$1：$2 至 $3 超过一个月"],
  [/^(.*?): (\S+) is outside the (\d+) schedule \((\S+) – (\S+)\)/, "$1：$2 不在 $3 年安排的范围内（$4 至 $5）"],
  [/^(.*?): a 调休 working day is a Saturday or Sunday; (\S+) is a (\S+)/, "$1：调休上班日须为周六或周日，$2 是$3"],
  [/^(.*?): (\S+) is listed both as a holiday and as a 调休 working day/, "$1：$2 同时列为放假和调休上班"],
  [/^(\d+) is listed twice/, "$1 年重复"],
];

const TYPE: Record<string, string> = { string: "文字", number: "数字", int: "整数", boolean: "是或否（true / false）", array: "列表", object: "对象" };

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Where an issue is, in Chinese: 规则（rules）›「mine-accident」› 必含词（must）› 第 2 项. */
export function fieldName(path: readonly PropertyKey[], data: unknown): string {
  const parts: string[] = [];
  path.forEach((key, i) => {
    if (typeof key === "number") {
      const item = valueAt(data, path.slice(0, i + 1)) as Record<string, unknown> | undefined;
      const named = item && typeof item === "object" ? (typeof item.id === "string" ? item.id : typeof item.name === "string" ? item.name : typeof item.year === "number" ? `${item.year}年` : undefined) : undefined;
      parts.push(named ? `「${named}」` : `第 ${key + 1} 项`);
    } else {
      const k = String(key);
      parts.push(FIELD[k] ? `${FIELD[k]}（${k}）` : k);
    }
  });
  return parts.join(" › ");
}

function sizeText(issue: { origin?: string; minimum?: unknown; maximum?: unknown }, small: boolean): string {
  const n = String(small ? issue.minimum : issue.maximum);
  switch (issue.origin) {
    case "string":
      return small ? (n === "1" ? "不能为空" : `至少 ${n} 个字符`) : `最多 ${n} 个字符`;
    case "array":
    case "set":
      return small ? `至少 ${n} 项` : `最多 ${n} 项`;
    default:
      return small ? `不能小于 ${n}` : `不能大于 ${n}`;
  }
}

/** One issue's message in Chinese (our schemas' own messages translated, zod's by code). */
export function issueText(issue: z.core.$ZodIssue, data: unknown): string {
  // A missing field, whatever message its schema gives for a wrong value.
  if (issue.code === "invalid_type" && valueAt(data, issue.path) === undefined) return "必填，不能缺少";
  for (const [pattern, text] of MESSAGES) {
    const match = pattern.exec(issue.message);
    if (match) return text.replace(/\$(\d)/g, (_m, n: string) => match[Number(n)] ?? "");
  }
  switch (issue.code) {
    case "invalid_type": {
      if (valueAt(data, issue.path) === undefined) return "必填，不能缺少";
      return `须为${TYPE[issue.expected] ?? issue.expected}`;
    }
    case "too_small":
      return sizeText(issue as never, true);
    case "too_big":
      return sizeText(issue as never, false);
    case "invalid_value":
      return `须为以下之一：${issue.values.map((v) => String(v)).join("、")}`;
    case "invalid_format":
      return issue.format === "email" ? "须为邮箱地址" : issue.format === "url" ? "须为网址" : "格式不对";
    case "unrecognized_keys":
      return `不认识的字段：${issue.keys.join("、")}`;
    case "invalid_union":
      return "内容不符合要求";
    default:
      return `不符合要求（${issue.message}）`;
  }
}

/** A validation failure as the administrator reads it: which config, each field by name, and what is wrong. */
export function zhIssues(what: string, issues: readonly z.core.$ZodIssue[], data: unknown): string {
  const lines = issues.slice(0, 20).map((issue) => {
    const where = fieldName(issue.path, data);
    return `${where ? `${where}：` : ""}${issueText(issue, data)}`;
  });
  const more = issues.length > 20 ? `；另有 ${issues.length - 20} 处` : "";
  return `${what}有 ${issues.length} 处错误：${lines.join("；")}${more}`;
}
