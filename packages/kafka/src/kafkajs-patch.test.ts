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
