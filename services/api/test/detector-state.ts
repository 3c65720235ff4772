import type { Client } from "@liaowang/es";
import { createLogger } from "@liaowang/logger";
// The detector's own store writes the fixture, so these tests break if the document the API reads changes shape.
import { detectorIndices, IncidentStore, type SourceHealth } from "../../detector/src/store.js";

type Snapshot = Parameters<IncidentStore["saveSnapshot"]>[1];

/** A source as the detector knows it: its health entry and, when flagged, when it was. */
export interface FixtureSource extends SourceHealth {
  flatSince?: number;
}

/** Writes a detector replica's state document through the detector's store, as its tick does. */
export async function writeDetectorState(es: Client, indexPrefix: string, instance: string, sources: FixtureSource[], now = new Date()): Promise<void> {
  const store = new IncidentStore(es, indexPrefix, createLogger({ service: "api-test-detector-state", level: "warn" }));
  await store.init();
  const snapshot: Snapshot = {
    v: 1,
    bursts: { v: 1, originBucket: null, latestBucket: null, late: 0, keys: {} },
    feeds: {
      v: 1,
      feeds: Object.fromEntries(
        sources.map((s) => {
          const lastSeenAt = Date.parse(s.lastSeenAt);
          return [s.source, { firstSeenAt: lastSeenAt - 86_400_000, lastSeenAt, count: s.count, gaps: 20, meanGapMs: s.expectedIntervalMs ?? 0, ...(s.flatSince !== undefined ? { flatSince: s.flatSince } : {}) }];
        }),
      ),
    },
    watermark: null,
  };
  await store.saveSnapshot(instance, snapshot, sources.map(({ flatSince: _f, ...health }) => health), now);
  await es.indices.refresh({ index: detectorIndices(indexPrefix).state });
}

/** Removes the index templates the detector's store installed (the indices go with the stack's prefix). */
export async function removeDetectorTemplates(es: Client, indexPrefix: string): Promise<void> {
  for (const name of Object.values(detectorIndices(indexPrefix))) await es.indices.deleteIndexTemplate({ name }).catch(() => undefined);
}
