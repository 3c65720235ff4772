import { parse } from "csv-parse/sync";
import { invalidInput } from "@liaowang/errors";
import { parseFeedDate } from "./dates.js";
import type { ParsedUnit } from "./intake.js";
import { truncate } from "./issues.js";
import { validateRecord } from "./records.js";
import type { RecordDefaults } from "./records.js";

// Header names as Chinese office exports (12345 hotline, mailbox, Excel/WPS) write them, and the contract's own.
const COLUMNS: Record<string, readonly string[]> = {
  source: ["source", "来源", "渠道", "来源渠道"],
  text: ["text", "content", "内容", "正文", "诉求内容", "来电内容", "留言内容"],
  title: ["title", "标题", "主题"],
  url: ["url", "link", "链接", "网址"],
  author: ["author", "作者", "发布者", "来电人", "留言人"],
  publishedAt: [
    "publishedat",
    "published_at",
    "date",
    "time",
    "发布时间",
    "时间",
    "日期",
    "来电时间",
    "留言时间",
  ],
  region: ["region", "地区", "区域", "所属区域", "属地"],
  reposts: ["reposts", "转发", "转发数"],
  comments: ["comments", "评论", "评论数"],
  likes: ["likes", "点赞", "点赞数"],
};
const FIELD_BY_HEADER = new Map(
  Object.entries(COLUMNS).flatMap(([field, names]) =>
    names.map((name) => [name, field] as const),
  ),
);

/**
 * Parse a CSV export (first row = header) into units labelled by line. Known headers, English or Chinese
 * (内容, 标题, 发布时间, 来源, 地区 …), map to contract fields; other columns are ignored. Dates in the local forms
 * offices write ("2024/5/1 9:30") are Beijing time. Throws `invalid_input` when there is no text column.
 * @example parseCsv(decodeUnlabelled(bytes).text, { defaults: { source: "12345" } })
 */
export function parseCsv(
  text: string,
  options: { defaults?: RecordDefaults; maxRows?: number } = {},
): ParsedUnit[] {
  const units: ParsedUnit[] = [];
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        const line = typeof error?.lines === "number" ? error.lines : 0;
        units.push({
          at: { kind: "line", n: line },
          ok: false,
          reason: `line ${line}: ${error?.message ?? "unreadable CSV row"}`,
        });
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    throw invalidInput(
      `not readable as CSV (${truncate(error instanceof Error ? error.message : String(error), 160)})`,
      error,
    );
  }
  const [header, ...body] = rows;
  if (header === undefined) throw invalidInput("CSV file is empty");
  const fields = header.record.map((name) =>
    FIELD_BY_HEADER.get(name.trim().toLowerCase()),
  );
  if (!fields.includes("text")) {
    throw invalidInput(
      `CSV header has no text column (expected one of ${COLUMNS["text"]?.join(", ")}; got ${truncate(header.record.join(", "), 120)})`,
    );
  }
  const max = options.maxRows ?? 1_000_000;
  for (const { record, info } of body.slice(0, max)) {
    const value: Record<string, unknown> = {};
    const metrics: Record<string, number> = {};
    record.forEach((cell, i) => {
      const field = fields[i];
      const content = cell.trim();
      if (field === undefined || content === "") return;
      if (field === "reposts" || field === "comments" || field === "likes")
        metrics[field] = Number(content.replace(/,/g, ""));
      else if (field === "publishedAt")
        value[field] = parseFeedDate(content) ?? content;
      else value[field] = content;
    });
    if (Object.keys(metrics).length > 0) value["metrics"] = metrics;
    const result = validateRecord(value, options.defaults);
    const n = info.lines;
    units.push(
      result.ok
        ? { at: { kind: "line", n }, ok: true, record: result.record }
        : {
            at: { kind: "line", n },
            ok: false,
            reason: `line ${n}: ${result.reason}`,
          },
    );
  }
  if (body.length > max)
    units.push({
      at: { kind: "line", n: 0 },
      ok: false,
      reason: `${body.length - max} more rows not read (at most ${max})`,
    });
  return units.sort((a, b) => a.at.n - b.at.n);
}
