import { fnv1a32 } from "./hash.js";

/**
 * Distinct sources of an incident in bounded space: the first `list` names seen plus a K-minimum-values sketch
 * of their hashes. The count is exact up to the sketch size and an unbiased estimate beyond it; sketches of two
 * incidents union exactly, which merging needs.
 */
export interface SourceSet {
  count: number;
  /** First distinct sources in arrival order (bounded). */
  list: string[];
  /** Smallest distinct 32-bit hashes seen, ascending (bounded). */
  sketch: number[];
}

/** An empty source set. */
export function emptySources(): SourceSet {
  return { count: 0, list: [], sketch: [] };
}

function countFromSketch(sketch: readonly number[], size: number): number {
  if (sketch.length < size) return sketch.length;
  const kth = sketch[size - 1] ?? 0xffffffff;
  return Math.max(size, Math.round(((size - 1) * 0x100000000) / (kth + 1)));
}

function insertSorted(sketch: number[], h: number, size: number): boolean {
  let lo = 0;
  let hi = sketch.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sketch[mid] ?? 0) < h) lo = mid + 1;
    else hi = mid;
  }
  if (sketch[lo] === h) return false;
  if (sketch.length >= size && lo >= size) return false;
  sketch.splice(lo, 0, h);
  if (sketch.length > size) sketch.length = size;
  return true;
}

/** Adds a source; returns the new set and whether it was (as far as the bounded state can tell) new. */
export function addSource(set: SourceSet, source: string, maxList: number, sketchSize: number): { set: SourceSet; isNew: boolean } {
  const h = fnv1a32(source);
  // A source seen before (the usual case) leaves the sketch as it is: no copy.
  // Copies by slice and concat are exact (a spread keeps room to grow: ~150 bytes held per open incident).
  let sketch = set.sketch.includes(h) ? set.sketch : set.sketch.slice();
  const inserted = sketch !== set.sketch && insertSorted(sketch, h, sketchSize);
  if (inserted) sketch = sketch.slice();
  const inList = set.list.includes(source);
  const list = !inList && set.list.length < maxList ? set.list.concat([source]) : set.list;
  const isNew = inserted || (!inList && list !== set.list);
  return { set: { count: countFromSketch(sketch, sketchSize), list, sketch }, isNew };
}

/** Union of two source sets (the first set's list order wins). */
export function unionSources(a: SourceSet, b: SourceSet, maxList: number, sketchSize: number): SourceSet {
  const sketch = [...new Set([...a.sketch, ...b.sketch])].sort((x, y) => x - y).slice(0, sketchSize);
  const list = [...a.list];
  for (const s of b.list) if (list.length < maxList && !list.includes(s)) list.push(s);
  return { count: countFromSketch(sketch, sketchSize), list, sketch };
}
