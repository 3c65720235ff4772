import { createHash } from "node:crypto";
import type { Client } from "@liaowang/es";
import { z } from "zod";
import type { SavedSearch } from "./saved-searches.js";

/** A watch rule an analyst proposes from a saved search; a system administrator adopts or rejects it (三员分立). */
export const RuleProposal = z.object({
  id: z.string(),
  rule: z.record(z.string(), z.unknown()),
  savedSearch: z.object({ id: z.string(), name: z.string() }),
  proposedBy: z.string(),
  proposedAt: z.string(),
  /** What of the search a watch rule cannot express (topic, sentiment, time range), in Chinese. */
  notes: z.array(z.string()),
});
export type RuleProposal = z.output<typeof RuleProposal>;

/**
 * The watch rule a saved search becomes: its words all required (`must`), its source and region as the rule's scope.
 * Topic, sentiment and time range have no watch-rule equivalent and are named in `notes`.
 * @example ruleFromSearch({ id: "u:1", name: "欠薪", filters: { q: "欠薪 讨薪" }, … }).rule.must // ["欠薪", "讨薪"]
 */
export function ruleFromSearch(saved: SavedSearch): { rule: Record<string, unknown>; notes: string[] } {
  const words = [...new Set(saved.filters.q.split(/[\s,，、]+/).filter(Boolean))];
  const rule: Record<string, unknown> = { id: `search-${createHash("sha256").update(saved.id).digest("hex").slice(0, 10)}`, name: saved.name, must: words };
  if (saved.filters.source) rule.sources = [saved.filters.source];
  if (saved.filters.region) rule.regions = [saved.filters.region];
  const notes: string[] = [];
  if (saved.filters.topic) notes.push(`主题「${saved.filters.topic}」不能作为规则条件，已忽略`);
  if (saved.filters.sentiment) notes.push("情感倾向不能作为规则条件，已忽略");
  if (saved.filters.range || saved.filters.since || saved.filters.until) notes.push("时间范围不适用于监测规则（规则检查此后的每条信息），已忽略");
  return { rule, notes };
}

/** Proposals in Elasticsearch (`<prefix>rule-proposals`), one per saved search (proposing again replaces it). */
export class RuleProposalStore {
  private readonly index: string;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly es: Client,
    prefix: string,
  ) {
    this.index = `${prefix}rule-proposals`;
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      if (await this.es.indices.exists({ index: this.index })) return;
      await this.es.indices.create({ index: this.index, mappings: { dynamic: false, properties: { proposedAt: { type: "date" }, proposedBy: { type: "keyword" } } } }, { ignore: [400] }).catch((error: unknown) => {
        this.ready = undefined;
        throw error;
      });
    })();
    return this.ready;
  }

  async save(proposal: RuleProposal): Promise<void> {
    await this.init();
    await this.es.index({ index: this.index, id: proposal.id, document: proposal, refresh: "wait_for" });
  }

  async list(): Promise<RuleProposal[]> {
    await this.init();
    const res = await this.es.search<RuleProposal>({ index: this.index, size: 200, sort: [{ proposedAt: "desc" }] });
    return res.hits.hits.flatMap((h) => (h._source ? [h._source] : []));
  }

  async get(id: string): Promise<RuleProposal | undefined> {
    await this.init();
    const doc = await this.es.get<RuleProposal>({ index: this.index, id }, { ignore: [404] });
    return doc.found ? doc._source : undefined;
  }

  /** False when there was no such proposal. */
  async remove(id: string): Promise<boolean> {
    await this.init();
    const res = await this.es.delete({ index: this.index, id, refresh: "wait_for" }, { ignore: [404] });
    return res.result === "deleted";
  }
}
