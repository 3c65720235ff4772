import { createHash } from "node:crypto";
import type { Client } from "@liaowang/es";
import { z } from "zod";

/** The filters a saved search keeps: the search page's fields. */
export const SearchFilters = z.object({
  q: z.string().trim().max(200).default(""),
  source: z.string().trim().max(200).optional(),
  region: z.string().trim().max(100).optional(),
  topic: z.string().trim().max(100).optional(),
  sentiment: z.enum(["positive", "neutral", "negative"]).optional(),
  /** Scopes in the jurisdiction, comma-separated (本地,涉本地). */
  scope: z
    .string()
    .regex(/^(本地|涉本地|外地|境外|未知)(,(本地|涉本地|外地|境外|未知))*$/, "expected scopes 本地, 涉本地, 外地, 境外, 未知, comma-separated")
    .optional(),
  /** A rolling window ("24h", "7d", "30d") or a fixed period (since / until, dates YYYY-MM-DD, Beijing). */
  range: z.enum(["24h", "7d", "30d"]).optional(),
  since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});
export type SearchFilters = z.output<typeof SearchFilters>;

export const SavedSearch = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  filters: SearchFilters,
  createdAt: z.string(),
});
export type SavedSearch = z.output<typeof SavedSearch>;

/** Most saved searches one user keeps. */
export const MAX_SAVED_PER_USER = 100;

/**
 * An analyst's saved searches in Elasticsearch (`<prefix>saved-searches`), one document per user and name (saving
 * the same name again replaces it).
 */
export class SavedSearchStore {
  private readonly index: string;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly es: Client,
    prefix: string,
  ) {
    this.index = `${prefix}saved-searches`;
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      if (await this.es.indices.exists({ index: this.index })) return;
      await this.es.indices
        .create({ index: this.index, mappings: { dynamic: false, properties: { userId: { type: "keyword" }, name: { type: "keyword" }, createdAt: { type: "date" } } } }, { ignore: [400] })
        .catch((error: unknown) => {
          this.ready = undefined;
          throw error;
        });
    })();
    return this.ready;
  }

  static idOf(userId: string, name: string): string {
    return `${userId}:${createHash("sha256").update(name).digest("hex").slice(0, 16)}`;
  }

  async list(userId: string): Promise<SavedSearch[]> {
    await this.init();
    const res = await this.es.search<unknown>({ index: this.index, size: MAX_SAVED_PER_USER, query: { term: { userId } }, sort: [{ createdAt: { order: "desc" } }] });
    return res.hits.hits.flatMap((h) => {
      const parsed = SavedSearch.safeParse(h._source);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async count(userId: string): Promise<number> {
    await this.init();
    return (await this.es.count({ index: this.index, query: { term: { userId } } })).count;
  }

  async save(search: SavedSearch): Promise<void> {
    await this.init();
    await this.es.index({ index: this.index, id: search.id, document: search, refresh: "wait_for" });
  }

  async exists(id: string): Promise<boolean> {
    await this.init();
    return (await this.es.exists({ index: this.index, id })) as boolean;
  }

  /** Delete one of the user's saved searches; false when it is not theirs or does not exist. */
  async remove(userId: string, id: string): Promise<boolean> {
    if (!id.startsWith(`${userId}:`)) return false;
    await this.init();
    const res = await this.es.delete({ index: this.index, id, refresh: "wait_for" }, { ignore: [404] });
    return res.result === "deleted";
  }
}
