import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ES_VERSION, KAFKA_VERSION, type StackLayout } from "./layout.js";
import { requireJava, requireTool, runProgram } from "./tools.js";

interface MavenDependency {
  groupId: string;
  artifactId: string;
  version: string;
}

const KAFKA_DEPENDENCIES: MavenDependency[] = [
  { groupId: "org.apache.kafka", artifactId: "kafka_2.13", version: KAFKA_VERSION },
  // Kafka 3.9 logs through slf4j 1.7; without a binding the broker would log nothing
  { groupId: "org.slf4j", artifactId: "slf4j-reload4j", version: "1.7.36" },
];

const ES_DEPENDENCIES: MavenDependency[] = [
  { groupId: "org.elasticsearch", artifactId: "elasticsearch", version: ES_VERSION },
  { groupId: "org.elasticsearch.plugin", artifactId: "transport-netty4", version: ES_VERSION },
];

function pom(name: string, dependencies: MavenDependency[]): string {
  const deps = dependencies
    .map((d) => `    <dependency><groupId>${d.groupId}</groupId><artifactId>${d.artifactId}</artifactId><version>${d.version}</version></dependency>`)
    .join("\n");
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>liaowang.devstack</groupId>
  <artifactId>${name}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}
  </dependencies>
</project>
`;
}

/** Download one server's jars (and their runtime dependencies) into `<dir>/lib` with Maven, once. */
async function fetchJars(dir: string, name: string, dependencies: MavenDependency[], log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  const marker = join(dir, "lib", ".complete");
  if (existsSync(marker)) return;
  rmSync(join(dir, "lib"), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pom.xml"), pom(name, dependencies));
  log(`fetching ${dependencies.map((d) => `${d.artifactId}:${d.version}`).join(", ")} from Maven Central …`);
  const result = await runProgram("mvn", ["-q", "-B", "dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory=lib"], { cwd: dir, env });
  if (result.code !== 0) {
    const detail = (result.stdout + result.stderr).trim().split("\n").slice(-15).join("\n");
    throw new Error(`mvn could not fetch ${name} (exit ${result.code}):\n${detail}`);
  }
  writeFileSync(marker, new Date().toISOString());
}

function javaSources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".java"))
    .sort()
    .map((file) => join(dir, file));
}

/** Compile the embedded Elasticsearch launcher when its sources changed since the last compile. */
async function compileLauncher(layout: StackLayout, log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  const sources = javaSources(layout.launcherSources);
  const hash = createHash("sha256");
  for (const file of sources) hash.update(relative(layout.launcherSources, file)).update(readFileSync(file));
  const digest = hash.digest("hex");
  const classes = join(layout.artifacts.es, "classes");
  const stamp = join(classes, ".source-hash");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return;
  rmSync(classes, { recursive: true, force: true });
  mkdirSync(classes, { recursive: true });
  log("compiling the embedded Elasticsearch launcher …");
  const result = await runProgram("javac", ["-nowarn", "-encoding", "UTF-8", "-cp", join(layout.artifacts.es, "lib", "*"), "-d", classes, ...sources], { env });
  if (result.code !== 0) throw new Error(`javac failed on packages/devstack/java:\n${(result.stdout + result.stderr).trim()}`);
  writeFileSync(stamp, digest);
}

/**
 * Make sure Kafka and Elasticsearch are cached under the stack directory and the launcher is compiled.
 * Needs java, javac and mvn; a second call only checks the cache.
 */
export async function fetchArtifacts(layout: StackLayout, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await requireJava(env);
  const needsMaven = !existsSync(join(layout.artifacts.kafka, "lib", ".complete")) || !existsSync(join(layout.artifacts.es, "lib", ".complete"));
  if (needsMaven) await requireTool("mvn", "the dev stack fetches Kafka and Elasticsearch with Maven (Debian: apt-get install maven)", env);
  await requireTool("javac", "the dev stack compiles its Elasticsearch launcher (install a JDK, not only a JRE)", env);
  await fetchJars(layout.artifacts.kafka, "kafka", KAFKA_DEPENDENCIES, log, env);
  await fetchJars(layout.artifacts.es, "elasticsearch", ES_DEPENDENCIES, log, env);
  await compileLauncher(layout, log, env);
}
