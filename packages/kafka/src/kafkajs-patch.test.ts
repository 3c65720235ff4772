import { createRequire } from "node:module";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";

// The record encoding and decoding of patched kafkajs (patches/kafkajs@2.2.4.patch) compute small varlongs, offsets
// and timestamps on numbers instead of BigInt Longs: the bytes and the decoded records must be what upstream's Long
// arithmetic gives (which stays in place for Longs and for values too large for the shortcut).

const kafkajs = createRequire(dirname(createRequire(import.meta.url).resolve("kafkajs")) + "/");
interface Long {
  value: bigint;
}
const Long = kafkajs("./src/utils/long.js") as { fromValue(v: unknown): Long };
interface EncoderInstance {
  writeVarLong(v: unknown): EncoderInstance;
  writeVarInt(v: number): EncoderInstance;
  buffer: Buffer;
}
const Encoder = kafkajs("./src/protocol/encoder.js") as { new (): EncoderInstance; sizeOfVarLong(v: unknown): number };
const Decoder = kafkajs("./src/protocol/decoder.js") as new (b: Buffer) => { readSmallVarLong(): number | Long; readVarIntBytes(): Buffer; offset: number };
const Record = kafkajs("./src/protocol/recordBatch/record/v0/index.js") as (r: object) => EncoderInstance;
const RecordDecoder = kafkajs("./src/protocol/recordBatch/record/v0/decoder.js") as (d: unknown, ctx: object) => { offset: string; timestamp: string; key: Buffer; value: Buffer; headers: Record<string, Buffer> };

const values = [0, 1, -1, 2, -2, 63, -64, 64, 127, 128, 300, -300, 8_191, 8_192, 2 ** 20, -(2 ** 20), 2 ** 27 - 1, -(2 ** 27), 2 ** 27, 2 ** 29, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, 2 ** 31, 2 ** 40, -(2 ** 45), Number.MAX_SAFE_INTEGER];

describe("patched kafkajs: varlongs, offsets and timestamps without BigInt", () => {
  it("writes a number's varlong as upstream writes the same value as a Long, and reads it back", () => {
    for (const v of values) {
      const fast = new Encoder().writeVarLong(v).buffer;
      const slow = new Encoder().writeVarLong(Long.fromValue(v)).buffer;
      expect(fast.toString("hex"), String(v)).toBe(slow.toString("hex"));
      expect(Encoder.sizeOfVarLong(v), String(v)).toBe(slow.length);
      const decoder = new Decoder(Buffer.concat([fast, Buffer.from([0x7f])]));
      const read = decoder.readSmallVarLong();
      expect(typeof read === "number" ? BigInt(read) : read.value, String(v)).toBe(BigInt(v));
      expect(decoder.offset).toBe(fast.length);
    }
  });

  it("decodes a record's offset and timestamp as the batch's first ones plus its deltas, also past 2^53", () => {
    const value = Buffer.from(JSON.stringify({ text: "湖南省长沙市" }));
    for (const [firstOffset, firstTimestamp, offsetDelta, timestampDelta] of [
      ["0", "1796318182304", 0, 0],
      ["123456", "1796318182304", 499, 3],
      ["999999999999999", "-1", 7, -5],
      ["9223372036854775000", "9007199254740993", 700, 2 ** 29],
    ] as const) {
      const encoded = Record({ offsetDelta, timestampDelta, key: "place:湖南省", value, headers: { "liaowang-schema-version": "1" } }).buffer;
      const record = RecordDecoder(new Decoder(new Decoder(encoded).readVarIntBytes()), { firstOffset, firstTimestamp, magicByte: 2 });
      expect(record.offset).toBe((BigInt(firstOffset) + BigInt(offsetDelta)).toString());
      expect(record.timestamp).toBe((BigInt(firstTimestamp) + BigInt(timestampDelta)).toString());
      expect(record.key.toString()).toBe("place:湖南省");
      expect(record.value.equals(value)).toBe(true);
      expect(record.headers["liaowang-schema-version"]?.toString()).toBe("1");
    }
  });
});

