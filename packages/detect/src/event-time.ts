/**
 * When detection places a post in time: its publication time, unless ingest flagged that time as implausible
 * (`date_out_of_window`: far in the past, or ahead of the clock), then when it was ingested. The claimed time stays
 * on the document; here it must never move an incident's onset (首发), and with it every statutory deadline, nor
 * keep an incident alive until year 9999 (issue 9, finding 3).
 * @example detectionTime({ publishedAt: "1001-05-01T00:00:00Z", ingestedAt: "2026-12-03T01:00:00Z", flags: ["date_out_of_window"] }) === Date.parse("2026-12-03T01:00:00Z")
 */
export function detectionTime(doc: { publishedAt: string; ingestedAt: string; flags?: readonly string[] | undefined }): number {
  return Date.parse(doc.flags?.includes("date_out_of_window") === true ? doc.ingestedAt : doc.publishedAt);
}
