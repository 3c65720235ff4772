import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { SERVICE_NODE_FLAGS } from "@liaowang/config";
import { compiledPath, DIST_CONDITION, ensureBuilt, serviceArgv, workspaceMembers, workspaceRoot } from "../src/index.js";

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function write(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/**
 * A workspace of two members laid out as this repository is: a package whose export maps to dist/ under the
 * condition and to src/ otherwise (linked into node_modules as pnpm does), and a service importing it, a JSON file
 * (import attributes) and a worker script that is copied, not compiled.
 */
function miniWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), "liaowang-build-"));
  dirs.push(root);
  write(root, "packages/greet/package.json", JSON.stringify({ name: "@mini/greet", type: "module", exports: { ".": { "liaowang-dist": "./dist/index.js", default: "./src/index.ts" } } }));
  write(root, "packages/greet/src/index.ts", 'export { greet } from "./greet.js";\n');
  write(root, "packages/greet/src/greet.ts", 'import type { Options } from "./types.js";\nexport function greet(name: string, o: Options = { loud: false }): string {\n  return o.loud ? `HELLO ${name}` : `hello ${name}`;\n}\n');
  write(root, "packages/greet/src/types.ts", "export interface Options { loud: boolean }\n");
  write(root, "packages/greet/src/greet.test.ts", 'throw new Error("tests are not compiled");\n');
  write(root, "services/hello/package.json", JSON.stringify({ name: "@mini/hello", type: "module" }));
  write(root, "services/hello/src/main.ts", 'import { greet } from "@mini/greet";\nimport data from "./data.json" with { type: "json" };\nimport { readFileSync } from "node:fs";\nconst worker = readFileSync(new URL("./worker.mjs", import.meta.url), "utf8").trim();\nconst name: string = data.name;\nconsole.log(`${greet(name)} ${worker}`);\n');
  write(root, "services/hello/src/data.json", '{ "name": "瞭望" }\n');
  write(root, "services/hello/src/worker.mjs", "// worker\n");
  // a member whose src/ has nothing to compile yet still gets a (stamped) dist
  mkdirSync(join(root, "packages/empty/src"), { recursive: true });
  mkdirSync(join(root, "services/hello/node_modules/@mini"), { recursive: true });
  symlinkSync(join(root, "packages/greet"), join(root, "services/hello/node_modules/@mini/greet"));
  return root;
}

async function runHello(root: string): Promise<string> {
  const { stdout } = await run(process.execPath, serviceArgv("services/hello/src/main.ts", { root, nodeFlags: [], env: {} }), { cwd: root });
  return stdout.trim();
}

describe("ensureBuilt on a workspace laid out like this one", () => {
  it("compiles every member to dist/ beside src/, runnable by plain Node with the dist condition", async () => {
    const root = miniWorkspace();
    const first = ensureBuilt({ root });
    expect(first.built).toEqual([
      { member: "packages/empty", reason: "not built" },
      { member: "packages/greet", reason: "not built" },
      { member: "services/hello", reason: "not built" },
    ]);
    expect(await runHello(root)).toBe("hello 瞭望 // worker");
    // tests stay out of dist; every compiled file carries its source map
    expect(existsSync(join(root, "packages/greet/dist/greet.test.js"))).toBe(false);
    expect(readFileSync(join(root, "packages/greet/dist/greet.js"), "utf8")).toContain("//# sourceMappingURL=greet.js.map");
    expect(ensureBuilt({ root }).built).toEqual([]);
  });

  it("with LIAOWANG_SOURCE_MAPS=on, a stack trace names the TypeScript file and line", async () => {
    const root = miniWorkspace();
    write(root, "packages/greet/src/greet.ts", 'export function greet(name: string): string {\n  if (name) {\n    throw new Error("no greeting today");\n  }\n  return "";\n}\n');
    ensureBuilt({ root });
    const argv = (sourceMaps: string) => serviceArgv("services/hello/src/main.ts", { root, nodeFlags: [], env: { LIAOWANG_SOURCE_MAPS: sourceMaps } });
    const stderr = (sourceMaps: string) => run(process.execPath, argv(sourceMaps), { cwd: root }).then(() => "", (error: { stderr: string }) => error.stderr);
    expect(await stderr("on")).toContain(`${join(root, "packages/greet/src/greet.ts")}:3:`);
    expect(await stderr("off")).toContain(`${join(root, "packages/greet/dist/greet.js")}:`);
  });

  it("rebuilds only the member whose sources changed, and drops the output of a deleted source", async () => {
    const root = miniWorkspace();
    ensureBuilt({ root });
    write(root, "packages/greet/src/greet.ts", 'export function greet(name: string): string {\n  return `你好 ${name}`;\n}\n');
    unlinkSync(join(root, "packages/greet/src/types.ts"));
    expect(ensureBuilt({ root }).built).toEqual([{ member: "packages/greet", reason: "sources changed" }]);
    expect(await runHello(root)).toBe("你好 瞭望 // worker");
    expect(existsSync(join(root, "packages/greet/dist/types.js"))).toBe(false);
    // a copied (not compiled) file counts as a source too
    write(root, "services/hello/src/worker.mjs", "// worker 2\n");
    expect(ensureBuilt({ root }).built).toEqual([{ member: "services/hello", reason: "sources changed" }]);
    expect(await runHello(root)).toBe("你好 瞭望 // worker 2");
  });

  it("fails on a source that does not compile and keeps the last good dist", async () => {
    const root = miniWorkspace();
    ensureBuilt({ root });
    write(root, "packages/greet/src/greet.ts", "export function greet(name: string {\n");
    expect(() => ensureBuilt({ root })).toThrow(/Expected/);
    expect(await runHello(root)).toBe("hello 瞭望 // worker");
    // nothing of the failed attempt is left beside dist/, and it is still stale, so the next run tries again
    expect(readdirSync(join(root, "packages/greet")).sort()).toEqual(["dist", "package.json", "src"]);
    expect(() => ensureBuilt({ root })).toThrow(/Expected/);
  });
});

