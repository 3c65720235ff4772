import { describe, expect, it } from "vitest";
import { AllowList, classifyAddress, isIpLiteral } from "./address.js";

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["100.100.100.200", "carrierGradeNat"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["::1", "loopback"],
    ["fe80::1", "linkLocal"],
    ["fd00:ec2::254", "uniqueLocal"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:127.0.0.1", "loopback"],
    ["2002:a00:1::", "6to4"],
    ["not-an-ip", "invalid"],
    // Issue 9 finding 6: IPv6 forms that embed an IPv4 address. ::/96 (IPv4-compatible) passed as "unicast".
    ["::127.0.0.1", "ipv4Compatible"],
    ["::7f00:1", "ipv4Compatible"],
    ["::a9fe:a9fe", "ipv4Compatible"],
    ["::8.8.8.8", "ipv4Compatible"],
    ["::ffff:169.254.169.254", "linkLocal"],
    ["::ffff:0:127.0.0.1", "rfc6145"],
    ["64:ff9b::127.0.0.1", "rfc6052"],
    ["64:ff9b::8.8.8.8", "rfc6052"],
    ["64:ff9b:1::a00:1", "rfc6052"],
    ["2002:7f00:1::", "6to4"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"],
  ])("refuses %s (%s)", (address, range) => {
    expect(classifyAddress(address)).toEqual({ public: false, range });
  });

  it.each(["114.114.114.114", "223.5.5.5", "2400:3200::1", "::ffff:8.8.8.8"])("accepts public %s", (address) => {
    expect(classifyAddress(address).public).toBe(true);
  });
});

describe("AllowList", () => {
  const allow = new AllowList(["Intranet.gov.local", "127.0.0.1", "10.20.0.0/16", "[::1]", ""]);

  it("matches hosts exactly (case-insensitive) and addresses by range", () => {
    expect(allow.permitsHost("intranet.gov.local")).toBe(true);
    expect(allow.permitsHost("other.gov.local")).toBe(false);
    expect(allow.permitsHost("127.0.0.1")).toBe(true);
    expect(allow.permitsHost("[::1]")).toBe(true);
    expect(allow.permitsAddress("10.20.3.4")).toBe(true);
    expect(allow.permitsAddress("10.21.3.4")).toBe(false);
    expect(allow.permitsAddress("::ffff:10.20.3.4")).toBe(true);
    expect(allow.size).toBe(4);
  });

  it("refuses a malformed range", () => {
    expect(() => new AllowList(["10.0.0.0/99"])).toThrow('allow-list entry "10.0.0.0/99" is not a valid CIDR range');
  });

  it("knows IP literals", () => {
    expect(isIpLiteral("[::1]")).toBe(true);
    expect(isIpLiteral("example.gov.cn")).toBe(false);
  });
});
