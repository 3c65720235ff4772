import { decodeXML } from "entities";
import { invalidInput } from "@liaowang/errors";
import type { IngestRecord } from "@liaowang/schemas";
import { parseFeedDate } from "./dates.js";
import { truncate } from "./issues.js";
import { validateRecord } from "./records.js";
import type { RecordNotes } from "./normalise.js";
import { normaliseLine } from "./text.js";
import { parseXml, parseXmlBounded } from "./xml.js";
import type { XmlNode } from "./xml.js";

/** Options for {@link parseFeed}. */
export interface FeedParseOptions {
  /** The configured source id; becomes every record's `source`. */
  readonly source: string;
  /** When the feed was fetched: the date of undated items in a feed that has no date of its own. */
  readonly fetchedAt: Date | number;
  /** The source's configured region, copied onto every record. */
  readonly region?: string;
  /** The feed's URL, to resolve relative item links against (default: the feed's own rel="self" link, xml:base or RSS channel link). */
  readonly baseUrl?: string;
  /** Largest accepted document in characters (default 10 Mi). */
  readonly maxChars?: number;
  /** Most items read (default 2,000); the rest are reported as one rejection. */
  readonly maxItems?: number;
  /** Largest accepted item text (content/description) in characters (default 200,000, the contract's bound). */
  readonly maxItemChars?: number;
}

/** One feed item's outcome; `item` is its 1-based position and the reason starts with "item N (title): ". */
export type FeedItemResult = { item: number; ok: true; record: IngestRecord; notes?: RecordNotes } | { item: number; ok: false; reason: string };

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
/** Default time budget of one bounded feed parse ({@link parseFeedBounded}), XML parsing and item mapping together. */
export const DEFAULT_PARSE_BUDGET_MS = 10_000;

/**
 * Refuse documents that declare entities in a DOCTYPE (billion laughs, external entities/XXE) or carry more
 * than one DOCTYPE (which has been used to reset parsers' expansion limits). A bare DOCTYPE, as old RSS 0.91
 * feeds have, is fine: no external DTD is ever fetched. CDATA sections are skipped, since "<!DOCTYPE html>" in
 * an item's HTML is content, not markup. One forward pass: every character is looked at a bounded number of
 * times, whatever the input (an unclosed CDATA ends the scan: the rest is CDATA).
 * @example rejectEntityDeclarations('<!DOCTYPE r [<!ENTITY a "…">]><r/>') // throws invalid_input
 */
