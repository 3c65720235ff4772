import { describe, expect, it } from "vitest";
import { LiaowangError } from "@liaowang/errors";
import { newToken, tokenHash, UserDirectory, UsersFile, type UserEntry } from "./users.js";

function entry(id: string, token: string, extra: Partial<UserEntry> = {}): UserEntry {
  return { id, name: id, roles: ["duty_officer"], tokens: [tokenHash(token)], ...extra };
}

describe("tokenHash", () => {
  it("stores sha256 hex with a scheme prefix", () => {
    expect(tokenHash("abc")).toBe("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("issues distinct high-entropy tokens", () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(a);
  });
});

describe("UserDirectory", () => {
  it("authenticates by token and rejects unknown, empty and oversized ones", () => {
    const token = newToken();
    const users = new UserDirectory([entry("p1", token)]);
    expect(users.authenticate(token)?.id).toBe("p1");
    expect(users.authenticate(`${token}x`)).toBeUndefined();
    expect(users.authenticate("")).toBeUndefined();
    expect(users.authenticate("a".repeat(600))).toBeUndefined();
  });

  it("accepts every token of a user during a rotation", () => {
    const [a, b] = [newToken(), newToken()];
    const users = new UserDirectory([{ ...entry("p1", a), tokens: [tokenHash(a), tokenHash(b)] }]);
    expect(users.authenticate(b)?.id).toBe("p1");
    expect(users.size).toBe(1);
  });

  it("refuses duplicate users and shared tokens, naming them", () => {
    const token = newToken();
    expect(() => new UserDirectory([entry("p1", token), entry("p1", newToken())])).toThrow(/user "p1" is defined twice/);
    expect(() => new UserDirectory([entry("p1", token), entry("p2", token)])).toThrow(LiaowangError);
    expect(() => new UserDirectory([entry("p1", token), entry("p2", token)])).toThrow(/"p1" and "p2" share a token hash/);
  });
});

describe("UsersFile", () => {
  it("requires a department for a dept_head and hashed tokens", () => {
    const head = UsersFile.safeParse({ users: [{ id: "h", name: "负责人", roles: ["dept_head"], tokens: [tokenHash("t")] }] });
    expect(head.success).toBe(false);
    expect(head.error?.issues[0]?.path).toEqual(["users", 0, "department"]);
    const plain = UsersFile.safeParse({ users: [{ id: "p", name: "张三", roles: ["duty_officer"], tokens: ["my-plain-token"] }] });
    expect(plain.success).toBe(false);
    expect(plain.error?.issues[0]?.message).toMatch(/sha256/);
    const role = UsersFile.safeParse({ users: [{ id: "p", name: "张三", roles: ["superuser"], tokens: [tokenHash("t")] }] });
    expect(role.success).toBe(false);
  });

  it("reads an empty file as no users", () => {
    expect(UsersFile.parse({})).toEqual({ users: [] });
  });
});
