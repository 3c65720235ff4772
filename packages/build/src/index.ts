import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { buildSync, version as esbuildVersion } from "esbuild";

/**
 * Services run from JavaScript compiled file by file (no bundling: pnpm's per-package node_modules and nodejieba's
 * native addon stay where they are): each workspace member's `src/**` → `dist/**` beside it, same layout (so paths
 * relative to `import.meta.url` such as the api's `../public` still hold), with linked source maps. A member's
 * package.json maps each export to `dist/*.js` under the {@link DIST_CONDITION} condition and to `src/*.ts` otherwise,
 * so tsc, vitest and tsx keep reading the TypeScript sources while `node --conditions=liaowang-dist` reads dist.
 */
export const DIST_CONDITION = "liaowang-dist";

/** Bump when the compile options below change, so every dist built with the old ones counts as stale. */
const BUILD_FORMAT = 1;
/** The oldest Node the project supports (package.json engines): esbuild keeps what it runs, e.g. import attributes. */
const TARGET = "node20.19";
const STAMP = ".liaowang-build.json";

/** The repository root (this file is packages/build/src/index.ts). */
export const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** What a dist was built from: the member's source files' hash and how they were compiled. */
export interface BuildStamp {
  format: number;
  esbuild: string;
  /** sha256 over every source file's path and content, and the shared compiler options (tsconfig.base.json). */
  sources: string;
}

/** Why a member's dist must be rebuilt, or undefined when it is current. Pure: compares the recorded stamp with now. */
export function staleness(recorded: BuildStamp | undefined, current: BuildStamp): string | undefined {
  if (recorded === undefined) return "not built";
  if (recorded.format !== current.format || recorded.esbuild !== current.esbuild) return "built with other compile options";
  if (recorded.sources !== current.sources) return "sources changed";
  return undefined;
}

/** A workspace member's files: TypeScript to compile (tests and declarations left out) and other files to copy. */
export interface MemberSources {
  dir: string;
  compile: string[];
  copy: string[];
}

/** Every workspace member with a src/ (packages/*, services/*), as absolute directories. */
export function workspaceMembers(root = workspaceRoot): string[] {
  const members: string[] = [];
  for (const group of ["packages", "services"]) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(base, entry.name, "src"))) members.push(join(base, entry.name));
    }
  }
  return members.sort();
}

/** The files under a member's src/, relative to src/, sorted (so the hash does not depend on directory order). */
export function memberSources(dir: string): MemberSources {
  const compile: string[] = [];
  const copy: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, "src", sub), { withFileTypes: true })) {
      const rel = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (/\.test\.ts$|\.d\.ts$/.test(entry.name)) continue;
      else if (entry.name.endsWith(".ts")) compile.push(rel);
      else copy.push(rel);
    }
  };
  walk("");
  return { dir, compile: compile.sort(), copy: copy.sort() };
}

/** The stamp a member's dist must carry to be current (reads every source file: ~10 ms for the whole repository). */
export function currentStamp(sources: MemberSources, root = workspaceRoot): BuildStamp {
  const hash = createHash("sha256");
  const base = join(root, "tsconfig.base.json");
  if (existsSync(base)) hash.update(readFileSync(base));
  for (const rel of [...sources.compile, ...sources.copy]) {
    hash.update(`\0${rel}\0`);
    hash.update(readFileSync(join(sources.dir, "src", rel)));
  }
  return { format: BUILD_FORMAT, esbuild: esbuildVersion, sources: hash.digest("hex") };
}

function readStamp(dir: string): BuildStamp | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "dist", STAMP), "utf8")) as BuildStamp;
  } catch {
    return undefined;
  }
}

/** One member's stale dist: where, and why. */
export interface StaleMember {
  dir: string;
  reason: string;
  sources: MemberSources;
  stamp: BuildStamp;
}

/** The members whose dist is missing or older than their sources. */
export function staleMembers(root = workspaceRoot): StaleMember[] {
  const stale: StaleMember[] = [];
  for (const dir of workspaceMembers(root)) {
    const sources = memberSources(dir);
    const stamp = currentStamp(sources, root);
    const reason = staleness(readStamp(dir), stamp);
    if (reason !== undefined) stale.push({ dir, reason, sources, stamp });
  }
  return stale;
}

/**
 * Compile one member into a fresh directory, then swap it in for dist/ (a running service keeps the files it has
 * loaded; one starting meanwhile sees either the old or the new dist, never a half-written one). Two builds racing
 * compile the same sources to the same output, so whichever swap comes last wins harmlessly.
 */
