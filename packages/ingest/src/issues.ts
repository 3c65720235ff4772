import type { z } from "zod";
import { valueAt } from "@liaowang/config";

/**
 * Describe zod issues as "field: what was expected (got …)", joined with "; ", for per-record rejection reasons.
 * @example describeIssues(result.error.issues, input) // 'publishedAt: expected an ISO-8601 date-time, got "soon"'
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issues.map((issue) => describeIssue(issue, input)).join("; ");
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const key = issue.path.map(String).join(".");
  const value = valueAt(input, issue.path);
  if (issue.code === "invalid_type") {
    const expected = issue.expected === "object" && key === "" ? "a JSON object" : issue.expected;
    if (value === undefined) return key === "" ? `expected ${expected}` : `${key}: required (expected ${expected})`;
    return `${key || "record"}: expected ${expected}, got ${kindOf(value)}`;
  }
  // Our own schema messages often start with the key already ("text must not be empty").
  const message = key !== "" && issue.message.startsWith(key) ? issue.message : `${key || "record"}: ${issue.message}`;
  if (/\bgot\b/.test(message) || value === undefined || typeof value === "object") return message;
  return `${message} (got ${truncate(JSON.stringify(value), 60)})`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `a string ${truncate(JSON.stringify(value), 60)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  return typeof value === "object" ? "an object" : typeof value;
}

/** Shorten text for messages, marking the cut with "…". */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
