import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readConfigFile } from "./files.js";
import { tempDir } from "@liaowang/testing/temp";

const Departments = z.object({ departments: z.array(z.object({ id: z.string(), name: z.string().min(1) })) });

describe("readConfigFile", () => {
  const dir = tempDir("liaowang-config-");

  it("reads and validates YAML", () => {
    const path = join(dir, "ok.yaml");
    writeFileSync(path, "departments:\n  - id: yjj\n    name: 应急管理局\n");
    expect(readConfigFile(path, Departments).departments[0]?.name).toBe("应急管理局");
  });

  it("names the file, the key path and the value when invalid", () => {
    const path = join(dir, "bad.yaml");
    writeFileSync(path, "departments:\n  - id: yjj\n    name: ''\n");
    expect(() => readConfigFile(path, Departments)).toThrowError(/bad\.yaml[\s\S]*departments\.0\.name = ""/);
  });

  it("reports a missing file and a syntax error clearly", () => {
    expect(() => readConfigFile(join(dir, "none.yaml"), Departments)).toThrowError(/does not exist/);
    const path = join(dir, "broken.json");
    writeFileSync(path, "{ departments: ");
    expect(() => readConfigFile(path, Departments)).toThrowError(/broken\.json is not valid JSON/);
  });
});
