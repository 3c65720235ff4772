import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made = new Set<string>();

/**
 * A fresh directory under the temp dir, removed after the test file (by the `temp-cleanup` setup file every vitest
 * project loads), so test runs leave nothing behind in /tmp.
 * @example const dir = tempDir("liaowang-flow-");
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Remove every directory {@link tempDir} made so far (in this test file's worker). */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
