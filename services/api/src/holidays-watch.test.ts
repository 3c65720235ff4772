import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { afterAll, describe, expect, it, vi } from "vitest";
import { chineseCalendar, DepartmentsConfig, type WorkCalendar } from "@liaowang/alerting";
import { defaultConfigDir, readConfigFile } from "@liaowang/config";
import { createLogger } from "@liaowang/logger";
import type { ApiApp, ApiDeps } from "./app.js";
import { watchHolidays } from "./holidays-watch.js";
import { registerDirectoryRoutes } from "./routes/directory.js";
import { dutyBoard } from "./views/duty.js";

// An administrator types next year's 节假日安排 into config/holidays.yaml while the API runs: the duty strip and
// /health follow it without a restart; a bad edit keeps the last good calendar and says why in Chinese.

const dir = mkdtempSync(join(tmpdir(), "liaowang-holidays-"));
const file = join(dir, "holidays.yaml");
const NOW = new Date("2026-12-03T02:00:00Z");
const departments = readConfigFile(join(defaultConfigDir, "departments.yaml"), DepartmentsConfig);
const holder: { calendar: WorkCalendar } = { calendar: chineseCalendar() };
const app = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as ApiApp;
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);
// Health's other parts (Elasticsearch, stage reports) are not what this test is about.
registerDirectoryRoutes(app, { es: { ping: async () => true }, store: { stageReports: async () => [] }, ops: holder, clock: () => NOW, users: {}, log: createLogger({ service: "holidays-test", level: "silent" }) } as unknown as ApiDeps);

writeFileSync(file, "years: []\n");
const stop = watchHolidays(file, holder, createLogger({ service: "holidays-test", level: "silent" }), 50);

afterAll(async () => {
  stop();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const year2027 = (workday: string) => `years:
  - year: 2027
    notice: 测试用安排
    holidays:
      - { name: 元旦, from: 2027-01-01, to: 2027-01-03 }
      - { name: 春节, from: 2027-02-06, to: 2027-02-12 }
    workdays:
      - { name: 春节, date: ${workday} }
`;

async function health(): Promise<{ coveredUntil: string | null; warning: string | null }> {
  const res = await app.inject({ method: "GET", url: "/api/v1/health" });
  return (res.json() as { calendar: { coveredUntil: string | null; warning: string | null } }).calendar;
}
const strip = () => dutyBoard(departments, undefined, holder.calendar, NOW.getTime()).calendar;

describe("holidays.yaml followed live", () => {
  it("applies next year's schedule without a restart, and keeps the last good calendar after a bad edit", async () => {
    expect(holder.calendar.covers(2027)).toBe(false);
    expect((await health()).warning).toMatch(/^节假日日历只到2026-12-31/);

    writeFileSync(file, year2027("2027-02-14"));
    await vi.waitFor(() => expect(holder.calendar.covers(2027)).toBe(true), { timeout: 10_000, interval: 50 });
    expect(holder.calendar.isWorkday("2027-01-01")).toBe(false);
    expect(holder.calendar.isWorkday("2027-02-14")).toBe(true); // a Sunday made a working day
    expect(await health()).toMatchObject({ coveredUntil: "2027-12-31", warning: null });
    expect(strip()).toMatchObject({ coveredUntil: "2027-12-31", warning: null });

    // A 调休 working day on a Wednesday: refused, named in Chinese, the 2027 schedule stays in force.
    writeFileSync(file, year2027("2027-02-17"));
    const expected = "节假日安排的修改未生效，仍按上次有效的日历计算。节假日安排（config/holidays.yaml）有 1 处错误：年度安排（years） › 「2027年」 › 调休上班（workdays） › 「春节」 › 日期（date）：春节：调休上班日须为周六或周日，2027-02-17 是星期三";
    await vi.waitFor(() => expect(holder.calendar.problem).toBe(expected), { timeout: 10_000, interval: 50 });
    expect(holder.calendar.covers(2027)).toBe(true);
    expect(holder.calendar.isWorkday("2027-02-14")).toBe(true);
    expect(await health()).toMatchObject({ coveredUntil: "2027-12-31", warning: expected });
    expect(strip().warning).toBe(expected);

    // Not YAML at all: also refused, in Chinese.
    writeFileSync(file, "years: [\n  - year: 2027\n");
    await vi.waitFor(() => expect(holder.calendar.problem).toMatch(/^节假日安排的修改未生效.*不是有效的 YAML：/), { timeout: 10_000, interval: 50 });
    expect(holder.calendar.isWorkday("2027-01-01")).toBe(false);

    // Fixed: the warning goes.
    writeFileSync(file, year2027("2027-02-20"));
    await vi.waitFor(() => expect(holder.calendar.problem).toBeUndefined(), { timeout: 10_000, interval: 50 });
    expect(holder.calendar.isWorkday("2027-02-20")).toBe(true);
    expect(holder.calendar.isWorkday("2027-02-14")).toBe(false);
    expect(await health()).toMatchObject({ coveredUntil: "2027-12-31", warning: null });
  });
});
