import { describe, expect, it } from "vitest";
import { refHref } from "./links.js";

describe("brief links", () => {
  it("opens alerts, documents and the exact search in the dashboard, relative or under the public address", () => {
    expect(refHref({ kind: "alert", alertId: "alert-inc-1", incidentId: "inc-1", label: "x" })).toBe("#/alert/alert-inc-1");
    expect(refHref({ kind: "document", docId: "ab12", label: "原文" }, "https://yq.example.gov.cn/")).toBe("https://yq.example.gov.cn/#/doc/ab12");
    expect(refHref({ kind: "search", label: "查看", query: { q: "工资", since: "2024-04-30T16:00:00.000Z", until: "2024-05-01T16:00:00.000Z" } })).toBe(
      "#/search?q=%E5%B7%A5%E8%B5%84&since=2024-04-30T16%3A00%3A00.000Z&until=2024-05-01T16%3A00%3A00.000Z",
    );
  });
});
