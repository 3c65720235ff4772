import { z } from "zod";

/**
 * The latest poll of one feed source as ingest records it (added for issue 11): the API shows it on the sources
 * page, so a source whose charset label is wrong or missing (decoded correctly anyway, by evidence) stands out.
 * One document per source, id = the source name, in the `<prefix>feed-polls` index.
 */
export const FeedPollStatus = z.object({
  source: z.string().min(1),
  /** When the poll started (UTC ISO). */
  at: z.string(),
  ok: z.boolean(),
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  /** Why the feed as a whole could not be fetched or read. */
  error: z.string().optional(),
  durationMs: z.number().nonnegative(),
  /** How the body was decoded; absent when it was never fetched. */
  encoding: z
    .object({
      /** The charset used, e.g. "gb18030". */
      charset: z.string(),
      /** Where it came from: override, bom, header, xml-declaration, detected or default. */
      from: z.string(),
      /** Why, in words: "header said utf-8, body is GB18030". */
      reason: z.string(),
      /** The label the body contradicted ("header said utf-8", "no charset label"); absent when the label was right. */
      mislabelled: z.string().optional(),
      /** U+FFFD replacement characters in the decoded text: text was lost. */
      replacements: z.number().int().nonnegative(),
    })
    .optional(),
});
export type FeedPollStatus = z.infer<typeof FeedPollStatus>;

/** The index holding each feed source's latest {@link FeedPollStatus}. */
export function feedPollsIndex(indexPrefix: string): string {
  return `${indexPrefix}feed-polls`;
}
