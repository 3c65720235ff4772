export { Segmenter, createSegmenter } from "./segmenter.js";
export type { ReloadResult, SegmenterOptions } from "./segmenter.js";
export { watchDictionaries } from "./watch.js";
export type { ReloadableDictionaries, WatchOptions } from "./watch.js";
export type { Keyword, KeywordOptions } from "./keywords.js";
export { parseStopWords, parseUserDict } from "./dictionary.js";
export type { UserWord } from "./dictionary.js";
export { indexForm, isNumber, isPunctuation, normalizeWidth } from "./text.js";
export { mergeAsciiRuns } from "./ascii-runs.js";
