import { chineseCalendar, HolidaysConfig, keptCalendar, type WorkCalendar } from "@liaowang/alerting";
import { watchConfigFile, type ConfigRejection } from "@liaowang/config";
import type { Logger } from "@liaowang/logger";
import { zhIssues } from "./admin/zh-issues.js";

/** What an administrator reads on the duty strip and /health when an edit of holidays.yaml was refused. */
export function holidaysProblem(rejection: ConfigRejection): string {
  const what = "节假日安排（config/holidays.yaml）";
  const reason = rejection.issues ? zhIssues(what, rejection.issues, rejection.data) : `${what}不是有效的 YAML：${(rejection.syntax ?? "").split("\n")[0] ?? ""}`;
  return `节假日安排的修改未生效，仍按上次有效的日历计算。${reason}`;
}

/**
 * Follow config/holidays.yaml while the API runs: a valid edit (next year's 节假日安排 typed in) replaces the
 * calendar the duty strip, health and the working-day clocks use; a refused one keeps the last good calendar and
 * says why in zh-CN (see {@link holidaysProblem}) until the file is fixed. Returns a function that stops watching.
 */
export function watchHolidays(path: string, holder: { calendar: WorkCalendar }, log: Logger, intervalMs = 2000): () => void {
  let lastGood = holder.calendar;
  return watchConfigFile(path, HolidaysConfig, {
    intervalMs,
    apply: (holidays) => {
      lastGood = chineseCalendar(holidays);
      holder.calendar = lastGood;
      log.info({ file: path, years: (holidays?.years ?? []).map((y) => y.year) }, "holiday calendar reloaded");
    },
    reject: (rejection) => {
      holder.calendar = keptCalendar(lastGood, holidaysProblem(rejection));
      log.error({ file: path }, `holiday calendar edit refused, the last good calendar stays in force: ${rejection.message}`);
    },
  });
}
