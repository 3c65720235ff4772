import { describe, expect, it } from "vitest";
import { compiledPath, DIST_CONDITION, serviceArgv, serviceRuntime, sourceMapsWanted, staleness, type BuildStamp } from "./index.js";

const stamp: BuildStamp = { format: 1, esbuild: "0.28.2", sources: "a".repeat(64) };

describe("staleness", () => {
  it("is current only when the sources, the compile options and esbuild are all the same", () => {
    expect(staleness(stamp, { ...stamp })).toBeUndefined();
    expect(staleness(undefined, stamp)).toBe("not built");
    expect(staleness(stamp, { ...stamp, sources: "b".repeat(64) })).toBe("sources changed");
    expect(staleness(stamp, { ...stamp, format: 2 })).toBe("built with other compile options");
    expect(staleness(stamp, { ...stamp, esbuild: "0.29.0" })).toBe("built with other compile options");
  });
});

describe("compiledPath", () => {
  it("maps an entry under src/ to the same place under dist/ with .js", () => {
    expect(compiledPath("services/indexer/src/main.ts")).toBe("services/indexer/dist/main.js");
    expect(compiledPath("packages/notify/src/testing/index.ts")).toBe("packages/notify/dist/testing/index.js");
    expect(compiledPath("/opt/liaowang/services/api/src/main.ts")).toBe("/opt/liaowang/services/api/dist/main.js");
    // only the innermost src/ of the path is the member's
    expect(compiledPath("/home/src/liaowang/services/api/src/main.ts")).toBe("/home/src/liaowang/services/api/dist/main.js");
  });

  it("refuses what is not a TypeScript file under src/", () => {
    expect(() => compiledPath("services/indexer/main.ts")).toThrow("not a .ts file under a src/ directory");
    expect(() => compiledPath("services/indexer/src/main.js")).toThrow("services/indexer/src/main.js");
    expect(() => compiledPath("services/indexer/src")).toThrow();
  });
});

describe("serviceArgv", () => {
  const flags = ["--max-semi-space-size=4"];

  it("runs the compiled entry under the dist condition by default, source maps only when asked", () => {
    expect(serviceArgv("services/indexer/src/main.ts", { root: "/r", nodeFlags: flags, env: {} })).toEqual([
      "--max-semi-space-size=4",
      `--conditions=${DIST_CONDITION}`,
      "/r/services/indexer/dist/main.js",
    ]);
    expect(serviceArgv("services/indexer/src/main.ts", { root: "/r", nodeFlags: flags, env: { LIAOWANG_SOURCE_MAPS: "on" } })).toEqual([
      "--max-semi-space-size=4",
      `--conditions=${DIST_CONDITION}`,
      "--enable-source-maps",
      "/r/services/indexer/dist/main.js",
    ]);
  });

  it("runs the TypeScript source through tsx with LIAOWANG_SERVICE_RUNTIME=tsx", () => {
    expect(serviceArgv("services/indexer/src/main.ts", { root: "/r", nodeFlags: flags, env: { LIAOWANG_SERVICE_RUNTIME: "tsx" } })).toEqual([
      "--max-semi-space-size=4",
      "--import",
      "tsx",
      "/r/services/indexer/src/main.ts",
    ]);
  });

  it("names the variable and the allowed values when a setting is mistyped", () => {
    expect(() => serviceRuntime({ LIAOWANG_SERVICE_RUNTIME: "ts-node" })).toThrow('LIAOWANG_SERVICE_RUNTIME = "ts-node": expected "dist" or "tsx"');
    expect(() => sourceMapsWanted({ LIAOWANG_SOURCE_MAPS: "yes" })).toThrow('LIAOWANG_SOURCE_MAPS = "yes": expected "on" or "off"');
    expect(serviceRuntime({})).toBe("dist");
    expect(sourceMapsWanted({})).toBe(false);
  });
});
