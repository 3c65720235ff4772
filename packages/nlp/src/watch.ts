import { unwatchFile, watchFile } from "node:fs";
import type { Stats } from "node:fs";
import type { ReloadResult } from "./segmenter.js";

/** What {@link watchDictionaries} needs of a segmenter. */
export interface ReloadableDictionaries {
  readonly userDictPath: string;
  readonly stopWordsPath: string;
  reload(): ReloadResult;
}

/** Options of {@link watchDictionaries}. */
export interface WatchOptions {
  /** Polling interval; polling (not inotify) also sees editors that replace the file by rename. Default 2000 ms. */
  intervalMs?: number;
  /** Called after each reload attempt that succeeded. */
  onReload?: (result: ReloadResult) => void;
  /** Called when a changed file does not load (the previous dictionaries stay in force). */
  onError?: (error: unknown) => void;
}

/**
 * Reload the segmenter whenever its user dictionary or stop-word file changes on disk; returns a function that
 * stops watching. The watch does not keep the process alive.
 * @example const stop = watchDictionaries(seg, { onReload: (r) => log.info(r, "dictionaries reloaded") });
 */
export function watchDictionaries(segmenter: ReloadableDictionaries, options: WatchOptions = {}): () => void {
  const paths = [segmenter.userDictPath, segmenter.stopWordsPath];
  const listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    try {
      options.onReload?.(segmenter.reload());
    } catch (error) {
      options.onError?.(error);
    }
  };
  for (const path of paths) watchFile(path, { interval: options.intervalMs ?? 2000, persistent: false }, listener);
  return () => {
    for (const path of paths) unwatchFile(path, listener);
  };
}
