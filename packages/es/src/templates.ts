import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@elastic/elasticsearch";
import { z } from "zod";
import { LiaowangError } from "@liaowang/errors";

const TemplateFile = z.looseObject({
  index_patterns_suffix: z.string().min(1),
  priority: z.number().int(),
  template: z.looseObject({ settings: z.record(z.string(), z.unknown()), mappings: z.record(z.string(), z.unknown()) }),
});

/** An index family: its template file in config/es and the alias searches go through. */
export interface IndexFamily {
  /** File name under config/es, e.g. "documents.json". */
  file: string;
  /** Alias name without prefix, e.g. "docs". */
  alias: string;
}

export const DOCUMENTS: IndexFamily = { file: "documents.json", alias: "docs" };

/**
 * Install (or update) the composable index template of a family; every index it creates joins the alias.
 * Safe to call at every start-up.
 */
export async function installTemplate(client: Client, configDir: string, prefix: string, family: IndexFamily): Promise<void> {
  const path = join(configDir, "es", family.file);
  const parsed = TemplateFile.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    throw new LiaowangError("invalid_input", `Invalid index template ${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const file = parsed.data;
  await client.indices.putIndexTemplate({
    name: `${prefix}${family.alias}`,
    index_patterns: [`${prefix}${file.index_patterns_suffix}`],
    priority: file.priority,
    template: { ...file.template, aliases: { [`${prefix}${family.alias}`]: {} } } as never,
  });
  // Indices created from an older template (this month's) take the fields added since: mappings only ever grow. A
  // field whose parameters changed since (term vectors dropped) keeps them in the indices that have it already:
  // Elasticsearch cannot change them in place, and the next month's index takes the new template.
  const properties = (file.template.mappings as { properties?: Record<string, unknown> }).properties;
  if (properties) {
    const existing = await client.indices.getMapping({ index: `${prefix}${file.index_patterns_suffix}`, allow_no_indices: true, ignore_unavailable: true });
    for (const [index, mapping] of Object.entries(existing)) {
      try {
        await client.indices.putMapping({ index, properties: properties as never });
      } catch (error) {
        if ((error as { meta?: { statusCode?: number } }).meta?.statusCode !== 400) throw error;
        const held = (mapping.mappings as { properties?: Record<string, unknown> }).properties ?? {};
        const missing = Object.fromEntries(Object.entries(properties).filter(([name]) => !(name in held)));
        if (Object.keys(missing).length > 0) await client.indices.putMapping({ index, properties: missing as never });
      }
    }
  }
}
