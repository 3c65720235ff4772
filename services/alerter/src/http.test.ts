import { describe, expect, it } from "vitest";
import { isLinkScanner, TransitionBody } from "./http.js";

describe("isLinkScanner", () => {
  it("recognises link previews and mail scanners but not people in chat apps' browsers", () => {
    for (const ua of ["Slackbot-LinkExpanding 1.0", "TelegramBot (like TwitterBot)", "facebookexternalhit/1.1", "Mozilla/5.0 (compatible; BingPreview/1.0b)", "Barracuda Sentinel"]) {
      expect(isLinkScanner(ua)).toBe(true);
    }
    for (const ua of [undefined, "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 wxwork/4.1.0 MicroMessenger/7.0.1", "Mozilla/5.0 (Linux; Android 13) DingTalk/7.0.40", "curl/8.5.0"]) {
      expect(isLinkScanner(ua)).toBe(false);
    }
  });
});

describe("TransitionBody", () => {
  it("needs an actor, and a reason to dismiss", () => {
    expect(TransitionBody.safeParse({ action: "acknowledge", actor: "p1" }).success).toBe(true);
    expect(TransitionBody.safeParse({ action: "acknowledge" }).success).toBe(false);
    expect(TransitionBody.safeParse({ action: "dismiss", actor: "p1" }).success).toBe(false);
    expect(TransitionBody.safeParse({ action: "record_milestone", actor: "p1", kind: "press_conference", at: "2024-05-01T08:00:00+08:00", link: "https://gov.example/live" }).success).toBe(true);
    expect(TransitionBody.safeParse({ action: "teleport", actor: "p1" }).success).toBe(false);
  });
});
