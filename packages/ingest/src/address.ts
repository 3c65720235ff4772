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
 * reserved and unspecified addresses are not. IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 it
 * carries; the other IPv4-embedding IPv6 ranges (6to4, Teredo, NAT64) are refused outright, since they can
 * reach an internal IPv4 address indirectly.
 * @example classifyAddress("169.254.169.254") // { public: false, range: "linkLocal" }
 */
export function classifyAddress(address: string): AddressVerdict {
  if (!ipaddr.isValid(address)) return { public: false, range: "invalid" };
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return { public: range === "unicast", range };
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
    const parsed = ipaddr.process(address);
    return this.#ranges.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
  }

  /** The allow-listed entries, for logs and error messages. */
  get size(): number {
    return this.#hosts.size + this.#ranges.length;
  }
}
