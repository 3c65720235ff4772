import type { IngestRecordInput } from "@liaowang/schemas";
import type { TickerCatalog, TickerStory } from "./catalog.js";

/** A random source in [0, 1), injected so tests are repeatable. */
export type Random = () => number;

/** One demo incident: a story with its region, slots and numbers drawn once, reported by several posts. */
export interface DemoIncident {
  readonly story: TickerStory;
  readonly region: { name: string; short: string };
  readonly values: Readonly<Record<string, string | number>>;
  readonly openedAt: number;
}

const DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/**
 * A number below 100 in Chinese numerals, as posts write casualty figures.
 * @example chineseNumber(12) === "十二"; chineseNumber(30) === "三十"
 */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99) return String(n);
  if (n < 10) return DIGITS[n] ?? String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? "" : (DIGITS[tens] ?? "")}十${ones === 0 ? "" : (DIGITS[ones] ?? "")}`;
}

function pick<T>(items: readonly T[], random: Random): T {
  const item = items[Math.floor(random() * items.length)] ?? items[0];
  if (item === undefined) throw new RangeError("pick from an empty list");
  return item;
}

function between([min, max]: readonly [number, number], random: Random): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Open a new incident from a random story, drawing its region, slots and numbers once. */
export function openIncident(catalog: TickerCatalog, random: Random, now: number): DemoIncident {
  const story = pick(catalog.stories, random);
  const values: Record<string, string | number> = {};
  for (const [name, options] of Object.entries(story.slots)) values[name] = pick(options, random);
  for (const [name, bounds] of Object.entries(story.numbers)) values[name] = between(bounds, random);
  return { story, region: pick(catalog.regions, random), values, openedAt: now };
}

/**
 * Fill a template: {region}, {slot}, {number}, {number:zh} and {chatter}; an unknown placeholder is kept
 * as written, so a catalogue typo shows up in the post instead of failing the ticker.
 * @example fill("{region}{site}{deaths:zh}人遇难", incident, random) // "长沙市岳麓区一座物流仓库三人遇难"
 */
export function fill(template: string, incident: DemoIncident, chatter: readonly string[], random: Random): string {
  return template.replace(/\{([a-zA-Z]+)(?::(zh))?\}/g, (whole, name: string, format: string | undefined) => {
    if (name === "region") return incident.region.short;
    if (name === "chatter") return pick(chatter, random);
    const value = incident.values[name];
    if (value === undefined) return whole;
    return format === "zh" && typeof value === "number" ? chineseNumber(value) : String(value);
  });
}

/** One post about an incident from a random (weighted) source, published now. */
export function renderPost(catalog: TickerCatalog, incident: DemoIncident, random: Random, now: number): IngestRecordInput {
  const total = catalog.sources.reduce((sum, s) => sum + s.weight, 0);
  let roll = random() * total;
  const source = catalog.sources.find((s) => (roll -= s.weight) < 0) ?? catalog.sources[0];
  if (source === undefined) throw new RangeError("the ticker catalogue has no sources");
  const chatter = incident.story.chatter ?? catalog.chatter;
  const templates = incident.story.posts[source.style] ?? Object.values(incident.story.posts).flat();
  const text = fill(pick(templates, random), incident, chatter, random);
  const reposts = Math.floor(random() ** 3 * 2_000);
  return {
    source: source.name,
    text,
    ...(source.style === "social" ? {} : { title: fill(pick(incident.story.titles, random), incident, chatter, random) }),
    author: pick(source.authors, random),
    publishedAt: new Date(now).toISOString(),
    region: incident.region.name,
    lang: "zh",
    metrics: { reposts, comments: Math.floor(reposts * 0.4 * random()), likes: Math.floor(reposts * (1 + 3 * random())) },
  };
}

/**
 * The ticker's state: a few incidents open at once, each lasting `lifetimeMs`, new ones opening now and then,
 * so the same incident is reported several times by different sources and the detector can group them.
 * @example const tape = new IncidentTape(catalog, Math.random); tape.next(Date.now())
 */
export class IncidentTape {
  #open: DemoIncident[] = [];

  constructor(
    private readonly catalog: TickerCatalog,
    private readonly random: Random,
    private readonly options: { maxOpen: number; lifetimeMs: number; openChance: number } = { maxOpen: 4, lifetimeMs: 30 * 60_000, openChance: 0.2 },
  ) {}

  /** The next post, opening or retiring incidents as time passes. */
  next(now: number): IngestRecordInput {
    this.#open = this.#open.filter((incident) => now - incident.openedAt < this.options.lifetimeMs);
    if (this.#open.length === 0 || (this.#open.length < this.options.maxOpen && this.random() < this.options.openChance)) {
      this.#open.push(openIncident(this.catalog, this.random, now));
    }
    return renderPost(this.catalog, pick(this.#open, this.random), this.random, now);
  }

  /** The incidents open now. */
  get open(): readonly DemoIncident[] {
    return this.#open;
  }
}
