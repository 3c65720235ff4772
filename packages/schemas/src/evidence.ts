import { z } from "zod";

const utcIso = z.iso.datetime({ offset: true });

/** One re-check of a kept post's URL. */
export const EvidenceCheck = z.object({
  at: utcIso,
  /** HTTP status, when the server answered. */
  status: z.number().int().nullable(),
  verdict: z.enum(["present", "deleted", "unreachable"]),
  reason: z.string().optional(),
});
export type EvidenceCheck = z.infer<typeof EvidenceCheck>;

/**
 * 证据固定: a post that belongs to an incident, kept as fetched (bytes as received, URL, capture time, SHA-256)
 * and as ingested (its text), with the re-checks of its URL. One record per post (`docId`), in
 * `<prefix>evidence`, written by the evidence service and read by the api.
 */
export const EvidenceRecord = z.object({
  v: z.literal(1),
  docId: z.string(),
  incidentIds: z.array(z.string()),
  url: z.string().nullable(),
  source: z.string().optional(),
  title: z.string().optional(),
  /** When the post was first seen in an incident. */
  firstSeenAt: utcIso,
  /** When the original was fetched; null when it could not be (then `captureError` says why). */
  capturedAt: utcIso.nullable(),
  /** The URL the bytes finally came from (after redirects). */
  finalUrl: z.string().nullable(),
  httpStatus: z.number().int().nullable(),
  contentType: z.string().nullable(),
  size: z.number().int().nonnegative(),
  /** SHA-256 (hex) of the bytes as received. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /** The bytes as received, base64 (stored, never indexed). */
  body: z.string().nullable(),
  captureError: z.string().nullable(),
  /** The post as the pipeline ingested it (title and text), with the SHA-256 of its UTF-8 JSON. */
  ingested: z.object({ title: z.string().optional(), text: z.string(), publishedAt: z.string().optional(), sha256: z.string() }).nullable(),
  state: z.enum(["present", "deleted", "unreachable", "not_captured"]),
  deletedAt: utcIso.nullable(),
  deletedReason: z.string().nullable(),
  lastCheckedAt: utcIso.nullable(),
  /** The latest re-checks, oldest first (bounded). */
  checks: z.array(EvidenceCheck),
});
export type EvidenceRecord = z.infer<typeof EvidenceRecord>;

/** The evidence index (one document per post id). */
export function evidenceIndex(prefix: string): string {
  return `${prefix}evidence`;
}
