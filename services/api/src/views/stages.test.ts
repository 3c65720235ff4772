import { describe, expect, it } from "vitest";
import type { StageHealth } from "@liaowang/schemas";
import { stageViews } from "./stages.js";

const NOW = new Date("2026-12-03T01:00:00Z");
const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
function report(over: Partial<StageHealth>): StageHealth {
  return { service: "enrich", instance: "h-1", topic: "liaowang.raw", groupId: "liaowang.enrich", reportedAt: at(3), lag: 0, committed: 10, ...over };
}

describe("stageViews", () => {
  it("orders stages along the pipeline, counts live replicas and takes the lag of the freshest report", () => {
    const views = stageViews(
      [
        report({ service: "indexer", topic: "liaowang.enriched", lag: 7 }),
        report({ instance: "h-1", lag: 1200, reportedAt: at(4) }),
        report({ instance: "h-2", lag: 900, reportedAt: at(2) }),
        report({ instance: "h-3", lag: 5, reportedAt: at(600) }),
      ],
      NOW,
    );
    expect(views.map((v) => [v.service, v.replicas, v.lag, v.silent])).toEqual([
      ["enrich", 2, 900, false],
      ["indexer", 1, 7, false],
    ]);
  });

  it("shows the oldest stuck offsets of a live replica with how long, and a stage that stopped reporting as silent", () => {
    const since = at(300);
    const views = stageViews(
      [
        report({ stuck: { since, partition: 2, firstOffset: "1500", lastOffset: "1999", records: 500, attempts: 57, error: "Kafka refused" } }),
        report({ instance: "h-2", stuck: { since: at(100), partition: 0, firstOffset: "10", lastOffset: "20", records: 11, attempts: 3, error: "x" } }),
        report({ service: "detector", topic: "liaowang.enriched", reportedAt: at(120), stuck: { since: at(900), partition: 1, firstOffset: "1", lastOffset: "2", records: 2, attempts: 9, error: "old" } }),
        report({ service: "alerter", reportedAt: at(2 * 24 * 3600) }),
      ],
      NOW,
    );
    expect(views[0]).toMatchObject({ service: "enrich", stuck: { since, forMs: 300_000, partition: 2, firstOffset: "1500", lastOffset: "1999", attempts: 57, error: "Kafka refused" } });
    // a silent replica's stuck report is history, not news; a day-old report is forgotten
    expect(views[1]).toMatchObject({ service: "detector", silent: true, replicas: 0 });
    expect(views[1]).not.toHaveProperty("stuck");
    expect(views.map((v) => v.service)).toEqual(["enrich", "detector"]);
  });

  it("shows a live replica's stall (partitions with records waiting, not fetched) with how long, the oldest first", () => {
    const views = stageViews(
      [
        report({ service: "detector", topic: "liaowang.enriched", stalled: { since: at(150), partitions: [0, 2], lag: 12 } }),
        report({ service: "detector", topic: "liaowang.enriched", instance: "h-2", stalled: { since: at(130), partitions: [1], lag: 3 } }),
        report({ service: "indexer", topic: "liaowang.enriched", reportedAt: at(120), stalled: { since: at(400), partitions: [1], lag: 9 } }),
      ],
      NOW,
    );
    expect(views.find((v) => v.service === "detector")).toMatchObject({ stalled: { since: at(150), forMs: 150_000, partitions: [0, 2], lag: 12 } });
    // a replica that stopped reporting is not news (it was restarted)
    expect(views.find((v) => v.service === "indexer")).not.toHaveProperty("stalled");
  });

  it("sums group joins, rebalances and abandoned batches over the live replicas, news when within ten minutes", () => {
    const views = stageViews(
      [
        report({ instance: "h-1", joins: 3, lastJoinAt: at(120), abandoned: 2, lastAbandonedAt: at(125) }),
        report({ instance: "h-2", joins: 1, lastJoinAt: at(121), abandoned: 0 }),
        // a replica that went silent no longer counts
        report({ instance: "h-3", joins: 9, lastJoinAt: at(200), abandoned: 7, lastAbandonedAt: at(200), reportedAt: at(300) }),
        report({ service: "indexer", topic: "liaowang.enriched", joins: 2, lastJoinAt: at(3_600), abandoned: 0 }),
        report({ service: "detector", topic: "liaowang.enriched" }),
      ],
      NOW,
    );
    expect(views.find((v) => v.service === "enrich")!.group).toEqual({ joins: 4, rebalances: 2, lastRebalanceAt: at(120), abandoned: 2, lastAbandonedAt: at(125), recent: true });
    // an hour-old rebalance is counted but no longer news
    expect(views.find((v) => v.service === "indexer")!.group).toEqual({ joins: 2, rebalances: 1, lastRebalanceAt: at(3_600), abandoned: 0, recent: false });
    // a report from before these were recorded
    expect(views.find((v) => v.service === "detector")!.group).toEqual({ joins: 0, rebalances: 0, abandoned: 0, recent: false });
  });
});
