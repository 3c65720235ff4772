import { z } from "zod";
import { EvidenceRecord } from "@liaowang/schemas";

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD");

/** Query of the brief endpoints: the day (default today, Beijing) and optionally one department. */
export const BriefQuery = z.object({
  date: date.optional().describe("the calendar day (in the brief's time zone); default today"),
  department: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional().describe("a department id for its own brief; department heads always get their own"),
});

const Ref = z.object({
  kind: z.enum(["alert", "document", "search"]),
  label: z.string(),
  href: z.string().describe("where it opens in the dashboard"),
  alertId: z.string().optional(),
  incidentId: z.string().optional(),
  docId: z.string().optional(),
  url: z.string().optional(),
  query: z.record(z.string(), z.string()).optional(),
});
const Line = z.object({ text: z.string(), refs: z.array(Ref).min(1), tone: z.enum(["alarm", "warn"]).optional() });

export const BriefBody = z.object({
  now: z.string(),
  brief: z.object({
    date: z.string(),
    timeZone: z.string(),
    department: z.object({ id: z.string(), name: z.string() }).nullable(),
    title: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    generatedAt: z.string(),
    partial: z.boolean(),
    summary: z.array(Line),
    sections: z.array(z.object({ id: z.string(), title: z.string(), lines: z.array(Line), empty: z.string() })),
    hotWords: z.array(z.object({ word: z.string(), count: z.number(), previous: z.number() })),
    audit: z
      .object({
        head: z.object({ seq: z.number().int(), hash: z.string(), at: z.string(), anchor: z.object({ seq: z.number().int(), auditSeq: z.number().int(), auditHash: z.string(), at: z.string() }).optional() }).nullable(),
        lines: z.array(z.string()),
      })
      .nullable()
      .describe("审计存证: the security audit's chain head (and newest anchor) when the brief was made, so a printed brief pins the audit log (check later with `pnpm liaowang audit verify --head <seq>:<hash>`); null when it could not be read"),
  }),
});

/** One stored document as the document page shows it. */
export const DocumentBody = z.object({
  document: z.object({
    id: z.string(),
    source: z.string(),
    title: z.string().optional(),
    text: z.string(),
    url: z.string().optional(),
    author: z.string().optional(),
    publishedAt: z.string(),
    region: z.string().optional(),
    keywords: z.array(z.string()),
    topics: z.array(z.string()),
    sentiment: z.object({ score: z.number(), label: z.string() }).nullable(),
  }),
  /** True when the post is no longer in the document index and is shown from its evidence record. */
  fromEvidence: z.boolean(),
  /** 证据固定: the kept original's capture (without the bytes) and whether the post was deleted at its source. */
  evidence: EvidenceRecord.omit({ body: true }).nullable(),
});
