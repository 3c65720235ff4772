/** zh-CN names of trend dimensions and sentiment labels, as the dashboard shows them. */
const DIMENSIONS: Record<string, string> = { topics: "话题", keywords: "关键词", sentiment: "情感", regions: "地区", sources: "来源" };
const SENTIMENT: Record<string, string> = { positive: "正面", neutral: "中性", negative: "负面" };

/** What trendRows reads of a trends answer. */
export interface TrendsData {
  interval: "hour" | "day";
  buckets: string[];
  volume: number[];
  series: Record<string, { key: string; counts: number[] }[] | undefined>;
}

function beijingBucket(iso: string, interval: "hour" | "day"): string {
  const wall = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString();
  return interval === "hour" ? `${wall.slice(0, 10)} ${wall.slice(11, 13)}:00` : wall.slice(0, 10);
}

/**
 * Trends as spreadsheet rows, one per bucket and series: `[bucket (Beijing), dimension, value, count]`, the
 * volume first as dimension 全部.
 * @example trendRows({ interval: "day", buckets: ["2026-12-01T16:00:00.000Z"], volume: [3], series: {} }) // [["2026-12-02", "全部", "", 3]]
 */
export function trendRows(data: TrendsData): (string | number)[][] {
  const rows: (string | number)[][] = [];
  data.buckets.forEach((bucket, i) => {
    const at = beijingBucket(bucket, data.interval);
    rows.push([at, "全部", "", data.volume[i] ?? 0]);
    for (const [dimension, series] of Object.entries(data.series)) {
      for (const s of series ?? []) rows.push([at, DIMENSIONS[dimension] ?? dimension, dimension === "sentiment" ? (SENTIMENT[s.key] ?? s.key) : s.key, s.counts[i] ?? 0]);
    }
  });
  return rows;
}
