import { decodeXML } from "entities";
import { XMLParser } from "fast-xml-parser";
import { invalidInput } from "@liaowang/errors";
import type { IngestRecord } from "@liaowang/schemas";
import { parseFeedDate } from "./dates.js";
import { truncate } from "./issues.js";
import { validateRecord } from "./records.js";
import { normaliseLine } from "./text.js";

/** Options for {@link parseFeed}. */
export interface FeedParseOptions {
  /** The configured source id; becomes every record's `source`. */
  readonly source: string;
  /** When the feed was fetched: the date of undated items in a feed that has no date of its own. */
  readonly fetchedAt: Date | number;
  /** The source's configured region, copied onto every record. */
  readonly region?: string;
  /** The feed's URL, to resolve relative item links against. */
  readonly baseUrl?: string;
  /** Largest accepted document in characters (default 10 Mi). */
  readonly maxChars?: number;
  /** Most items read (default 2,000); the rest are reported as one rejection. */
  readonly maxItems?: number;
  /** Largest accepted item text (content/description) in characters (default 200,000, the contract's bound). */
  readonly maxItemChars?: number;
}

/** One feed item's outcome; `item` is its 1-based position and the reason starts with "item N (title): ". */
export type FeedItemResult = { item: number; ok: true; record: IngestRecord } | { item: number; ok: false; reason: string };

/** A parsed feed: its format, title and date, and each item as a record or a rejection. */
export interface ParsedFeed {
  readonly format: "rss" | "atom";
  readonly title?: string;
  /** The feed's own date (RSS pubDate/lastBuildDate/dc:date, Atom updated) as UTC ISO, when it has one. */
  readonly updatedAt?: string;
  readonly items: FeedItemResult[];
}

const DEFAULT_MAX_CHARS = 10 * 1024 * 1024;
const DEFAULT_MAX_ITEMS = 2_000;
const DEFAULT_MAX_ITEM_CHARS = 200_000;

type XmlNode = Record<string, unknown>;

// Text constructs are stop nodes: we get their raw inner markup and decode it ourselves, because feeds put
// escaped HTML, CDATA, Atom xhtml and (wrongly) bare HTML in them, and the parser would mangle the last two.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // The parser expands no entity at all, so no DOCTYPE-declared entity can ever be expanded (billion laughs)
  // or resolved (XXE), even if one slipped past rejectEntityDeclarations. We decode the predefined XML
  // entities and character references ourselves (decodeXML), which knows nothing user-defined.
  processEntities: false,
  htmlEntities: false,
  stopNodes: ["*.title", "*.description", "*.content:encoded", "*.content", "*.summary"],
  isArray: (name) => name === "item" || name === "entry" || name === "link",
});

/**
 * Refuse documents that declare entities in a DOCTYPE (billion laughs, external entities/XXE) or carry more
 * than one DOCTYPE (which has been used to reset parsers' expansion limits). A bare DOCTYPE, as old RSS 0.91
 * feeds have, is fine: no external DTD is ever fetched. CDATA sections are ignored, since "<!DOCTYPE html>" in
 * an item's HTML is content, not markup.
 * @example rejectEntityDeclarations('<!DOCTYPE r [<!ENTITY a "…">]><r/>') // throws invalid_input
 */
export function rejectEntityDeclarations(xml: string): void {
  if (!/<!DOCTYPE/i.test(xml)) return;
  const markup = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "");
  const doctypes = markup.match(/<!DOCTYPE/gi)?.length ?? 0;
  if (doctypes > 1) throw invalidInput(`feed has ${doctypes} DOCTYPE declarations; refused`);
  if (doctypes === 1 && /<!ENTITY/i.test(markup)) {
    throw invalidInput("feed declares entities in its DOCTYPE (<!ENTITY …>); refused to prevent entity expansion (billion laughs) and external entity (XXE) attacks");
  }
}

/**
 * Parse an RSS 2.0 / RSS 1.0 / Atom document into per-item ingest records. Throws `invalid_input` for a
 * document that is too large, declares entities, or is not a feed; a bad item is reported, never fatal.
 * Undated items take the feed's own date, else the fetch time (so the record still has a publishedAt).
 * @example parseFeed(decodeBody(bytes, contentType).text, { source: "xinghe-gov", fetchedAt: now }).items
 */
