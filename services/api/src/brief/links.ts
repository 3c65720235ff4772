import type { Brief, BriefLine, BriefRef } from "@liaowang/alerting";

/** A reference with where it opens in the dashboard (`#/…`, prefixed with `base` for a PDF or email). */
export type LinkedRef = BriefRef & { href: string };
export type LinkedLine = Omit<BriefLine, "refs"> & { refs: LinkedRef[] };
export type LinkedBrief = Omit<Brief, "summary" | "sections"> & { summary: LinkedLine[]; sections: (Omit<Brief["sections"][number], "lines"> & { lines: LinkedLine[] })[] };

/**
 * Where a reference opens: an alert's incident detail, a stored document (shown from evidence after deletion), or
 * the search that reproduces a count.
 * @example refHref({ kind: "document", docId: "ab12", label: "原文" }) === "#/doc/ab12"
 */
export function refHref(ref: BriefRef, origin = ""): string {
  const base = origin === "" ? "" : `${origin.replace(/\/+$/, "")}/`;
  switch (ref.kind) {
    case "alert":
      return `${base}#/alert/${encodeURIComponent(ref.alertId)}`;
    case "document":
      return `${base}#/doc/${encodeURIComponent(ref.docId)}`;
    case "search": {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(ref.query)) if (value) params.set(key, value);
      return `${base}#/search?${params.toString()}`;
    }
  }
}

/** The brief with an href on every reference. */
export function linkBrief(brief: Brief, base = ""): LinkedBrief {
  const line = (l: BriefLine): LinkedLine => ({ ...l, refs: l.refs.map((r) => ({ ...r, href: refHref(r, base) })) });
  return { ...brief, summary: brief.summary.map(line), sections: brief.sections.map((s) => ({ ...s, lines: s.lines.map(line) })) };
}

/** The heading of a brief's 审计存证 block (the security audit's chain head when it was made). */
export const AUDIT_TITLE = "审计存证";

/** The 审计存证 lines of a brief, or why they are missing. */
export function auditLines(brief: Pick<Brief, "audit">): string[] {
  return brief.audit?.lines ?? ["安全审计链头暂时无法读取，本日报未能存证"];
}
