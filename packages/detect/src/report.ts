import { z } from "zod";
import type { IncidentState } from "./incident-state.js";
import { NATIONWIDE, decideScope, emptyTally, relationTo } from "./scope.js";
import type { Jurisdiction, Scope } from "./scope.js";

/**
 * What makes a cluster of posts an incident worth publishing: a risk signal. Being in several sources is not one
 * (ads, market quotes and sports results travel too). Published incidents are stored and sent on the incidents
 * topic; of those, only the ones in the jurisdiction's scope reach the duty board (see {@link boardDecision}).
 */
export interface ReportPolicy {
  /** Distinct sources a story needs before clearly negative sentiment alone counts as a risk signal. */
  minSources: number;
  /** A grade (current casualty / loss figures, or a 突发事件 category) is a risk signal. */
  whenGraded: boolean;
  /** A 突发事件 category is a risk signal even when grading did not apply (an incident elsewhere). */
  whenCategory: boolean;
  /** A watch rule match is a risk signal. */
  whenWatched: boolean;
  /** A burst of one of its topics, keywords or regions over its baseline is a risk signal. */
  whenBurst: boolean;
  /**
   * Posts an incident needs before a burst it shares in is a risk signal for it: a burst is many posts, and a lone
   * post in a bursting topic (one 考研 tip of the day's hundreds) is not the story that bursts.
   */
  burstMinVolume: number;
  /** Mean sentiment (−1 … +1) at or below which a story is clearly negative. */
  negativeSentiment: number;
  /** Mean sentiment at or below which a single post about the area itself (本地) is a risk signal. */
  negativeSentimentAlone: number;
  /** 突发事件 categories that are a risk signal by themselves. */
  riskCategories: string[];
}

/** Defaults: graded, a 突发事件 category, watched, bursting, or clearly negative in two distinct sources. */
export const DEFAULT_REPORT_POLICY: ReportPolicy = {
  minSources: 2,
  whenGraded: true,
  whenCategory: true,
  whenWatched: true,
  whenBurst: true,
  burstMinVolume: 2,
  negativeSentiment: -0.5,
  negativeSentimentAlone: -0.65,
  riskCategories: ["生产安全事故", "事故灾难", "自然灾害", "公共卫生事件", "社会安全事件"],
};

/** Schema of the report policy (every key optional). */
export const reportPolicySchema = z
  .object({
    minSources: z.number().int().min(1),
    whenGraded: z.boolean(),
    whenCategory: z.boolean(),
    whenWatched: z.boolean(),
    whenBurst: z.boolean(),
    burstMinVolume: z.number().int().min(1),
    negativeSentiment: z.number().min(-1).max(0),
    negativeSentimentAlone: z.number().min(-1).max(0),
    riskCategories: z.array(z.string().min(1)),
  })
  .partial()
  .transform((p): ReportPolicy => ({ ...DEFAULT_REPORT_POLICY, ...p }));

const BURST_KIND = { topic: "话题", keyword: "关键词", region: "地区" } as const;

/**
 * The incident's risk signal in zh-CN words, or undefined while it has none (it then stays a candidate: searchable
 * and in trends, never an alert).
 * @example reportReason(incident) // "定为II级（重大）"
 */
export function reportReason(incident: IncidentState, policy: ReportPolicy = DEFAULT_REPORT_POLICY): string | undefined {
  return riskSignal(incident, policy);
}

/**
 * The risk signal, seen from a jurisdiction when one is given: a burst of a region counts only when the region
 * touches the jurisdiction (a burst of posts about 重庆 is no risk to 长沙), and clearly negative sentiment counts
 * from a single source when the posts place the story inside the jurisdiction (本地).
 */
function riskSignal(incident: IncidentState, policy: ReportPolicy, seen?: { j: Jurisdiction; scope: Scope }): string | undefined {
  if (policy.whenGraded && incident.level !== null) return `定为${incident.level}级（${LEVEL_NAME[incident.level]}）`;
  if (policy.whenWatched && incident.watch.length > 0) return `命中监测规则「${incident.watch[0]?.name ?? ""}」`;
  if (policy.whenCategory && incident.category !== undefined && policy.riskCategories.includes(incident.category)) return `属${incident.category}`;
  const burst = incident.volume < policy.burstMinVolume ? undefined : incident.bursts.find((b) => !seen || b.kind !== "region" || relationTo(b.value, seen.j) !== "outside");
  if (policy.whenBurst && burst) return `${BURST_KIND[burst.kind]}「${burst.value}」突增（为基线的${burst.ratio.toFixed(1)}倍）`;
  const threshold = incident.sources.count >= policy.minSources ? policy.negativeSentiment : seen?.scope === "本地" ? policy.negativeSentimentAlone : -Infinity;
  if (incident.sentiment.n > 0 && incident.sentiment.mean <= threshold) {
    return `舆情明显负面（情感均值${incident.sentiment.mean.toFixed(2)}，${incident.sources.count}个来源）`;
  }
  return undefined;
}

const LEVEL_NAME = { I: "特别重大", II: "重大", III: "较大", IV: "一般" } as const;

/** Whether a published incident reaches this jurisdiction's duty board, with its scope and the reason in zh-CN. */
export interface BoardDecision {
  scope: Scope;
  scopeReason: string;
  onBoard: boolean;
  /** Why it was raised ("事发地…在辖区内；定为II级（重大）"), or why it stays off the board. */
  reason: string;
}

/**
 * The duty-board rule: an incident is raised when it is in the jurisdiction's scope (本地, 涉本地, or 未知 reported by
 * local media) AND carries a risk signal. Incidents elsewhere keep their risk signal for analysts (外地/境外关注)
 * with no clock, routing or notification.
 * @example boardDecision(incident, policy, jurisdiction) // { scope: "本地", onBoard: true, reason: "事发地长沙市在辖区（长沙市）内；定为II级（重大）", … }
 */
export function boardDecision(incident: IncidentState, policy: ReportPolicy = DEFAULT_REPORT_POLICY, j: Jurisdiction = NATIONWIDE): BoardDecision {
  const scope = decideScope(incident.scope ?? emptyTally(), incident.sources.list, j);
  const signal = scope.inScope ? riskSignal(incident, policy, { j, scope: scope.scope }) : riskSignal(incident, policy);
  if (signal === undefined) return { scope: scope.scope, scopeReason: scope.reason, onBoard: false, reason: `${scope.reason}；无风险信号（未定级、无突发事件类别、未命中监测规则、无突增、舆情不明显负面），不上值班台` };
  if (!scope.inScope) return { scope: scope.scope, scopeReason: scope.reason, onBoard: false, reason: `${scope.reason}；${signal}，列入外地/境外关注，不计时、不通知` };
  return { scope: scope.scope, scopeReason: scope.reason, onBoard: true, reason: `${scope.reason}；${signal}` };
}