export function parseFeed(xml: string, options: FeedParseOptions): ParsedFeed {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  if (xml.length > maxChars) throw invalidInput(`feed is ${xml.length} characters, more than ${maxChars}`);
  rejectEntityDeclarations(xml);
  let doc: XmlNode;
  try {
    doc = parser.parse(xml) as XmlNode;
  } catch (error) {
    throw invalidInput(`not well-formed XML (${truncate(error instanceof Error ? error.message : String(error), 160)})`, error);
  }
  const shape = feedShape(doc);
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const feedTitle = textOf(shape.head["title"]);
  const updatedAt = firstDate(shape.head, shape.format === "atom" ? ["updated", "modified"] : ["pubDate", "lastBuildDate", "dc:date"]);
  const fallbackDate = updatedAt ?? new Date(options.fetchedAt).toISOString();
  const items: FeedItemResult[] = shape.items.slice(0, maxItems).map((raw, i) => mapItem(raw, i + 1, shape.format, fallbackDate, options));
  if (shape.items.length > maxItems) {
    items.push({ item: maxItems + 1, ok: false, reason: `items ${maxItems + 1}–${shape.items.length} not read: a feed may have at most ${maxItems} items` });
  }
  return {
    format: shape.format,
    ...(feedTitle ? { title: normaliseLine(feedTitle) } : {}),
    ...(updatedAt === undefined ? {} : { updatedAt }),
    items,
  };
}

function feedShape(doc: XmlNode): { format: "rss" | "atom"; head: XmlNode; items: unknown[] } {
  const rss = asNode(doc["rss"]);
  if (rss !== undefined) {
    const channel = asNode(rss["channel"]) ?? {};
    return { format: "rss", head: channel, items: asArray(channel["item"]) };
  }
  const atom = asNode(doc["feed"]);
  if (atom !== undefined) return { format: "atom", head: atom, items: asArray(atom["entry"]) };
  const rdf = asNode(doc["rdf:RDF"]);
  if (rdf !== undefined) return { format: "rss", head: asNode(rdf["channel"]) ?? {}, items: asArray(rdf["item"]) };
  const root = Object.keys(doc).find((key) => !key.startsWith("?") && !key.startsWith("#"));
  throw invalidInput(`not an RSS or Atom feed (root element ${root === undefined ? "missing" : `<${root}>`})`);
}

