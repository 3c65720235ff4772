import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import iconv from "iconv-lite";
import { charsetFromXmlDeclaration, resolveCharset } from "@liaowang/ingest";
import type { HttpApp } from "../http.js";

/** A demo feed ready to serve: its bytes in the declared encoding and its Content-Type. */
export interface DemoFeed {
  readonly contentType: string;
  readonly body: Buffer;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** A UTC instant as Beijing wall-clock parts (China has no DST). */
function beijing(ms: number) {
  const d = new Date(ms + 8 * 3_600_000);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), wd: d.getUTCDay() };
}

/**
 * Replace `{{ago:<n><m|h|d>[|rfc822|local]}}` with the time that long before `startedAt`: ISO-8601 with
 * +08:00 by default, RFC 822 with +0800, or zone-less Beijing time ("2024-05-01 09:30:00"), the forms real
 * Chinese feeds use. Dates are fixed per process, so re-polls see the same items.
 * @example renderDemoTemplate("<pubDate>{{ago:2h|rfc822}}</pubDate>", start)
 */
export function renderDemoTemplate(template: string, startedAt: Date): string {
  return template.replace(/\{\{ago:(\d+)([mhd])(?:\|(rfc822|local))?\}\}/g, (_whole, amount: string, unit: string, format: string | undefined) => {
    const t = beijing(startedAt.getTime() - Number(amount) * (UNITS[unit] ?? 0));
    const date = `${t.y}-${pad(t.mo)}-${pad(t.d)}`;
    const time = `${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}`;
    if (format === "local") return `${date} ${time}`;
    if (format === "rfc822") {
      const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][t.wd];
      const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][t.mo - 1];
      return `${day}, ${pad(t.d)} ${month} ${t.y} ${time} +0800`;
    }
    return `${date}T${time}+08:00`;
  });
}

/**
 * Render one demo feed file. XML is encoded in the charset its declaration names (the files are stored as
 * UTF-8 for editing) and labelled with it unless it is UTF-8, so one demo feed exercises GB2312 decoding.
 */
export function renderDemoFeed(fileName: string, template: string, startedAt: Date): DemoFeed {
  const text = renderDemoTemplate(template, startedAt);
  if (extname(fileName) === ".json") return { contentType: "application/json; charset=utf-8", body: Buffer.from(text) };
  const declared = charsetFromXmlDeclaration(Buffer.from(text.slice(0, 200), "latin1"));
  const charset = declared === undefined ? undefined : resolveCharset(declared);
  const type = /<feed[\s>]/.test(text) ? "application/atom+xml" : "application/rss+xml";
  if (declared === undefined || charset === undefined || charset === "utf-8") return { contentType: type, body: Buffer.from(text) };
  return { contentType: `${type}; charset=${declared.toLowerCase()}`, body: iconv.encode(text, charset) };
}

/**
 * Serve every file of `<demoDir>/feeds` at `GET /demo/feeds/<file>`, rendered once at start-up.
 * Only the files found there are served, so no request path reaches the file system.
 */
export function registerDemoFeeds(app: HttpApp, demoDir: string, startedAt: Date): string[] {
  const dir = join(demoDir, "feeds");
  const feeds = new Map<string, DemoFeed>();
  for (const file of readdirSync(dir).filter((f) => [".xml", ".json"].includes(extname(f)))) {
    feeds.set(file, renderDemoFeed(file, readFileSync(join(dir, file), "utf8"), startedAt));
  }
  app.get<{ Params: { file: string } }>("/demo/feeds/:file", async (request, reply) => {
    const feed = feeds.get(request.params.file);
    if (feed === undefined) return reply.code(404).send({ error: "not_found", message: `no demo feed "${request.params.file}"` });
    return reply.header("content-type", feed.contentType).send(feed.body);
  });
  return [...feeds.keys()];
}
