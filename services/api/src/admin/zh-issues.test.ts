import { describe, expect, it } from "vitest";
import { z } from "zod";
import { watchRulesSchema } from "@liaowang/detect";
import { SourcesFile } from "@liaowang/ingest";
import { fieldName, zhIssues } from "./zh-issues.js";

describe("Chinese validation messages for the admin screens", () => {
  it("names list items by their id and fields by Chinese name with the key", () => {
    const data = { rules: [{ id: "mine", must: ["煤矿", ""] }] };
    expect(fieldName(["rules", 0, "must", 1], data)).toBe("规则（rules） › 「mine」 › 必含词（must） › 第 2 项");
    expect(fieldName(["sources", 3], { sources: [] })).toBe("信源（sources） › 第 4 项");
  });

  it("translates the watch-rule schema's own messages and zod's by issue code", () => {
    const schema = z.object({ rules: watchRulesSchema });
    const fields = { rules: [{ id: "ok-rule", name: "", any: ["透水"], level: "V" }, { id: "long", name: "长词", must: ["a".repeat(40)] }] };
    const first = schema.safeParse(fields);
    const message = zhIssues("监测规则", first.success ? [] : first.error.issues, fields);
    expect(message).toMatch(/^监测规则有 3 处错误：/);
    expect(message).toContain("规则（rules） › 「ok-rule」 › 名称（name）：不能为空");
    expect(message).toContain("「ok-rule」 › 提示级别（level）：须为以下之一：I、II、III、IV");
    expect(message).toContain("「long」 › 必含词（must） › 第 1 项：词不能超过 32 个字");
    // the rule-level checks (run once every field is right)
    const rules = { rules: [{ id: "twice", name: "甲", any: ["透水"], minAny: 2 }, { id: "twice", name: "乙", must: ["煤矿"] }] };
    const second = schema.safeParse(rules);
    const checks = zhIssues("监测规则", second.success ? [] : second.error.issues, rules);
    expect(checks).toContain("「twice」：至少命中数 2 超过了任含词的个数 1");
    expect(checks).toContain("规则编号「twice」重复");
  });

  it("says which source field is missing or of the wrong kind", () => {
    const data = { sources: [{ name: "Bad Name", kind: "rss", schedule: "*/5 * * * *", enabled: "yes", extra: 1 }] };
    const result = SourcesFile.safeParse(data);
    const message = zhIssues("信源", result.success ? [] : result.error.issues, data);
    expect(message).toContain("信源（sources） › 「Bad Name」 › 名称（name）：须为小写英文字母、数字、. _ - 组成的编号");
    expect(message).toContain("地址（url）：必填，不能缺少");
    expect(message).toContain("启用（enabled）：须为是或否（true / false）");
    expect(message).toContain("不认识的字段：extra");
  });
});
