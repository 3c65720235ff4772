import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DepartmentsConfig, EscalationConfig, rosterProblems, type RosterConfig } from "@liaowang/alerting";
import { watchRulesSchema } from "@liaowang/detect";
import type { LiveConfigKind } from "@liaowang/es";
import { LiaowangError } from "@liaowang/errors";
import { SourcesFile } from "@liaowang/ingest";
import { zhIssues } from "./zh-issues.js";

/** The file schema of each kind, exactly what the services validate their config/ files with. */
const SCHEMAS = {
  "watch-rules": z.object({ rules: watchRulesSchema.default([]) }).strict(),
  sources: SourcesFile,
  departments: DepartmentsConfig,
  escalation: EscalationConfig,
} satisfies Record<LiveConfigKind, z.ZodType>;

/** What each kind is called on screen. */
export const KIND_NAMES: Record<LiveConfigKind, string> = { "watch-rules": "监测规则", sources: "信源", departments: "部门、联系人与分派", escalation: "升级策略" };

export const LIVE_KINDS = Object.keys(SCHEMAS) as LiveConfigKind[];

/** What cross-checks beyond the schema need to know (people on the roster, notify targets, department heads). */
export interface CrossCheck {
  roster: () => RosterConfig | undefined;
  /** Ids of targets defined in notify.yaml, or undefined when the API cannot read it. */
  notifyTargets: () => ReadonlySet<string> | undefined;
  /** Departments user accounts head. */
  headedDepartments: () => Promise<{ user: string; department: string }[]>;
}

/**
 * Validate a whole configuration of a kind with its file's schema (and the cross-checks the services make at
 * start-up), or throw `invalid_input` with a Chinese message naming each field and what is wrong.
 */
export async function validateKind(kind: LiveConfigKind, data: unknown, check: CrossCheck): Promise<void> {
  const result = SCHEMAS[kind].safeParse(data);
  if (!result.success) throw new LiaowangError("invalid_input", zhIssues(KIND_NAMES[kind], result.error.issues, data));
  const problems: string[] = [];
  if (kind === "departments") {
    const departments = result.data as DepartmentsConfig;
    const targets = check.notifyTargets();
    for (const d of departments.departments) {
      if (targets) for (const t of d.targets) if (!targets.has(t)) problems.push(`部门「${d.id}」的通知目标（targets）「${t}」在 notify.yaml 中没有定义`);
    }
    const roster = check.roster();
    if (roster) for (const p of rosterProblems(roster, departments)) problems.push(`值班表与部门不一致：${p}`);
    const ids = new Set(departments.departments.map((d) => d.id));
    for (const h of await check.headedDepartments()) if (!ids.has(h.department)) problems.push(`部门「${h.department}」仍有部门负责人账号「${h.user}」，不能删除`);
  }
  if (problems.length > 0) throw new LiaowangError("invalid_input", `${KIND_NAMES[kind]}有 ${problems.length} 处错误：${problems.join("；")}`);
}

/** The parsed (defaults applied) value of a stored or file configuration; throws like {@link validateKind}. */
export function parseKind<K extends LiveConfigKind>(kind: K, data: unknown): z.output<(typeof SCHEMAS)[K]> {
  const result = SCHEMAS[kind].safeParse(data);
  if (!result.success) throw new LiaowangError("invalid_input", zhIssues(KIND_NAMES[kind], result.error.issues, data));
  return result.data as z.output<(typeof SCHEMAS)[K]>;
}

/** A config file as written (no defaults applied), the base layer before any stored version. */
export function readFileLayer(path: string): unknown {
  if (!existsSync(path)) return undefined;
  return parseYaml(readFileSync(path, "utf8")) as unknown;
}

/** The target ids notify.yaml defines (keys only: secrets stay in the file). */
export function notifyTargetIds(path: string): ReadonlySet<string> | undefined {
  const data = readFileLayer(path) as { targets?: Record<string, unknown> } | undefined;
  return data ? new Set(Object.keys(data.targets ?? {})) : undefined;
}
