import type { Incident } from "@liaowang/schemas";

// 证据固定: which posts of an incident are kept as evidence, and what a re-check of a post's URL means. Pure.

/** A post an incident names, with the URL its original is fetched from (when the post has one). */
export interface IncidentPostRef {
  docId: string;
  url?: string | undefined;
  source?: string | undefined;
  title?: string | undefined;
}

/**
 * Every post an incident snapshot names: its 首发, representative posts, official statements and timeline entries
 * (a timeline entry has no URL; the store looks it up). Each post once, first mention wins.
 * @example postsOfIncident(incident).map((p) => p.docId)
 */
export function postsOfIncident(incident: Incident): IncidentPostRef[] {
  const posts = new Map<string, IncidentPostRef>();
  const add = (p: IncidentPostRef) => {
    const held = posts.get(p.docId);
    if (!held) posts.set(p.docId, p);
    else if (!held.url && p.url) posts.set(p.docId, { ...held, url: p.url });
  };
  add({ docId: incident.firstSource.docId, url: incident.firstSource.url, source: incident.firstSource.source, title: incident.firstSource.title });
  for (const p of incident.representativeDocs) add({ docId: p.docId, url: p.url, source: p.source, title: p.title });
  for (const s of incident.statements ?? []) add({ docId: s.docId, url: s.url, source: s.source, title: s.title });
  for (const t of incident.timeline) if (t.docId) add({ docId: t.docId, source: t.source });
  return [...posts.values()];
}

/**
 * Phrases of the pages platforms serve in place of a removed post (often with HTTP 200): the post is gone even
 * though the server answers.
 */
export const REMOVED_PAGE_PHRASES: readonly string[] = [
  "该内容已被删除",
  "内容已被删除",
  "此微博已被作者删除",
  "该微博已被删除",
  "该帖子已被删除",
  "帖子已被删除",
  "该文章已被删除",
  "文章已被删除",
  "该内容已被发布者删除",
  "此内容因违规无法查看",
  "页面不存在",
  "内容不存在",
  "该页面不存在",
];

/** What a re-check found: the post is still there, is gone (with why), or could not be checked this time. */
export type RecheckVerdict = { kind: "present" } | { kind: "deleted"; reason: string } | { kind: "unreachable"; reason: string };

/**
 * Judge a re-check: HTTP 404/410 or a removal page means deleted; other failures (timeouts, 5xx, refused
 * connections) say nothing about the post and leave it as it was.
 * @example recheckVerdict({ status: 404 }) // { kind: "deleted", reason: "HTTP 404" }
 */
export function recheckVerdict(result: { status: number; text?: string | undefined } | { error: string; status?: number | undefined }): RecheckVerdict {
  if ("error" in result) {
    if (result.status === 404 || result.status === 410) return { kind: "deleted", reason: `HTTP ${result.status}` };
    return { kind: "unreachable", reason: result.error };
  }
  if (result.status === 404 || result.status === 410) return { kind: "deleted", reason: `HTTP ${result.status}` };
  const phrase = result.text ? REMOVED_PAGE_PHRASES.find((p) => result.text!.includes(p)) : undefined;
  if (phrase) return { kind: "deleted", reason: `页面显示“${phrase}”` };
  return { kind: "present" };
}
