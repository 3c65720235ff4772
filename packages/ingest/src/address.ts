import ipaddr from "ipaddr.js";

/** Whether an address may be fetched from, and the named range that decided it. */
export interface AddressVerdict {
  readonly public: boolean;
  /** ipaddr.js range name: "unicast" for public addresses, else e.g. "private", "loopback", "linkLocal". */
  readonly range: string;
}

/**
 * Classify an IP address: only global unicast is public. Loopback, private (RFC 1918), carrier-grade NAT
 * (100.64/10, where Alibaba Cloud's metadata service 100.100.100.200 lives), link-local (169.254/16: the
 * AWS/GCP/Azure metadata service), unique-local fc00::/7 (AWS's IPv6 metadata fd00:ec2::254), multicast,
 * reserved and unspecified addresses are not. IPv4-mapped IPv6 (::ffff:0:0/96, e.g. ::ffff:10.0.0.1) is judged as
 * the IPv4 it carries; the other IPv4-embedding IPv6 ranges are refused outright, since they can reach an internal
 * IPv4 address indirectly: IPv4-compatible ::/96 ([::127.0.0.1]), IPv4-translated ::ffff:0:0:0/96, NAT64
 * 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16 and Teredo 2001::/32.
 * @example classifyAddress("169.254.169.254") // { public: false, range: "linkLocal" }
 */
export function classifyAddress(text: string): AddressVerdict {
  if (!ipaddr.isValid(text)) return { public: false, range: "invalid" };
  const address = canonical(text);
  const raw = ipaddr.parse(address);
  // ::/96 "IPv4-compatible" addresses (deprecated, RFC 4291 §2.5.5.1) embed an IPv4 address that some stacks
  // reach: [::127.0.0.1] is ::7f00:1, which ipaddr.js calls "unicast". Never a feed host: refused outright.
  if (raw instanceof ipaddr.IPv6 && raw.match(IPV4_COMPATIBLE) && raw.range() !== "loopback" && raw.range() !== "unspecified") {
    return { public: false, range: "ipv4Compatible" };
  }
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return { public: range === "unicast", range };
}

const IPV4_COMPATIBLE = ipaddr.parseCIDR("::/96");

// ipaddr.js reads a trailing dotted quad as IPv4-mapped ("::127.0.0.1" → ::ffff:7f00:1), which hides the
// IPv4-compatible form; the WHATWG URL parser (what undici connects by) reads it right ("::7f00:1").
function canonical(address: string): string {
  if (!address.includes(":") || !address.includes(".")) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}

/** True when the text is an IPv4 or IPv6 literal (IPv6 with or without URL brackets). */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(unbracket(host));
}

/** A URL hostname without IPv6 brackets, lower-cased. */
export function unbracket(host: string): string {
  return host.replace(/^\[|\]$/g, "").toLowerCase();
}

/**
 * An admin allow-list of internal feed hosts: exact host names or IP literals (matched against the URL's
 * host) and CIDR ranges (matched against the resolved address).
 * @example const allow = new AllowList(["intranet.gov.local", "10.20.0.0/16"]); allow.permitsHost("intranet.gov.local")
 */
export class AllowList {
  readonly #hosts = new Set<string>();
  readonly #ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  constructor(entries: readonly string[] = []) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (entry === "") continue;
      if (entry.includes("/")) {
        try {
          this.#ranges.push(ipaddr.parseCIDR(entry));
        } catch {
          throw new RangeError(`allow-list entry "${raw}" is not a valid CIDR range (e.g. 10.20.0.0/16)`);
        }
      } else {
        this.#hosts.add(unbracket(entry));
      }
    }
  }

  /** True when the URL's host itself is allow-listed (any address it resolves to is then accepted). */
  permitsHost(host: string): boolean {
    return this.#hosts.has(unbracket(host));
  }

  /** True when a resolved address falls in an allow-listed range. */
  permitsAddress(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(canonical(address));
    return this.#ranges.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
  }

  /** The allow-listed entries, for logs and error messages. */
  get size(): number {
    return this.#hosts.size + this.#ranges.length;
  }
}
