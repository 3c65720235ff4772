import { z } from "zod";
import { invalidInput } from "@liaowang/errors";
import type { DocFeatures, Level } from "./types.js";

/** Size limits of watch rules: matching cost stays linear and predictable (no user regex). */
export const WATCH_LIMITS = {
  maxRules: 2000,
  maxTermsPerList: 50,
  maxTermsPerRule: 100,
  maxTermLength: 32,
  maxScopeEntries: 200,
  /** Characters of title and body a rule looks at; beyond this a post is not read further. */
  maxTextLength: 100_000,
} as const;

const term = z
  .string()
  .transform((s) => s.normalize("NFKC").trim())
  .pipe(
    z
      .string()
      .min(1, "empty term")
      .max(WATCH_LIMITS.maxTermLength, `term longer than ${WATCH_LIMITS.maxTermLength} characters`),
  );
const terms = z.array(term).max(WATCH_LIMITS.maxTermsPerList, `more than ${WATCH_LIMITS.maxTermsPerList} terms`);

/**
 * Schema of one watch rule (config/watch-rules): every `must` term, at least `minAny` of `any` (when given),
 * and none of `exclude`, matched as whole tokens or plain substrings of the chosen fields.
 */
export const watchRuleSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, "id must be 1–64 characters of [A-Za-z0-9_.:-]"),
    name: z.string().min(1).max(100),
    must: terms.default([]),
    any: terms.default([]),
    minAny: z.number().int().min(1).default(1),
    exclude: terms.default([]),
    fields: z.array(z.enum(["title", "text"])).min(1).default(["title", "text"]),
    sources: z.array(z.string().min(1)).max(WATCH_LIMITS.maxScopeEntries).optional(),
    /** Region codes or names (a province name or code covers its cities and counties). */
    regions: z.array(z.string().min(1)).max(WATCH_LIMITS.maxScopeEntries).optional(),
    /** Level the rule suggests for matching incidents (a hint for the duty officer, not an official grade). */
    level: z.enum(["I", "II", "III", "IV"]).optional(),
  })
  .superRefine((r, ctx) => {
    const total = r.must.length + r.any.length + r.exclude.length;
    if (total > WATCH_LIMITS.maxTermsPerRule) {
      ctx.addIssue({ code: "custom", message: `has ${total} terms, at most ${WATCH_LIMITS.maxTermsPerRule} allowed` });
    }
    if (r.must.length === 0 && r.any.length === 0) {
      ctx.addIssue({ code: "custom", message: "needs at least one must or any term" });
    }
    if (r.any.length > 0 && r.minAny > r.any.length) {
      ctx.addIssue({ code: "custom", message: `minAny ${r.minAny} exceeds the ${r.any.length} any terms` });
    }
  });

/** A validated watch rule. */
export type WatchRule = z.output<typeof watchRuleSchema>;
/** A watch rule as written in config (defaults not yet applied). */
export type WatchRuleInput = z.input<typeof watchRuleSchema>;

/** Schema of a watch rule file: a list of rules with unique ids. */
export const watchRulesSchema = z
  .array(watchRuleSchema)
  .max(WATCH_LIMITS.maxRules, `more than ${WATCH_LIMITS.maxRules} watch rules`)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    for (const r of rules) {
      if (seen.has(r.id)) ctx.addIssue({ code: "custom", message: `duplicate watch rule id "${r.id}"` });
      seen.add(r.id);
    }
  });

/** A rule that matched, with the terms that made it match. */
export interface WatchMatch {
  ruleId: string;
  name: string;
  matched: string[];
  level?: Exclude<Level, null> | undefined;
}

/** What a watch rule looks at (a subset of {@link DocFeatures}). */
export type WatchInput = Pick<DocFeatures, "title" | "text" | "tokens" | "source" | "regions">;

/** Compiled watch rules. */
export interface WatchMatcher {
  readonly rules: readonly WatchRule[];
  /** Rules the document matches, in rule order. */
  match(doc: WatchInput): WatchMatch[];
}

function fold(s: string): string {
  return s.normalize("NFKC").toLowerCase();
}

// Tokens folded before: a post's tokens are mostly words seen in earlier posts, and folding each anew (a
// normalisation and a lower-casing, each a new string) was most of what the rules cost per post. Bounded: past
// MAX_FOLDED words it starts afresh, which costs only folding them again.
const folded = new Map<string, string>();
const MAX_FOLDED = 1 << 16;

function foldToken(token: string): string {
  let f = folded.get(token);
  if (f === undefined) {
    f = fold(token);
    if (folded.size >= MAX_FOLDED) folded.clear();
    folded.set(token, f);
  }
  return f;
}

