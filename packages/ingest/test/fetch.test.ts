import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "@liaowang/config";
import { FeedFetcher, fetchFeed, readFetched, SourceConfig } from "../src/index.js";

// The fetcher against a real local HTTP server: loopback is refused unless allow-listed, every redirect hop is
// re-checked, the checked address is the one connected to, and size and time are bounded.

const gb2312Feed = readFileSync(join(repoRoot, "test/fixtures/ingest/gb2312-feed.xml"));
let server: Server;
let base: string;
let hangs = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path === "/gb2312.xml") {
      res.writeHead(200, { "content-type": "text/xml; charset=gb2312" });
      res.end(gb2312Feed);
    } else if (path.startsWith("/redirect/")) {
      const to = decodeURIComponent(path.slice("/redirect/".length));
      res.writeHead(302, { location: to });
      res.end();
    } else if (path.startsWith("/loop/")) {
      const n = Number(path.slice("/loop/".length));
      res.writeHead(301, { location: `/loop/${n + 1}` });
      res.end();
    } else if (path === "/big-chunked") {
      res.writeHead(200, { "content-type": "application/xml" });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once("drain", pump);
        else res.end();
      };
      res.on("error", () => undefined);
      pump();
    } else if (path === "/big-declared") {
      res.writeHead(200, { "content-length": String(5 * 1024 * 1024) });
      res.end();
    } else if (path === "/hang") {
      hangs++;
      // never answers
    } else if (path === "/missing") {
      res.writeHead(404).end("not here");
    } else {
      res.writeHead(200, { "content-type": "application/rss+xml" });
      res.end(`<rss><channel><item><title>路径 ${path}</title></item></channel></rss>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("fetchFeed", () => {
  it("refuses loopback unless the host is allow-listed", async () => {
    await expect(fetchFeed(`${base}/a.xml`)).rejects.toThrow(/refusing to fetch http:\/\/127\.0\.0\.1:\d+\/a\.xml: 127\.0\.0\.1, a loopback address/);
    const fetched = await fetchFeed(`${base}/a.xml`, { allow: ["127.0.0.1"] });
    expect(fetched).toMatchObject({ status: 200, contentType: "application/rss+xml", url: `${base}/a.xml` });
    expect(fetched.bytes.toString()).toContain("路径 /a.xml");
  });

  it("refuses a name that resolves to an internal address, judged on every address it resolves to", async () => {
    const port = (server.address() as AddressInfo).port;
    const resolve = async (host: string) =>
      host === "mixed.example.test" ? [{ address: "223.5.5.5", family: 4 }, { address: "127.0.0.1", family: 4 }] : [{ address: "127.0.0.1", family: 4 }];
    await expect(fetchFeed(`http://rebind.example.test:${port}/x`, { resolve })).rejects.toThrow("rebind.example.test resolves to 127.0.0.1, a loopback address");
    await expect(fetchFeed(`http://mixed.example.test:${port}/x`, { resolve })).rejects.toThrow("mixed.example.test resolves to 127.0.0.1, a loopback address");
    // Allow-listed by name: the connection goes to the address our resolver returned (the checked one), not the system's.
    const fetched = await fetchFeed(`http://rebind.example.test:${port}/x`, { resolve, allow: ["rebind.example.test"] });
    expect(fetched.bytes.toString()).toContain("路径 /x");
  });

  // Issue 9 finding 6: [::127.0.0.1] (IPv4-compatible ::/96) passed the check as a "unicast" IPv6 address.
  it("refuses IPv6 literals and DNS answers that embed an IPv4 address", async () => {
    const port = (server.address() as AddressInfo).port;
    for (const [host, range] of [
      ["[::127.0.0.1]", "ipv4Compatible"],
      ["[::7f00:1]", "ipv4Compatible"],
      ["[::ffff:127.0.0.1]", "loopback"],
      ["[::ffff:0:127.0.0.1]", "rfc6145"],
      ["[64:ff9b::169.254.169.254]", "rfc6052"],
      ["[2002:7f00:1::1]", "6to4"],
    ]) {
      await expect(fetchFeed(`http://${host}:${port}/x`), host).rejects.toThrow(new RegExp(`refusing to fetch http://\\[[^\\]]+\\]:${port}/x: [0-9a-f:.]+, a ${range} address`));
    }
    const resolve = async () => [{ address: "::7f00:1", family: 6 }];
    await expect(fetchFeed(`http://compat.example.test:${port}/x`, { resolve })).rejects.toThrow("compat.example.test resolves to ::7f00:1, a ipv4Compatible address");
  });

  it("allow-lists internal ranges by CIDR", async () => {
    const port = (server.address() as AddressInfo).port;
    const resolve = async () => [{ address: "127.0.0.1", family: 4 }];
    expect((await fetchFeed(`http://intranet.example.test:${port}/cidr`, { resolve, allow: ["127.0.0.0/8"] })).status).toBe(200);
  });

  it("re-checks every redirect hop and follows at most three", async () => {
    const allow = ["127.0.0.1"];
    const fetched = await fetchFeed(`${base}/redirect/${encodeURIComponent("/final.xml")}`, { allow });
    expect(fetched.url).toBe(`${base}/final.xml`);
    await expect(fetchFeed(`${base}/redirect/${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`, { allow })).rejects.toThrow(
      `refusing to fetch http://169.254.169.254/latest/meta-data/ (redirected from ${base}/redirect/`,
    );
    await expect(fetchFeed(`${base}/redirect/${encodeURIComponent("file:///etc/passwd")}`, { allow })).rejects.toThrow("only http and https feed URLs are allowed");
    await expect(fetchFeed(`${base}/loop/0`, { allow })).rejects.toThrow(`${base}/loop/0: more than 3 redirects (last to /loop/4)`);
  });

  it("refuses other schemes and credentials in URLs", async () => {
    await expect(fetchFeed("ftp://ftp.example.cn/feed.xml")).rejects.toThrow("only http and https feed URLs are allowed");
    await expect(fetchFeed(`http://user:secret@127.0.0.1/`, { allow: ["127.0.0.1"] })).rejects.toThrow("credentials in feed URLs are not allowed");
  });

  it("bounds the body size while streaming and by Content-Length", async () => {
    const options = { allow: ["127.0.0.1"], maxBytes: 1024 * 1024 };
    await expect(fetchFeed(`${base}/big-chunked`, options)).rejects.toThrow("feed is more than the 1048576-byte limit; stopped reading");
    await expect(fetchFeed(`${base}/big-declared`, options)).rejects.toThrow("feed is 5242880 bytes, more than the 1048576-byte limit");
  });

  it("gives up on a server that does not answer, and reports HTTP errors", async () => {
    const started = Date.now();
    await expect(fetchFeed(`${base}/hang`, { allow: ["127.0.0.1"], timeoutMs: 500 })).rejects.toThrow(`${base}/hang: no complete answer within 500 ms`);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(hangs).toBe(1);
    await expect(fetchFeed(`${base}/missing`, { allow: ["127.0.0.1"] })).rejects.toThrow(expect.objectContaining({ code: "invalid_input", message: `${base}/missing answered HTTP 404` }));
  });
});

describe("GB2312 feed over HTTP", () => {
  it("comes out as exactly the right Chinese", async () => {
    const fetcher = new FeedFetcher({ allow: ["127.0.0.1"] });
    try {
      const source = SourceConfig.parse({ name: "xinghe-gov", kind: "rss", url: `${base}/gb2312.xml`, schedule: "*/5 * * * *" });
      const { units, charset } = await readFetched(source, await fetcher.fetch(source.url), new Date());
      expect(charset).toBe("gb18030 (header)");
      expect(units.map((u) => (u.ok ? [u.record.title, u.record.publishedAt] : u.reason))).toEqual([
        ["关于城东化工园区爆炸事故的情况通报", "2024-05-01T02:15:00.000Z"],
        ["市人社局集中处理农民工工资拖欠问题", "2024-05-01T07:20:00.000Z"],
        ["食品药品安全抽检结果公告（２０２４年第５期）", "2024-05-01T08:40:00.000Z"],
      ]);
      expect(units[1]).toMatchObject({ record: { text: "针对群众反映的工资拖欠问题，市人社局会同住建部门开展专项检查，已为２１０名农民工追回工资３８６万元。" } });
    } finally {
      await fetcher.close();
    }
  });
});
