import { describe, expect, it } from "vitest";
import { coverDepth, route } from "./routing.js";
import { resolveRecipients } from "./recipients.js";
import { openAlert } from "./lifecycle.js";
import { sampleIncident, testConfig } from "./testing/fixtures.js";

const config = testConfig();

describe("route", () => {
  it("sends a local incident to the most local competent department", () => {
    const r = route(sampleIncident(), config.departments);
    expect(r.department).toBe("kunshan-emergency");
    expect(r.reason).toContain("安全生产");
  });

  it("sends an incident spanning several localities to the higher-level department covering all of them", () => {
    const r = route(
      sampleIncident({ regions: [{ code: "320583", name: "昆山市", level: "county" }, { code: "320506", name: "吴中区", level: "county" }] }),
      config.departments,
    );
    expect(r.department).toBe("emergency");
  });

  it("routes by keywords in the title when topics are missing", () => {
    const r = route({ title: "某学校食堂学生集体腹泻", level: "IV", topics: [], keywords: [], regions: [] }, config.departments);
    expect(r.department).toBe("education");
    expect(r.coDepartments).toEqual([]);
  });

  it("falls back to the default department when nothing matches or no competent department covers the place", () => {
    expect(route({ title: "网传某地出现异象", level: null, topics: [], keywords: [], regions: [] }, config.departments).department).toBe("gov-office");
    const elsewhere = route(sampleIncident({ regions: [{ code: "110105", name: "朝阳区", level: "county" }] }), config.departments);
    expect(elsewhere.department).toBe("gov-office");
  });

  it("co-notifies 宣传、网信、公安、通信管理 for I and II only", () => {
    expect(route(sampleIncident({ level: "I" }), config.departments).coDepartments).toEqual(["propaganda", "cyberspace", "police", "telecom"]);
    expect(route(sampleIncident({ level: "III" }), config.departments).coDepartments).toEqual([]);
  });

  it("matches jurisdictions by code prefix and by name", () => {
    expect(coverDepth("320500", { code: "320583", name: "昆山市" })).toBe(2);
    expect(coverDepth("320583", { code: "320500", name: "苏州市" })).toBe(0);
    expect(coverDepth("江苏省", { name: "昆山市", province: "江苏省" })).toBe(1);
    expect(coverDepth("昆山市", { name: "昆山市", level: "county" })).toBe(3);
  });
});

describe("resolveRecipients", () => {
  it("expands groups to targets and roles to each person's SMS and email, once each", () => {
    const { alert } = openAlert(sampleIncident({ level: "I" }), config, Date.parse("2024-05-01T02:10:00Z"));
    const recipients = resolveRecipients(
      [
        { department: "responsible", audience: "group" },
        { department: "co", audience: "group" },
        { department: "parent", audience: "head" },
        { department: "parent", audience: "head" },
      ],
      alert,
      config.departments,
    );
    expect(recipients.map((r) => (r.via.type === "target" ? r.via.targetId : `${r.via.personId}/${r.via.channel}`))).toEqual([
      "kunshan-dingtalk",
      "propaganda-wecom",
      "cac-dingtalk",
      "police-webhook",
      "telecom-email",
      "p-em-head/sms",
      "p-em-head/email",
    ]);
    expect(recipients.find((r) => r.via.type === "person")?.ackAs).toBe("p-em-head");
    expect(recipients[0]?.ackAs).toBe("dept:kunshan-emergency");
  });
});
