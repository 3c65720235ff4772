import { describe, expect, it } from "vitest";
import type { Incident } from "@liaowang/schemas";
import { postsOfIncident, recheckVerdict } from "./domain.js";

const post = (n: number, url?: string) => ({ docId: `d${n}`, source: "微博", ...(url ? { url } : {}), title: `帖子${n}`, snippet: "", publishedAt: "2024-05-01T00:00:00.000Z" });

describe("evidence domain", () => {
  it("names each post of an incident once: 首发, representative posts, statements, timeline", () => {
    const incident = {
      firstSource: post(1, "https://weibo.example/1"),
      representativeDocs: [post(1, "https://weibo.example/1"), post(2, "https://bbs.example/2")],
      statements: [{ kind: "通报", at: "2024-05-01T02:00:00.000Z", source: "应急管理局", url: "https://gov.example/3", docId: "d3", authority: true }],
      timeline: [{ at: "2024-05-01T00:00:00.000Z", kind: "first_post", text: "首发", docId: "d1" }, { at: "2024-05-01T01:00:00.000Z", kind: "post", text: "跟帖", docId: "d4", source: "论坛" }],
    } as unknown as Incident;
    expect(postsOfIncident(incident)).toEqual([
      { docId: "d1", url: "https://weibo.example/1", source: "微博", title: "帖子1" },
      { docId: "d2", url: "https://bbs.example/2", source: "微博", title: "帖子2" },
      { docId: "d3", url: "https://gov.example/3", source: "应急管理局", title: undefined },
      { docId: "d4", source: "论坛" },
    ]);
  });

  it("marks a post deleted on 404/410 or a removal page, never on a failure that says nothing about it", () => {
    expect(recheckVerdict({ status: 404 })).toEqual({ kind: "deleted", reason: "HTTP 404" });
    expect(recheckVerdict({ error: "x answered HTTP 410", status: 410 })).toEqual({ kind: "deleted", reason: "HTTP 410" });
    expect(recheckVerdict({ status: 200, text: "<p>抱歉，此微博已被作者删除。</p>" })).toEqual({ kind: "deleted", reason: "页面显示“此微博已被作者删除”" });
    expect(recheckVerdict({ status: 200, text: "<p>化工厂爆炸</p>" })).toEqual({ kind: "present" });
    expect(recheckVerdict({ error: "timeout", status: 503 })).toEqual({ kind: "unreachable", reason: "timeout" });
    expect(recheckVerdict({ error: "ECONNREFUSED" })).toEqual({ kind: "unreachable", reason: "ECONNREFUSED" });
  });
});