export function rejectEntityDeclarations(xml: string): void {
  if (!/<!DOCTYPE/i.test(xml)) return;
  const markup = /<!\[CDATA\[|<!DOCTYPE|<!ENTITY/gi;
  let doctypes = 0;
  let entities = false;
  for (let match = markup.exec(xml); match !== null; match = markup.exec(xml)) {
    const what = match[0].toUpperCase();
    if (what === "<![CDATA[") {
      const end = xml.indexOf("]]>", markup.lastIndex);
      if (end === -1) break;
      markup.lastIndex = end + 3;
    } else if (what === "<!DOCTYPE") {
      doctypes++;
    } else {
      entities = true;
    }
  }
  if (doctypes > 1) throw invalidInput(`feed has ${doctypes} DOCTYPE declarations; refused`);
  if (doctypes === 1 && entities) {
    throw invalidInput("feed declares entities in its DOCTYPE (<!ENTITY …>); refused to prevent entity expansion (billion laughs) and external entity (XXE) attacks");
  }
}

/**
 * Parse an RSS 2.0 / RSS 1.0 / Atom document into per-item ingest records, on the calling thread (the CLI and
 * tests; the poller uses {@link parseFeedBounded}). Throws `invalid_input` for a document that is too large,
 * declares entities, or is not a feed; a bad item is reported, never fatal. Undated items take the feed's own
 * date, else the fetch time; an item whose date cannot be read keeps the fetch time and is flagged.
 * @example parseFeed(decodeBody(bytes, contentType).text, { source: "xinghe-gov", fetchedAt: now }).items
 */
export function parseFeed(xml: string, options: FeedParseOptions): ParsedFeed {
  checkDocument(xml, options);
  return readFeed(parseXml(xml), options, Number.POSITIVE_INFINITY);
}

/**
 * {@link parseFeed} with a time budget: the XML is parsed in a worker thread (so the event loop is never blocked
 * by it) and abandoned past the budget; item mapping, on the event loop but linear, stops past the same budget.
 * @example const feed = await parseFeedBounded(text, { source: "xinghe-gov", fetchedAt: now, budgetMs: 5_000 });
 */
export async function parseFeedBounded(xml: string, options: FeedParseOptions & { readonly budgetMs?: number }): Promise<ParsedFeed> {
  const budgetMs = options.budgetMs ?? DEFAULT_PARSE_BUDGET_MS;
  checkDocument(xml, options);
  const doc = await parseXmlBounded(xml, { budgetMs });
  // The XML parse had its budget in the worker (from when it started there); item mapping gets its own.
  return readFeed(doc, options, Date.now() + budgetMs, budgetMs);
}

// Linear checks before any XML parsing: size, a plain statement when the body is not XML at all, entities.
function checkDocument(xml: string, options: FeedParseOptions): void {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  if (xml.length > maxChars) throw invalidInput(`feed is ${xml.length} characters, more than ${maxChars}`);
  const body = xml.replace(/^\ufeff/, "").trimStart();
  if (body.length === 0) throw invalidInput("not an RSS or Atom feed: the body is empty");
  if (body.includes("\u0000")) {
    throw invalidInput("not an RSS or Atom feed: the text contains NUL characters (UTF-16 or UTF-32 bytes read with another charset?)");
  }
  if (!body.startsWith("<")) {
    const kind = body.startsWith("{") || body.startsWith("[") ? "it looks like JSON" : "it does not start with XML markup";
    throw invalidInput(`not an RSS or Atom feed: ${kind} (starts with ${JSON.stringify(truncate(body, 20))})`);
  }
  rejectEntityDeclarations(xml);
}

function readFeed(doc: XmlNode, options: FeedParseOptions, deadline: number, budgetMs?: number): ParsedFeed {
  const shape = feedShape(doc);
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const feedTitle = textOf(shape.head["title"]);
  const updatedAt = firstDate(shape.head, shape.format === "atom" ? ["updated", "modified"] : ["pubDate", "lastBuildDate", "dc:date"]);
  const fetchedAt = new Date(options.fetchedAt).toISOString();
  const context: ItemContext = { format: shape.format, fallbackDate: updatedAt ?? fetchedAt, fetchedAt, baseUrl: options.baseUrl ?? selfUrl(shape.head, shape.format), options };
  const items: FeedItemResult[] = [];
  for (const [i, raw] of shape.items.slice(0, maxItems).entries()) {
    if (Date.now() > deadline) throw invalidInput(`feed took longer than ${budgetMs ?? 0} ms to read (stopped at item ${i + 1} of ${shape.items.length})`);
    items.push(mapItem(raw, i + 1, context));
  }
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

// The feed's own address, the base for relative links when the caller gave none: Atom's (or RSS's atom:link)
// rel="self", else xml:base, else the RSS channel link. Only absolute http(s) URLs qualify.
function selfUrl(head: XmlNode, format: "rss" | "atom"): string | undefined {
  const links = [...asArray(head["link"]), ...asArray(head["atom:link"])].map(asNode).filter((node): node is XmlNode => node !== undefined);
  const candidates = [
    attributeOf(links.find((node) => attributeOf(node, "rel") === "self"), "href"),
    attributeOf(head, "xml:base"),
    format === "rss" ? asArray(head["link"]).map(plainOf).find((value) => value !== undefined && value !== "") : undefined,
  ];
  return candidates.find((candidate) => candidate !== undefined && httpUrl(candidate, undefined) !== undefined);
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
  if (root === undefined) throw invalidInput("not an RSS or Atom feed (root element missing)");
  const what = /^html$/i.test(root) ? "an HTML page" : /^(?:opml|sitemapindex|urlset)$/i.test(root) ? `an ${root} document` : "XML of another kind";
  throw invalidInput(`not an RSS or Atom feed: it is ${what} (root element <${root}>; expected <rss>, <feed> or <rdf:RDF>)`);
}

interface ItemContext {
  readonly format: "rss" | "atom";
  /** The feed's own date, else the fetch time: the date of undated items. */
  readonly fallbackDate: string;
  /** The fetch time: the date of items whose date cannot be read. */
  readonly fetchedAt: string;
  readonly baseUrl: string | undefined;
  readonly options: FeedParseOptions;
}

function mapItem(raw: unknown, n: number, { format, fallbackDate, fetchedAt, baseUrl, options }: ItemContext): FeedItemResult {
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
  let notes: RecordNotes | undefined;
  if (dateText !== undefined) {
    const parsed = parseFeedDate(dateText);
    // An unreadable date never loses the post: it keeps the fetch time, flagged with the text it carried.
    if (parsed === undefined) notes = { flags: ["date_unreadable"], dateText: truncate(dateText, 80) };
    publishedAt = parsed ?? fetchedAt;
  }

  const url = itemLink(item, format, baseUrl);
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
  if (!result.ok) return fail(result.reason);
  return notes === undefined ? { item: n, ok: true, record: result.record } : { item: n, ok: true, record: result.record, notes };
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
  const markup = (segment: string) => (type === "xhtml" || /<\/?[a-zA-Z][^<>]*>/.test(segment) ? segment : decodeXML(segment));
  // A forward scan with indexOf (linear): an unclosed "<![CDATA[" leaves the rest as ordinary text.
  let out = "";
  let at = 0;
  for (;;) {
    const open = raw.indexOf("<![CDATA[", at);
    const close = open === -1 ? -1 : raw.indexOf("]]>", open + 9);
    if (close === -1) return out + markup(raw.slice(at));
    out += markup(raw.slice(at, open)) + raw.slice(open + 9, close);
    at = close + 3;
  }
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
