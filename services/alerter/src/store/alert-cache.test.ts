import { describe, expect, it } from "vitest";
import { AlertCache, newerVersion } from "./alert-cache.js";

const doc = (value: string, version: string) => ({ value, version });

describe("newerVersion", () => {
  it("orders by primary term first, then seq_no", () => {
    expect(newerVersion("5:1", "4:1")).toBe(true);
    expect(newerVersion("4:1", "5:1")).toBe(false);
    expect(newerVersion("4:1", "4:1")).toBe(false);
    expect(newerVersion("1:2", "9:1")).toBe(true);
    expect(newerVersion("9:1", "1:2")).toBe(false);
  });
});

describe("AlertCache", () => {
  it("answers what it was told, counts hits and misses, and knows nothing of other ids", () => {
    const cache = new AlertCache<string>({ alerts: 10, absent: 10 });
    cache.remember("a", doc("A", "1:1"));
    cache.remember("b", undefined);
    expect(cache.recall("a")).toEqual({ known: true, doc: doc("A", "1:1") });
    expect(cache.recall("b")).toEqual({ known: true, doc: undefined });
    expect(cache.recall("c")).toEqual({ known: false });
    expect(cache.stats).toEqual({ hits: 2, misses: 1 });
  });

  it("keeps the later version of a document when an older read arrives after a newer write", () => {
    const cache = new AlertCache<string>({ alerts: 10, absent: 10 });
    cache.remember("a", doc("written", "7:1"));
    cache.remember("a", doc("searched before the write", "6:1"));
    expect(cache.recall("a")).toEqual({ known: true, doc: doc("written", "7:1") });
    cache.remember("a", doc("another writer", "8:1"));
    expect(cache.recall("a")).toEqual({ known: true, doc: doc("another writer", "8:1") });
  });

  it("turns an absent id into a known document once written, and back when a read finds it gone", () => {
    const cache = new AlertCache<string>({ alerts: 10, absent: 10 });
    cache.remember("a", undefined);
    cache.remember("a", doc("A", "1:1"));
    expect(cache.recall("a")).toEqual({ known: true, doc: doc("A", "1:1") });
    cache.remember("a", undefined);
    expect(cache.recall("a")).toEqual({ known: true, doc: undefined });
    expect(cache.size).toEqual({ alerts: 0, absent: 1 });
  });

  it("forgets one id after a refused write, and everything after a rebalance", () => {
    const cache = new AlertCache<string>({ alerts: 10, absent: 10 });
    cache.remember("a", doc("A", "1:1"));
    cache.remember("b", undefined);
    cache.remember("c", doc("C", "2:1"));
    cache.forget("a");
    expect(cache.recall("a")).toEqual({ known: false });
    expect(cache.recall("c").known).toBe(true);
    cache.clear();
    expect(cache.recall("b")).toEqual({ known: false });
    expect(cache.recall("c")).toEqual({ known: false });
    expect(cache.size).toEqual({ alerts: 0, absent: 0 });
  });

  it("drops the least recently used beyond its bounds, each side on its own", () => {
    const cache = new AlertCache<string>({ alerts: 2, absent: 3 });
    cache.remember("a", doc("A", "1:1"));
    cache.remember("b", doc("B", "1:1"));
    expect(cache.recall("a").known).toBe(true); // a is now the most recently used
    cache.remember("c", doc("C", "1:1"));
    expect(cache.recall("b")).toEqual({ known: false });
    expect(cache.recall("a").known).toBe(true);
    expect(cache.recall("c").known).toBe(true);
    for (const id of ["x1", "x2", "x3", "x4"]) cache.remember(id, undefined);
    expect(cache.recall("x1")).toEqual({ known: false });
    expect(cache.recall("x4")).toEqual({ known: true, doc: undefined });
    expect(cache.size).toEqual({ alerts: 2, absent: 3 });
  });
});
