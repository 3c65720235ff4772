import { describe, expect, it } from "vitest";
import { TransitionBody } from "./http.js";

describe("TransitionBody", () => {
  it("needs an actor, and a reason to dismiss", () => {
    expect(TransitionBody.safeParse({ action: "acknowledge", actor: "p1" }).success).toBe(true);
    expect(TransitionBody.safeParse({ action: "acknowledge" }).success).toBe(false);
    expect(TransitionBody.safeParse({ action: "dismiss", actor: "p1" }).success).toBe(false);
    expect(TransitionBody.safeParse({ action: "record_milestone", actor: "p1", kind: "press_conference", at: "2024-05-01T08:00:00+08:00", link: "https://gov.example/live" }).success).toBe(true);
    expect(TransitionBody.safeParse({ action: "teleport", actor: "p1" }).success).toBe(false);
  });
});
