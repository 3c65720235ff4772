import { existsSync } from "node:fs";
import { z } from "zod";
import { readConfigFile } from "@liaowang/config";

const departmentId = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "department ids are letters, digits and . _ -");

/** Who receives the brief by email: the office's brief, or one department's. */
export const BriefRecipients = z.object({
  /** Omit for the office-wide brief. */
  department: departmentId.optional(),
  to: z.array(z.email()).min(1),
});

/**
 * config/brief.yaml: when the daily brief is emailed and to whom. The brief of the previous day is sent at
 * `schedule` (node-cron, in `timezone`); with no recipients nothing is sent and the page and PDF still work.
 */
export const BriefConfig = z.object({
  timezone: z.string().min(1).default("Asia/Shanghai"),
  schedule: z.string().min(1).default("30 7 * * *"),
  recipients: z.array(BriefRecipients).default([]),
});
export type BriefConfig = z.output<typeof BriefConfig>;

/** Read config/brief.yaml (defaults when the file is missing). */
export function loadBriefConfig(path: string): BriefConfig {
  return existsSync(path) ? readConfigFile(path, BriefConfig) : BriefConfig.parse({});
}