function buildMember(member: StaleMember): void {
  const { dir, sources, stamp } = member;
  const tmp = join(dir, `.dist-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    mkdirSync(tmp, { recursive: true });
    if (sources.compile.length > 0) {
      const result = buildSync({
        entryPoints: sources.compile.map((rel) => join(dir, "src", rel)),
        outdir: tmp,
        outbase: join(dir, "src"),
        bundle: false,
        platform: "node",
        format: "esm",
        target: TARGET,
        // Stack traces name the .ts line under --enable-source-maps; the map points at src/ (no sources copied in).
        sourcemap: "linked",
        sourcesContent: false,
        logLevel: "silent",
      });
      if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.text).join("\n"));
    }
    for (const rel of sources.copy) {
      mkdirSync(dirname(join(tmp, rel)), { recursive: true });
      copyFileSync(join(dir, "src", rel), join(tmp, rel));
    }
    writeFileSync(join(tmp, STAMP), `${JSON.stringify(stamp)}\n`);
    const dist = join(dir, "dist");
    const old = `${tmp}-old`;
    try {
      renameSync(dist, old);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    try {
      renameSync(tmp, dist);
    } catch (error) {
      // another build swapped its dist in between our two renames: keep it if it is of these very sources
      if (staleness(readStamp(dir), stamp) !== undefined) throw error;
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** What {@link ensureBuilt} did. */
export interface BuildReport {
  /** Members rebuilt, relative to the root, with the reason. */
  built: { member: string; reason: string }[];
  ms: number;
}

/**
 * Rebuild every member whose dist is missing or stale; a no-op (just the hashing) when all are current. Throws with
 * esbuild's message on a syntax error.
 * @example const { built, ms } = ensureBuilt(); // before spawning services from dist
 */
export function ensureBuilt(options: { root?: string; log?: (line: string) => void } = {}): BuildReport {
  const root = options.root ?? workspaceRoot;
  const t0 = performance.now();
  const stale = staleMembers(root);
  for (const member of stale) buildMember(member);
  const report = { built: stale.map((m) => ({ member: relative(root, m.dir), reason: m.reason })), ms: performance.now() - t0 };
  if (report.built.length > 0) options.log?.(`built ${report.built.length} workspace member(s) into dist/ in ${Math.round(report.ms)} ms`);
  return report;
}

/**
 * The compiled file of a source entry: `services/x/src/main.ts` → `services/x/dist/main.js` (relative stays relative).
 * @example compiledPath("services/indexer/src/main.ts") // "services/indexer/dist/main.js"
 */
export function compiledPath(entry: string): string {
  const parts = entry.split(/(?=[\\/])|(?<=[\\/])/);
  const src = parts.lastIndexOf("src");
  if (src < 0 || src === parts.length - 1 || !entry.endsWith(".ts")) throw new Error(`${entry}: not a .ts file under a src/ directory`);
  parts[src] = "dist";
  return parts.join("").replace(/\.ts$/, ".js");
}

/**
 * How to run a service: from compiled JavaScript (the default) or, with LIAOWANG_SERVICE_RUNTIME=tsx, from the
 * TypeScript sources through tsx's loader (to compare the two: tsx's loader thread costs ~30 MB RSS per process).
 */
export type ServiceRuntime = "dist" | "tsx";

/** LIAOWANG_SERVICE_RUNTIME: "dist" (default) or "tsx"; anything else is an error naming the variable. */
export function serviceRuntime(env: NodeJS.ProcessEnv = process.env): ServiceRuntime {
  const value = env.LIAOWANG_SERVICE_RUNTIME || "dist";
  if (value !== "dist" && value !== "tsx") throw new Error(`LIAOWANG_SERVICE_RUNTIME = ${JSON.stringify(value)}: expected "dist" or "tsx"`);
  return value;
}

/** LIAOWANG_SOURCE_MAPS: "on" runs compiled services with --enable-source-maps (stack traces name .ts lines). */
export function sourceMapsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.LIAOWANG_SOURCE_MAPS || "off";
  if (value !== "on" && value !== "off") throw new Error(`LIAOWANG_SOURCE_MAPS = ${JSON.stringify(value)}: expected "on" or "off"`);
  return value === "on";
}

/**
 * Node's arguments after the executable for one service entry (`services/x/src/main.ts`, relative to `root`):
 * `nodeFlags` (the services' V8 flags and any extra), then the dist condition, --enable-source-maps when wanted, and
 * the compiled entry; or, with LIAOWANG_SERVICE_RUNTIME=tsx in `env`, tsx's loader and the source entry.
 * @example spawn(process.execPath, serviceArgv("services/indexer/src/main.ts", { nodeFlags: SERVICE_NODE_FLAGS }))
 */
export function serviceArgv(entry: string, options: { nodeFlags: readonly string[]; root?: string; env?: NodeJS.ProcessEnv }): string[] {
  const root = options.root ?? workspaceRoot;
  const env = options.env ?? process.env;
  if (serviceRuntime(env) === "tsx") return [...options.nodeFlags, "--import", "tsx", join(root, entry)];
  return [...options.nodeFlags, `--conditions=${DIST_CONDITION}`, ...(sourceMapsWanted(env) ? ["--enable-source-maps"] : []), join(root, compiledPath(entry))];
}
