import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { interpolateEnv, loadConfig } from "../src/config.js";
import { tempDir } from "@liaowang/testing";

function dir(files: Record<string, string>): string {
  const d = tempDir("alerter-config-");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const departments = `
departments:
  - { id: office, name: 市政府办公室, targets: [office-hook] }
routing: { default: office }
`;
const base = { ALERTER_ACK_SECRET: "a".repeat(32), ALERTER_API_TOKEN: "t".repeat(24) };

describe("alerter config", () => {
  it("fills ${NAME} from the environment and names a missing variable", () => {
    expect(interpolateEnv({ a: ["x-${K}-y"] }, { K: "v" }, "f.yaml")).toEqual({ a: ["x-v-y"] });
    expect(() => interpolateEnv({ a: "${MISSING}" }, {}, "f.yaml")).toThrow("f.yaml uses ${MISSING}, but MISSING is not set");
  });

  it("loads the three files with defaults and the public URL", () => {
    const d = dir({
      "departments.yaml": departments,
      "escalation.yaml": "policies: []\n",
      "notify.yaml": "targets:\n  office-hook: { channel: webhook, url: 'https://hooks.example.gov.cn/x', secret: '${HOOK_SECRET}' }\n",
    });
    const config = loadConfig({ ...base, LIAOWANG_CONFIG_DIR: d, HOOK_SECRET: "s".repeat(20), ALERTER_HTTP_PORT: "9000" });
    expect(config.alerting.escalation.clocks).toEqual({ authoritativeInfo: 5 * 3_600_000, pressConference: 24 * 3_600_000, response: 48 * 3_600_000 });
    expect(config.notify.targets["office-hook"]).toMatchObject({ secret: "s".repeat(20) });
    expect(config.publicUrl).toBe("http://127.0.0.1:9000");
  });

  it("reads the roster when present and names its unknown people; the shipped config directory loads", () => {
    const files = { "departments.yaml": departments.replace("targets: [office-hook] }", "targets: [], people: [{ id: p1, name: 张三, role: duty }] }"), "escalation.yaml": "{}\n", "notify.yaml": "targets: {}\n" };
    expect(loadConfig({ ...base, LIAOWANG_CONFIG_DIR: dir(files) }).alerting.roster).toBeUndefined();
    const ok = loadConfig({ ...base, LIAOWANG_CONFIG_DIR: dir({ ...files, "roster.yaml": "departments:\n  - { department: office, handover: '00:00', rotations: [{ role: duty, people: [p1] }] }\n" }) });
    expect(ok.alerting.roster?.departments[0]).toMatchObject({ department: "office", handover: "00:00" });
    expect(ok.alerting.calendar?.isWorkday("2026-10-01")).toBe(false);
    const bad = dir({ ...files, "roster.yaml": "departments:\n  - { department: office, rotations: [{ role: duty, people: [p1, p9], from: 2026-11-02 }] }\n" });
    expect(() => loadConfig({ ...base, LIAOWANG_CONFIG_DIR: bad })).toThrow(/roster\.yaml:\n  departments\[0\]\.rotations\[0\]: unknown person "p9"/);
    expect(() => loadConfig({ ...base, LIAOWANG_CONFIG_DIR: dir(files), ALERTER_ROSTER_FILE: "/nonexistent/roster.yaml" })).toThrow(/does not exist/);
    expect(loadConfig({ ...base }).alerting.roster?.departments.map((d) => d.department)).toContain("emergency");
  });

  it("refuses to start without an acknowledge secret, and with a department naming an unknown target", () => {
    const d = dir({ "departments.yaml": departments, "escalation.yaml": "{}\n", "notify.yaml": "targets: {}\n" });
    expect(() => loadConfig({ LIAOWANG_CONFIG_DIR: d, ALERTER_API_TOKEN: "t".repeat(24) })).toThrow(/ALERTER_ACK_SECRET = \(not set\)/);
    expect(() => loadConfig({ ...base, LIAOWANG_CONFIG_DIR: d })).toThrow(/department "office" names target "office-hook", which .*notify.yaml does not define/);
  });

  it("names the file, key and value of a wrong escalation setting", () => {
    const d = dir({ "departments.yaml": departments, "escalation.yaml": "quietHours: { start: '22:00', end: '07:00', levels: [II] }\n", "notify.yaml": "targets: {}\n" });
    expect(() => loadConfig({ ...base, LIAOWANG_CONFIG_DIR: d })).toThrow(/escalation.yaml:\n\s+quietHours.levels = \["II"\]: quiet hours never hold back I or II alerts/);
  });

  it("reads the daily digest (off when absent), rejects a bad schedule, and lets ALERTER_DIGEST_SCHEDULE override it", () => {
    const notify = "targets:\n  office-hook: { channel: webhook, url: 'https://hooks.example.gov.cn/x', secret: 'ssssssssssssssssssss' }\n";
    const off = dir({ "departments.yaml": departments, "escalation.yaml": "{}\n", "notify.yaml": notify });
    expect(loadConfig({ ...base, LIAOWANG_CONFIG_DIR: off }).digest).toBeUndefined();
    expect(loadConfig({ ...base, LIAOWANG_CONFIG_DIR: off, ALERTER_DIGEST_SCHEDULE: "*/5 * * * * *" }).digest).toEqual({ schedule: "*/5 * * * * *", timezone: "Asia/Shanghai", audience: "group" });
    const on = dir({ "departments.yaml": departments, "escalation.yaml": "digest: { schedule: '0 8 * * *', timezone: Asia/Shanghai, audience: head }\n", "notify.yaml": notify });
    expect(loadConfig({ ...base, LIAOWANG_CONFIG_DIR: on }).digest).toEqual({ schedule: "0 8 * * *", timezone: "Asia/Shanghai", audience: "head" });
    expect(loadConfig({ ...base, LIAOWANG_CONFIG_DIR: on, ALERTER_DIGEST_SCHEDULE: "*/3 * * * * *" }).digest).toMatchObject({ schedule: "*/3 * * * * *", audience: "head" });
    const bad = dir({ "departments.yaml": departments, "escalation.yaml": "digest: { schedule: 'every morning' }\n", "notify.yaml": notify });
    expect(() => loadConfig({ ...base, LIAOWANG_CONFIG_DIR: bad })).toThrow(/escalation.yaml:\n\s+digest.schedule: "every morning" is not a node-cron expression/);
    expect(() => loadConfig({ ...base, LIAOWANG_CONFIG_DIR: off, ALERTER_DIGEST_SCHEDULE: "soon" })).toThrow(/ALERTER_DIGEST_SCHEDULE/);
  });
});