describe("this repository's packages", () => {
  it("each export names its compiled file under the dist condition and its source otherwise", () => {
    // A package added with a bare "./src/index.ts" export would make every compiled service that imports it fail
    // to start (Node cannot load .ts files): the condition must be there, pointing at the same file under dist/.
    for (const dir of workspaceMembers()) {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; exports?: Record<string, unknown> };
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        const where = `${pkg.name} exports["${subpath}"]`;
        expect(typeof target, where).toBe("object");
        const { [DIST_CONDITION]: dist, default: source } = target as Record<string, string>;
        expect(Object.keys(target as object), where).toEqual([DIST_CONDITION, "default"]);
        expect(dist, where).toBe(compiledPath(source!));
      }
    }
  });
});

describe("this repository's services, compiled", () => {
  const services = readdirSync(join(workspaceRoot, "services")).filter((name) => existsSync(join(workspaceRoot, "services", name, "src/main.ts")));

  it("load their whole module graph under plain Node from dist/ (a bad setting then stops them with its message)", async () => {
    ensureBuilt();
    expect(services.length).toBeGreaterThanOrEqual(7);
    const results = await Promise.all(
      services.map(async (name) => {
        const argv = serviceArgv(`services/${name}/src/main.ts`, { nodeFlags: SERVICE_NODE_FLAGS, env: {} });
        // The index prefix is checked by every service's config, which main loads after every static import resolved.
        const env = { PATH: process.env.PATH ?? "", LIAOWANG_INDEX_PREFIX: "NOT VALID" };
        const out = await run(process.execPath, argv, { cwd: workspaceRoot, env, timeout: 60_000 }).then(
          (r) => ({ code: 0, text: r.stdout + r.stderr }),
          (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code, text: `${error.stdout ?? ""}${error.stderr ?? ""}` }),
        );
        return { name, ...out };
      }),
    );
    for (const r of results) {
      expect(r.text, r.name).toContain("LIAOWANG_INDEX_PREFIX = \\\"NOT VALID\\\"");
      expect(r.text, r.name).not.toMatch(/ERR_MODULE_NOT_FOUND|ERR_UNKNOWN_FILE_EXTENSION|SyntaxError/);
      expect(r.code, r.name).toBe(1);
    }
  });

  it("are run by docker-compose.yml with the same flags and compiled entry as by the launcher", () => {
    const compose = parseYaml(readFileSync(join(workspaceRoot, "docker-compose.yml"), "utf8")) as { services: Record<string, { command?: string[] }> };
    for (const name of services) {
      const command = compose.services[name]?.command;
      expect(command, name).toEqual(["node", ...serviceArgv(`services/${name}/src/main.ts`, { root: "", nodeFlags: SERVICE_NODE_FLAGS, env: {} })]);
    }
  });
});