// The patched encoder appends pieces of 16 KiB or more (a record batch, a partition's or topic's data) by reference
// and the connection writes a request's pieces in one writev: the bytes on the wire must be exactly the Kafka
// protocol's, here written out field by field independently of kafkajs's encoders.
interface RopeEncoder {
  buffer: Buffer;
  size(): number;
  pieces(): Buffer[];
}
const createRequest = kafkajs("./src/protocol/request.js") as (r: object) => Promise<RopeEncoder>;
const produceProtocol = kafkajs("./src/protocol/requests/produce/index.js") as { protocol(v: { version: number }): (r: object) => { request: object } };
const jsCrc32C = kafkajs("./src/protocol/recordBatch/crc32C/crc32C.js") as (b: Buffer) => number;

/** A Kafka protocol writer for the reference encoding (big-endian fixed widths, zigzag varints). */
class Wire {
  parts: Buffer[] = [];
  int(bytes: 1 | 2 | 4, v: number): this {
    const b = Buffer.alloc(bytes);
    if (bytes === 1) b.writeInt8(v);
    else if (bytes === 2) b.writeInt16BE(v);
    else b.writeInt32BE(v);
    return this.raw(b);
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    return this.raw(b);
  }
  varint(v: number): this {
    let z = (BigInt(v) << 1n) ^ (BigInt(v) >> 63n);
    const out: number[] = [];
    while (z >= 0x80n) {
      out.push(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    out.push(Number(z));
    return this.raw(Buffer.from(out));
  }
  string(s: string | null): this {
    if (s === null) return this.int(2, -1);
    const b = Buffer.from(s);
    return this.int(2, b.length).raw(b);
  }
  varBytes(b: Buffer): this {
    return this.varint(b.length).raw(b);
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

interface TestMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: string;
}

function referenceRecordBatch(messages: TestMessage[], producerId: bigint, producerEpoch: number, firstSequence: number): Buffer {
  const first = Number(messages[0]!.timestamp);
  const records = messages.map((m, i) => {
    const headers = Object.entries(m.headers);
    const body = new Wire().int(1, 0).varint(Number(m.timestamp) - first).varint(i).varBytes(Buffer.from(m.key)).varBytes(m.value).varint(headers.length);
    for (const [k, v] of headers) body.varBytes(Buffer.from(k)).varBytes(Buffer.from(v));
    return new Wire().varint(body.bytes.length).raw(body.bytes).bytes;
  });
  const max = Math.max(...messages.map((m) => Number(m.timestamp)));
  const body = new Wire().int(2, 0).int(4, messages.length - 1).int64(BigInt(first)).int64(BigInt(max)).int64(producerId).int(2, producerEpoch).int(4, firstSequence).int(4, records.length);
  for (const r of records) body.raw(r);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(jsCrc32C(body.bytes));
  const batch = new Wire().int(4, 0).int(1, 2).raw(crc).raw(body.bytes).bytes;
  return new Wire().int64(0n).int(4, batch.length).raw(batch).bytes;
}

describe("patched kafkajs: produce requests with shared pieces", () => {
  it("encodes a produce request, small and large records, exactly as the protocol lays it out", async () => {
    const headers = { "liaowang-schema-version": "1" };
    const message = (i: number, bytes: number): TestMessage => ({
      key: `place:湖南省${i % 3}`,
      value: Buffer.from(JSON.stringify({ i, text: "湖南长沙浏阳一烟花厂爆炸".repeat(Math.ceil(bytes / 36)) }).slice(0, bytes)),
      headers,
      timestamp: String(1_796_318_182_304 + (i % 7) * 3),
    });
    // Partition 0: 300 records of ~1.5 KB (a batch of ~450 KB); 1: one record above the 16 KiB sharing bound among
    // small ones; 2: one small record. A second topic follows, so topic and partition arrays both have shared pieces.
    const topicData = [
      {
        topic: "t.enriched",
        partitions: [
          { partition: 0, firstSequence: 7, messages: Array.from({ length: 300 }, (_, i) => message(i, 1_500)) },
          { partition: 1, firstSequence: 0, messages: [message(1, 90), message(2, 40_000), message(3, 16_384)] },
          { partition: 2, firstSequence: 3, messages: [message(4, 10)] },
        ],
      },
      { topic: "t.raw", partitions: [{ partition: 1, firstSequence: 1, messages: Array.from({ length: 40 }, (_, i) => message(i, 700)) }] },
    ];
    const producerId = 4_242n;
    const { request } = produceProtocol.protocol({ version: 7 })({ acks: -1, timeout: 30_000, compression: 0, producerId: Long.fromValue(producerId), producerEpoch: 2, transactionalId: null, topicData });
    const encoded = await createRequest({ request, correlationId: 99, clientId: "liaowang-test" });

    const payload = new Wire().int(2, 0).int(2, 7).int(4, 99).string("liaowang-test").string(null).int(2, -1).int(4, 30_000).int(4, topicData.length);
    for (const t of topicData) {
      payload.string(t.topic).int(4, t.partitions.length);
      for (const p of t.partitions) {
        // The record set is length-prefixed bytes holding the batch (its offset, length, then the batch itself).
        const recordSet = referenceRecordBatch(p.messages, producerId, 2, p.firstSequence);
        payload.int(4, p.partition).int(4, recordSet.length).raw(recordSet);
      }
    }
    const expected = new Wire().int(4, payload.bytes.length).raw(payload.bytes).bytes;

    const pieces = encoded.pieces();
    expect(pieces.length).toBeGreaterThan(1);
    expect(encoded.size()).toBe(expected.length);
    expect(Buffer.concat(pieces).equals(expected)).toBe(true);
    // Joined on demand (once), the same bytes.
    expect(encoded.buffer.equals(expected)).toBe(true);
    expect(encoded.pieces()).toHaveLength(1);
  });
});

describe("patched kafkajs: record headers decoded in place", () => {
  const decode = (headers: Record<string, string | string[]>): Record<string, unknown> => {
    const encoded = Record({ offsetDelta: 0, timestampDelta: 0, key: "k", value: Buffer.from("v"), headers }).buffer;
    return RecordDecoder(new Decoder(new Decoder(encoded).readVarIntBytes()), { firstOffset: "0", firstTimestamp: "0", magicByte: 2 }).headers;
  };
  const text = (headers: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));

  it("gives each key its value, a repeated key its values in order, as upstream's object did", () => {
    expect(decode({})).toEqual({});
    expect(text(decode({ "liaowang-schema-version": "1" }))).toEqual({ "liaowang-schema-version": "1" });
    const many = decode({ a: ["1", "2", "3"], b: "x", c: ["only"] });
    expect(Object.keys(many)).toEqual(["a", "b", "c"]);
    expect(text(many)).toEqual({ a: ["1", "2", "3"], b: "x", c: "only" });
  });

  it("keeps a header named __proto__ as an own property (upstream's path), never as the object's prototype", () => {
    // JSON.parse makes "__proto__" an own key, as a header decoded from the wire is.
    const headers = decode(JSON.parse('{"__proto__":"evil","other":"ok"}') as Record<string, string>);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.keys(headers)).toEqual(["__proto__", "other"]);
    // (Upstream's own reading of it, kept as it was: the value joined to the inherited prototype in a list.)
    expect(String(([] as unknown[]).concat(Object.getOwnPropertyDescriptor(headers, "__proto__")?.value).at(-1))).toBe("evil");
    expect(String(headers.other)).toBe("ok");
  });
});
