import { join } from "node:path";
import { z } from "zod";
import { CommonEnv, loadEnv, readConfigFile, type Env } from "@liaowang/config";
import { describeError, LiaowangError } from "@liaowang/errors";
import {
  DEFAULT_ENGINE_CONFIG,
  compileWatchRules,
  gradingConfigSchema,
  type EngineConfig,
  type WatchMatcher,
} from "@liaowang/detect";
import { loadJurisdiction } from "@liaowang/nlp/jurisdiction";
import { validate as validCron } from "node-cron";

const HOUR = 3_600_000;

const DetectorEnv = CommonEnv.extend({
  /** Consumer group; default `<LIAOWANG_TOPIC_PREFIX>detector`, so deployments sharing a cluster never share a group. */
  DETECTOR_GROUP_ID: z.string().min(1).optional(),
  /** Names this replica's burst / source-rhythm state document; give each replica its own. */
  DETECTOR_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "expected 1–64 of A-Z a-z 0-9 _ . -").default("detector"),
  /** node-cron schedule of the periodic work (bursts, expiry, flatline check, state snapshot). */
  DETECTOR_TICK_SCHEDULE: z.string().refine((s) => validCron(s), "expected a node-cron expression, e.g. \"*/30 * * * * *\"").default("*/30 * * * * *"),
  DETECTOR_GRADING_FILE: z.string().min(1).optional(),
  DETECTOR_WATCH_RULES_FILE: z.string().min(1).optional(),
  /** Hours without a post after which a reported incident is expired. */
  DETECTOR_WINDOW_HOURS: z.coerce.number().positive().max(24 * 30).default(48),
  /**
   * Distinct sources a clearly negative story needs before its sentiment alone counts as a risk signal. Sources alone
   * never make an incident (issue 7): graded, 突发事件, watched or bursting stories report with one source.
   */
  DETECTOR_REPORT_MIN_SOURCES: z.coerce.number().int().min(1).default(2),
  /**
   * The deployment's area (contract): comma-separated division names or GB/T 2260 codes, `全国` for all of mainland
   * China; overrides `area` in config/jurisdiction.yaml.
   */
  LIAOWANG_JURISDICTION: z.string().min(1).optional(),
  /**
   * Longest a partition's changed burst counters go unsaved while posts arrive (ms): what a crash can lose of them.
   * Counters are kept per hour, and a partition's are ~1 MB after a busy hour: saving them every 5 s was ~1% of the
   * detector's CPU (and as many bytes to Elasticsearch as a fifth of the candidates' log) for 5 s of counts.
   */
  DETECTOR_BURST_FLUSH_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** How long a replica given a partition waits for its previous owner to hand the burst counters over (ms). */
  DETECTOR_HANDOVER_WAIT_MS: z.coerce.number().int().min(0).max(120_000).default(5_000),
  /**
   * The broker answers the detector's fetch once this many bytes are there (or after DETECTOR_FETCH_WAIT_MS): a
   * detector that keeps up then handles batches of dozens of posts, each one publish and one or two Elasticsearch
   * requests, instead of a few posts per batch.
   */
  DETECTOR_FETCH_MIN_BYTES: z.coerce.number().int().min(1).default(64 * 1024),
  /** The longest a fetch waits for DETECTOR_FETCH_MIN_BYTES (ms): at most this much is added to a post's way. */
  DETECTOR_FETCH_WAIT_MS: z.coerce.number().int().min(0).max(5_000).default(100),
  /**
   * Most bytes one fetch takes of a partition (kafkajs's default is 1 MiB): a detector catching up on a backlog holds
   * each fetched partition's records as parsed documents (several times their size) until the batch is stored, so
   * this bounds its memory; 256 KiB is still ~150 posts per batch.
   */
  DETECTOR_FETCH_MAX_BYTES_PER_PARTITION: z.coerce.number().int().min(16 * 1024).default(256 * 1024),
  /** Most open incidents (reported and candidates) held; the oldest candidates go first. */
  DETECTOR_MAX_OPEN: z.coerce.number().int().positive().default(20_000),
});
export type DetectorConfig = z.output<typeof DetectorEnv>;

/** Validate the detector's environment (fails naming each wrong key). */
export function loadConfig(env: Env): DetectorConfig {
  return loadEnv(DetectorEnv, env);
}

const WatchRulesFile = z.object({ rules: z.array(z.unknown()).default([]) });

/** The detector's domain configuration: grading thresholds and watch rules from config files, tuning from env. */
export function loadDomainConfig(config: DetectorConfig): { engine: EngineConfig; watch: WatchMatcher; files: { grading: string; watchRules: string } } {
  const gradingFile = config.DETECTOR_GRADING_FILE ?? join(config.LIAOWANG_CONFIG_DIR, "grading.yaml");
  const watchFile = config.DETECTOR_WATCH_RULES_FILE ?? join(config.LIAOWANG_CONFIG_DIR, "watch-rules.yaml");
  const grading = readConfigFile(gradingFile, gradingConfigSchema);
  const rules = readConfigFile(watchFile, WatchRulesFile).rules;
  let watch: WatchMatcher;
  try {
    watch = compileWatchRules(rules);
  } catch (error) {
    throw new LiaowangError("invalid_input", `Invalid config file ${watchFile}: ${describeError(error)}`, { cause: error });
  }
  const base = DEFAULT_ENGINE_CONFIG;
  const jurisdiction = loadJurisdiction({ configDir: config.LIAOWANG_CONFIG_DIR, env: { LIAOWANG_JURISDICTION: config.LIAOWANG_JURISDICTION } });
  return {
    engine: {
      ...base,
      jurisdiction,
      cluster: { ...base.cluster, grading, windowMs: config.DETECTOR_WINDOW_HOURS * HOUR, maxOpen: config.DETECTOR_MAX_OPEN },
      report: { ...base.report, minSources: config.DETECTOR_REPORT_MIN_SOURCES },
    },
    watch,
    files: { grading: gradingFile, watchRules: watchFile },
  };
}