function mapItem(raw: unknown, n: number, format: "rss" | "atom", fallbackDate: string, options: FeedParseOptions): FeedItemResult {
  const item = asNode(raw) ?? {};
  const title = textOf(item["title"]);
  const label = title ? `item ${n} (${truncate(normaliseLine(title), 30)})` : `item ${n}`;
  const fail = (reason: string): FeedItemResult => ({ item: n, ok: false, reason: `${label}: ${reason}` });

  const bodyFields = format === "atom" ? ["content", "summary"] : ["content:encoded", "description"];
  let body: string | undefined;
  for (const field of bodyFields) {
    const value = textOf(item[field]);
    const max = options.maxItemChars ?? DEFAULT_MAX_ITEM_CHARS;
    if (value !== undefined && value.length > max) return fail(`${field} is ${value.length} characters, more than ${max}`);
    if (body === undefined && value) body = value;
  }
  // Many government feeds publish headlines only; the title is then the text, so the item is not lost.
  const text = body ?? title;
  if (!text) return fail(`has no ${bodyFields.join(", ")} or title`);

  const dateFields = format === "atom" ? ["published", "updated", "issued", "modified"] : ["pubDate", "dc:date"];
  const dateText = dateFields.map((field) => plainOf(item[field])).find((value) => value !== undefined && value !== "");
  let publishedAt = fallbackDate;
  if (dateText !== undefined) {
    const parsed = parseFeedDate(dateText);
    if (parsed === undefined) return fail(`date "${truncate(dateText, 40)}" is not an RFC 822 or ISO-8601 date`);
    publishedAt = parsed;
  }

  const url = itemLink(item, format, options.baseUrl);
  const author = itemAuthor(item, format);
  const result = validateRecord({
    source: options.source,
    text,
    publishedAt,
    ...(title ? { title } : {}),
    ...(url === undefined ? {} : { url }),
    ...(author === undefined ? {} : { author }),
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  return result.ok ? { item: n, ok: true, record: result.record } : fail(result.reason);
}

function firstDate(node: XmlNode, fields: string[]): string | undefined {
  for (const field of fields) {
    const value = plainOf(node[field]);
    const parsed = value === undefined ? undefined : parseFeedDate(value);
    if (parsed !== undefined) return parsed;
  }
  return undefined;
}

function itemLink(item: XmlNode, format: "rss" | "atom", baseUrl: string | undefined): string | undefined {
  const links = asArray(item["link"]);
  let href: string | undefined;
  if (format === "atom") {
    const nodes = links.map(asNode).filter((node): node is XmlNode => node !== undefined);
    const alternate = nodes.find((node) => attributeOf(node, "rel") === undefined || attributeOf(node, "rel") === "alternate") ?? nodes[0];
    href = attributeOf(alternate, "href");
  } else {
    href = links.map(plainOf).find((value) => value !== undefined && value !== "");
    if (href === undefined) {
      const guid = item["guid"];
      const guidText = plainOf(guid);
      const permalink = attributeOf(asNode(guid), "isPermaLink") !== "false";
      if (guidText !== undefined && permalink && /^https?:\/\//i.test(guidText)) href = guidText;
    }
  }
  return href === undefined ? undefined : httpUrl(href, baseUrl);
}

// A link that is not http(s) after resolving (javascript:, mailto:, garbage) is dropped rather than failing
// the item: the post itself is still worth monitoring.
function httpUrl(href: string, baseUrl: string | undefined): string | undefined {
  try {
    const url = baseUrl === undefined ? new URL(href.trim()) : new URL(href.trim(), baseUrl);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function itemAuthor(item: XmlNode, format: "rss" | "atom"): string | undefined {
  if (format === "atom") {
    const author = asArray(item["author"]).map(asNode)[0];
    return nonEmpty(plainOf(author?.["name"])) ?? nonEmpty(plainOf(item["dc:creator"]));
  }
  const creator = nonEmpty(plainOf(item["dc:creator"]));
  if (creator !== undefined) return creator;
  // RSS 2.0 author is "email (Name)"; keep the name, not the address.
  const author = nonEmpty(plainOf(item["author"]));
  if (author === undefined) return undefined;
  return /\(([^)]+)\)\s*$/.exec(author)?.[1]?.trim() ?? author;
}

/** The decoded text of a stop node (title, description, content, summary), still possibly HTML. */
function textOf(value: unknown): string | undefined {
  const node = asNode(value);
  const raw = node === undefined ? value : node["#text"];
  if (typeof raw !== "string") return undefined;
  const type = attributeOf(node, "type")?.toLowerCase();
  return decodeTextConstruct(raw, type).trim();
}

/**
 * Decode a text construct's raw inner markup: CDATA sections are literal; Atom xhtml and bare (unescaped) HTML
 * are kept as HTML for the normaliser to strip; everything else has its XML escapes decoded (escaped HTML
 * then becomes HTML, which normalisation strips).
 */
function decodeTextConstruct(raw: string, type: string | undefined): string {
  return raw
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((segment) => {
      if (segment.startsWith("<![CDATA[")) return segment.slice(9, -3);
      if (type === "xhtml" || /<\/?[a-zA-Z][^<>]*>/.test(segment)) return segment;
      return decodeXML(segment);
    })
    .join("");
}

/** The text of an ordinary (parsed) element, attribute-bearing or not, with XML escapes decoded. */
function plainOf(value: unknown): string | undefined {
  const node = asNode(value);
  const raw = node === undefined ? value : node["#text"];
  return typeof raw === "string" ? decodeXML(raw).trim() : undefined;
}

/** An attribute's value with XML escapes decoded (the parser leaves them as written). */
function attributeOf(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return typeof value === "string" ? decodeXML(value) : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function asNode(value: unknown): XmlNode | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as XmlNode) : undefined;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === "") return [];
  return Array.isArray(value) ? value : [value];
}
