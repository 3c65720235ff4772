import { setLogger } from "node-cron";
import type { Logger } from "@liaowang/logger";

/**
 * Route node-cron's own messages (console by default) into the service's logger. Its info and warnings (e.g. a
 * skipped overlapping tick when a run takes long) are expected, so they go to debug; errors stay errors.
 */
export function routeCronLogs(log: Logger): void {
  const cronLog = log.child({ module: "cron" });
  setLogger({
    info: (m) => cronLog.debug(m),
    warn: (m) => cronLog.debug(m),
    error: (m, err) => cronLog.error({ err: err ?? m }, String(m)),
    debug: (m) => cronLog.debug(String(m)),
  });
}
