import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfigDir } from "@liaowang/config";
import { loadConfig, loadDomainConfig } from "./config.js";
import { tempDir } from "@liaowang/testing/temp";

describe("detector config", () => {
  it("loads the shipped grading thresholds and watch rules", () => {
    const domain = loadDomainConfig(loadConfig({ LIAOWANG_CONFIG_DIR: defaultConfigDir }));
    expect(domain.engine.cluster.grading.tables[0]?.category).toBe("生产安全事故");
    expect(domain.watch.rules.map((r) => r.id)).toContain("mine-accident");
    expect(domain.engine.cluster.windowMs).toBe(48 * 3_600_000);
  });

  it("takes tuning from the environment and names wrong keys", () => {
    const config = loadConfig({ DETECTOR_WINDOW_HOURS: "24", DETECTOR_REPORT_MIN_SOURCES: "3" });
    const domain = loadDomainConfig(config);
    expect(domain.engine.cluster.windowMs).toBe(24 * 3_600_000);
    expect(domain.engine.report.minSources).toBe(3);
    expect(() => loadConfig({ DETECTOR_TICK_SCHEDULE: "every minute" })).toThrow(/DETECTOR_TICK_SCHEDULE = "every minute": expected a node-cron expression/);
  });

  it("fails on a bad watch rule naming the file and the rule", () => {
    const dir = tempDir("detector-config-");
    writeFileSync(join(dir, "grading.yaml"), "tables: [{ category: 生产安全事故, rules: [{ kind: deaths, I: 30, II: 10, III: 3 }] }]\nfallbackCategory: 生产安全事故\nemergencyCategories: []\n");
    writeFileSync(join(dir, "watch-rules.yaml"), `rules:\n  - { id: huge, name: 大, must: ["${"字".repeat(40)}"] }\n`);
    expect(() => loadDomainConfig(loadConfig({ LIAOWANG_CONFIG_DIR: dir }))).toThrow(new RegExp(`Invalid config file ${join(dir, "watch-rules.yaml")}: invalid watch rules: watch rule "huge" must.0: term longer than 32`));
    writeFileSync(join(dir, "grading.yaml"), "tables: [{ category: 生产安全事故, rules: [{ kind: deaths, I: 3, II: 10, III: 30 }] }]\nfallbackCategory: 生产安全事故\nemergencyCategories: []\n");
    expect(() => loadDomainConfig(loadConfig({ LIAOWANG_CONFIG_DIR: dir }))).toThrow(/grading.yaml[\s\S]*I > II > III/);
  });
});