function describeIssues(error: z.ZodError, raw: unknown[]): string {
  return error.issues
    .map((i) => {
      const index = typeof i.path[0] === "number" ? i.path[0] : undefined;
      const rule = index === undefined ? undefined : raw[index];
      const id =
        rule && typeof rule === "object" && "id" in rule && typeof rule.id === "string" ? `"${rule.id}"` : `#${index ?? "?"}`;
      const where = i.path.slice(1).join(".");
      return index === undefined ? i.message : `watch rule ${id}${where ? ` ${where}` : ""}: ${i.message}`;
    })
    .join("; ");
}

/**
 * Validates and compiles watch rules. Throws an `invalid_input` error naming each bad rule and why (e.g. a rule
 * over the size limits). Matching is token equality or plain substring (NFKC, case-folded), linear in text size.
 * @example compileWatchRules([{ id: "mine", name: "煤矿事故", must: ["煤矿"], any: ["透水", "瓦斯爆炸"], exclude: ["演练"] }]).match(doc)
 */
export function compileWatchRules(raw: unknown): WatchMatcher {
  const list = Array.isArray(raw) ? (raw as unknown[]) : [];
  const parsed = watchRulesSchema.safeParse(raw);
  if (!parsed.success) throw invalidInput(`invalid watch rules: ${describeIssues(parsed.error, list)}`, parsed.error);
  const rules = parsed.data;
  const compiled = rules.map((r) => ({
    rule: r,
    must: r.must.map(fold),
    any: r.any.map(fold),
    exclude: r.exclude.map(fold),
    sources: r.sources ? new Set(r.sources) : undefined,
    regions: r.regions ? new Set(r.regions.map(fold)) : undefined,
  }));
  // Every term a rule tests: a post's folded tokens matter only where they are one of these.
  const terms = new Set(compiled.flatMap((c) => [...c.must, ...c.any, ...c.exclude]));

  return {
    rules,
    match(doc: WatchInput): WatchMatch[] {
      const out: WatchMatch[] = [];
      if (compiled.length === 0) return out;
      // Folded when a rule first looks at them (most rules stop at their sources or regions).
      // Of the tokens, only the rules' terms among them are kept (the same answers as a set of them all).
      let foldedPost: { tokens: Set<string>; title: string; text: string } | undefined;
      const foldedDoc = () => {
        if (foldedPost === undefined) {
          const tokens = new Set<string>();
          const n = Math.min(doc.tokens.length, WATCH_LIMITS.maxTextLength);
          for (let i = 0; i < n; i++) {
            const f = foldToken(doc.tokens[i] as string);
            if (terms.has(f)) tokens.add(f);
          }
          foldedPost = { tokens, title: fold((doc.title ?? "").slice(0, WATCH_LIMITS.maxTextLength)), text: fold(doc.text.slice(0, WATCH_LIMITS.maxTextLength)) };
        }
        return foldedPost;
      };
      const cache = new Map<string, boolean>();
      for (const c of compiled) {
        if (c.sources && !c.sources.has(doc.source)) continue;
        if (c.regions) {
          const regions = c.regions;
          const inScope = doc.regions.some(
            (g) => regions.has(fold(g.code)) || regions.has(fold(g.name)) || regions.has(fold(g.province)) || regions.has(`${g.code.slice(0, 2)}0000`) || regions.has(`${g.code.slice(0, 4)}00`),
          );
          if (!inScope) continue;
        }
        const useTitle = c.rule.fields.includes("title");
        const useText = c.rule.fields.includes("text");
        const has = (t: string): boolean => {
          const key = `${useTitle ? "T" : ""}${useText ? "X" : ""}:${t}`;
          let hit = cache.get(key);
          if (hit === undefined) {
            // Tokens cover title and body together, so they only count when the body is in scope.
            const { tokens, title, text } = foldedDoc();
            hit = (useText && (tokens.has(t) || text.includes(t))) || (useTitle && title.includes(t));
            cache.set(key, hit);
          }
          return hit;
        };
        if (!c.must.every(has)) continue;
        if (c.exclude.some(has)) continue;
        const anyHits = c.any.filter(has);
        if (c.any.length > 0 && anyHits.length < c.rule.minAny) continue;
        out.push({ ruleId: c.rule.id, name: c.rule.name, matched: [...c.must, ...anyHits], level: c.rule.level });
      }
      return out;
    },
  };
}

/** Parses rules without compiling (for admin APIs that validate before saving); throws like {@link compileWatchRules}. */
export function parseWatchRules(raw: unknown): WatchRule[] {
  return compileWatchRules(raw).rules.slice();
}
