import type { AlertLevel } from "@liaowang/schemas";
import { isMajor, type Department, type DepartmentsConfig } from "./config.js";
import type { IncidentRegion } from "./incident.js";

/** Where an incident goes: the responsible department (第一责任主体), the co-notified ones, and why. */
export interface Route {
  department: string;
  departmentName: string;
  coDepartments: string[];
  reason: string;
}

/** What routing looks at. */
export interface RoutingInput {
  title: string;
  level: AlertLevel;
  topics: readonly string[];
  keywords: readonly string[];
  regions: readonly IncidentRegion[];
}

const LEVEL_DEPTH = { province: 1, city: 2, county: 3 } as const;

/** Depth of a GB/T 2260 code: 1 province (xx0000), 2 city (xxxx00), 3 county; 0 if not a code. */
export function codeDepth(code: string): number {
  if (!/^\d{6}$/.test(code)) return 0;
  if (code.endsWith("0000")) return 1;
  if (code.endsWith("00")) return 2;
  return 3;
}

function regionDepth(region: IncidentRegion): number {
  if (region.level) return LEVEL_DEPTH[region.level];
  return region.code ? codeDepth(region.code) : 3;
}

/**
 * How specifically a jurisdiction entry covers a region: the entry's own depth (1 province … 3 county),
 * 0 when it does not cover it. Entries are region names or GB/T 2260 codes.
 */
export function coverDepth(entry: string, region: IncidentRegion): number {
  const depth = codeDepth(entry);
  if (depth > 0) {
    if (!region.code || codeDepth(region.code) < depth) return 0;
    const prefix = depth === 1 ? 2 : depth === 2 ? 4 : 6;
    return region.code.slice(0, prefix) === entry.slice(0, prefix) ? depth : 0;
  }
  if (entry === region.name) return regionDepth(region);
  if (entry === region.province) return 1;
  return 0;
}

/** The least specific cover of all regions by the department: 0.5 for "everywhere", 0 if a region is outside it. */
function jurisdictionFit(department: Department, regions: readonly IncidentRegion[]): number {
  if (department.jurisdiction.length === 0) return 0.5;
  if (regions.length === 0) return 0;
  let fit = Infinity;
  for (const region of regions) {
    const best = Math.max(0, ...department.jurisdiction.map((entry) => coverDepth(entry, region)));
    fit = Math.min(fit, best);
  }
  return fit;
}

interface Candidate {
  department: Department;
  order: number;
  score: number;
  fit: number;
  topics: string[];
  keywords: string[];
}

/**
 * Route an incident (61号: 属地管理、分级负责、谁主管谁负责): the departments whose topics or keywords match
 * are competent; of those whose jurisdiction covers every region involved, the most local one answers, so an
 * incident spanning several localities goes to the higher-level department that covers them all. Ties go to
 * the stronger match, then to config order. No match → the default department. I/II also notify
 * 宣传、网信、公安、通信管理 (routing.coNotifyMajor).
 * @example route({ title, level: "II", topics: ["安全生产"], keywords: ["爆炸"], regions }, departments).department
 */
export function route(input: RoutingInput, config: DepartmentsConfig): Route {
  const topics = new Set(input.topics);
  const keywords = new Set(input.keywords);
  const candidates: Candidate[] = [];
  config.departments.forEach((department, order) => {
    const matchedTopics = department.topics.filter((t) => topics.has(t));
    const matchedKeywords = department.keywords.filter((k) => keywords.has(k) || input.title.includes(k));
    const score = 3 * matchedTopics.length + 2 * matchedKeywords.length;
    if (score === 0) return;
    candidates.push({ department, order, score, fit: jurisdictionFit(department, input.regions), topics: matchedTopics, keywords: matchedKeywords });
  });
  const covering = candidates.filter((c) => c.fit > 0).sort((a, b) => b.fit - a.fit || b.score - a.score || a.order - b.order);
  const chosen = covering[0];
  const fallback = config.departments.find((d) => d.id === config.routing.default) as Department;
  const department = chosen?.department ?? fallback;
  const coDepartments = isMajor(input.level) ? config.routing.coNotifyMajor.filter((id) => id !== department.id) : [];
  return { department: department.id, departmentName: department.name, coDepartments, reason: reasonFor(chosen, candidates.length, input.regions) };
}

function reasonFor(chosen: Candidate | undefined, matched: number, regions: readonly IncidentRegion[]): string {
  if (!chosen) {
    return matched === 0 ? "无部门的话题或关键词匹配，交默认责任单位" : "匹配部门的辖区均不覆盖涉事地区，交默认责任单位";
  }
  const parts: string[] = [];
  if (chosen.topics.length > 0) parts.push(`话题「${chosen.topics.join("、")}」`);
  if (chosen.keywords.length > 0) parts.push(`关键词「${chosen.keywords.join("、")}」`);
  const where = chosen.department.jurisdiction.length === 0 ? "全辖区" : `辖区「${chosen.department.jurisdiction.join("、")}」`;
  const places = regions.length === 0 ? "" : `，涉事地区「${regions.map((r) => r.name).join("、")}」`;
  return `${parts.join("、")}匹配，${where}${places}`;
}
