import { unwatchFile, watchFile } from "node:fs";
import type { Stats } from "node:fs";
import type { ReloadResult } from "./segmenter.js";

/** What {@link watchDictionaries} needs of a segmenter. */
export interface ReloadableDictionaries {
  readonly userDictPath: string;
  readonly stopWordsPath: string;
  reload(): ReloadResult;
}

/** Options of {@link watchFiles} and {@link watchDictionaries}. */
export interface WatchOptions<R = ReloadResult> {
  /** Polling interval; polling (not inotify) also sees editors that replace the file by rename. Default 2000 ms. */
  intervalMs?: number;
  /** Called after each reload attempt that succeeded. */
  onReload?: (result: R) => void;
  /** Called when a changed file does not load (what was loaded before stays in force). */
  onError?: (error: unknown) => void;
}

/**
 * Call `reload` whenever one of `paths` changes on disk (also when it appears or disappears); returns a function that
 * stops watching. The watch does not keep the process alive.
 * @example const stop = watchFiles(analyzer.paths, () => analyzer.reload(), { onError: (e) => log.error({ err: e }) });
 */
export function watchFiles<R>(paths: readonly string[], reload: () => R, options: WatchOptions<R> = {}): () => void {
  const listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    try {
      options.onReload?.(reload());
    } catch (error) {
      options.onError?.(error);
    }
  };
  const unique = [...new Set(paths)];
  for (const path of unique) watchFile(path, { interval: options.intervalMs ?? 2000, persistent: false }, listener);
  return () => {
    for (const path of unique) unwatchFile(path, listener);
  };
}

/**
 * Reload the segmenter whenever its user dictionary or stop-word file changes on disk; returns a function that
 * stops watching. The watch does not keep the process alive.
 * @example const stop = watchDictionaries(seg, { onReload: (r) => log.info(r, "dictionaries reloaded") });
 */
export function watchDictionaries(segmenter: ReloadableDictionaries, options: WatchOptions = {}): () => void {
  return watchFiles([segmenter.userDictPath, segmenter.stopWordsPath], () => segmenter.reload(), options);
}
