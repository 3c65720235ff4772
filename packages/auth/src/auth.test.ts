import { describe, expect, it } from "vitest";
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from "./password.js";
import { separationProblem } from "./roles.js";
import { newTotp, totpCode, verifyTotp } from "./totp.js";

describe("passwords", () => {
  it("hashes with scrypt and a random salt, and verifies only the right password", async () => {
    const a = await hashPassword("Zhang-San 2024!");
    const b = await hashPassword("Zhang-San 2024!");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("Zhang-San 2024!", a)).toBe(true);
    expect(await verifyPassword("zhang-San 2024!", a)).toBe(false);
    expect(await verifyPassword("anything", DUMMY_HASH)).toBe(false);
    expect(await verifyPassword("anything", "sha256:abc")).toBe(false);
  });

  it("refuses short, simple or name-containing passwords", () => {
    expect(passwordProblem("Short1!", "p1")).toMatch(/at least 12/);
    expect(passwordProblem("alllowercaseletters", "p1")).toMatch(/three of/);
    expect(passwordProblem("p-duty-1 Secret 99", "p-duty-1")).toMatch(/user name/);
    expect(passwordProblem("Correct-Horse-9", "p1")).toBeUndefined();
  });
});

describe("三员分立", () => {
  it("lets no account hold two administrator roles, or an administrator role with a business role", () => {
    expect(separationProblem(["sys_admin", "sec_admin", "audit_admin"])).toMatch(/三员分立/);
    expect(separationProblem(["sec_admin", "audit_admin"])).toMatch(/at most one/);
    expect(separationProblem(["audit_admin", "duty_officer"])).toMatch(/no other role/);
    expect(separationProblem(["dept_head"])).toMatch(/department/);
    expect(separationProblem(["sec_admin"])).toBeUndefined();
    expect(separationProblem(["duty_officer", "analyst"])).toBeUndefined();
  });
});

describe("TOTP", () => {
  it("accepts the current code and one step of drift, not older ones", () => {
    const { secret, uri } = newTotp("p-duty-1");
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    const now = Date.parse("2026-12-01T08:00:00Z");
    expect(verifyTotp(secret, totpCode(secret, now), now)).toBe(true);
    expect(verifyTotp(secret, totpCode(secret, now - 30_000), now)).toBe(true);
    expect(verifyTotp(secret, totpCode(secret, now - 120_000), now)).toBe(false);
    expect(verifyTotp(secret, "12345", now)).toBe(false);
  });
});
