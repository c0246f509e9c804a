/**
 * The hand-written frame decoder against @smithy/eventstream-codec as the oracle: every eventstream
 * fixture, messages the codec encodes with every header type, random chunk splits, truncation, and a
 * seeded fuzz where the decoder must either throw FrameError or return exactly what the codec returns.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Int64 } from '@smithy/eventstream-codec';
import { createFrameDecoder } from '../../../../src/backends/bedrock/eventstream/frame-decoder.js';
import { codec, oracle, ours, reseal } from './frame-oracle-support.js';
import { FIXTURES, LOCAL_FIXTURES, prng, randomSplits } from '../../../support/response-harness.js';

const encode = (headers: Parameters<typeof codec.encode>[0]['headers'], body: string): Buffer =>
  Buffer.from(codec.encode({ headers, body: Buffer.from(body) }));

/** Messages with every header type, edge values included. */
function allTypes(): Buffer[] {
  const random = prng(7);
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const longs = [0, 1, -1, 2 ** 53 - 1, -(2 ** 53), 1_700_000_000_000, -123_456_789];
  return [
    encode({ t: { type: 'boolean', value: true }, f: { type: 'boolean', value: false } }, ''),
    encode({ b1: { type: 'byte', value: -128 }, b2: { type: 'byte', value: 127 }, b3: { type: 'byte', value: 0 } }, 'x'),
    encode({ s1: { type: 'short', value: -32768 }, s2: { type: 'short', value: 32767 }, s3: { type: 'short', value: -2 } }, '{}'),
    encode({ i1: { type: 'integer', value: -(2 ** 31) }, i2: { type: 'integer', value: 2 ** 31 - 1 }, i3: { type: 'integer', value: 42 } }, 'ints'),
    encode(Object.fromEntries(longs.map((n, i) => [`l${i}`, { type: 'long', value: Int64.fromNumber(n) }])), 'longs'),
    encode({ e: { type: 'binary', value: new Uint8Array(0) }, all: { type: 'binary', value: bytes } }, 'bin'),
    encode({
      ':event-type': { type: 'string', value: 'chunk' }, ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' }, empty: { type: 'string', value: '' },
      utf8: { type: 'string', value: 'héllo — 日本 🚀' }, 'nämé-ü': { type: 'string', value: 'x'.repeat(3000) },
    }, '{"bytes":"eyJ0eXBlIjoibWVzc2FnZV9zdG9wIn0="}'),
    encode({
      t0: { type: 'timestamp', value: new Date(0) }, t1: { type: 'timestamp', value: new Date(1_764_100_000_123) },
      t2: { type: 'timestamp', value: new Date(-86_400_000) },
    }, 'dates'),
    encode({
      u1: { type: 'uuid', value: '00000000-0000-0000-0000-000000000000' },
      u2: { type: 'uuid', value: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6' },
      u3: { type: 'uuid', value: Array.from({ length: 16 }, () => Math.floor(random() * 256).toString(16).padStart(2, '0')).join('').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-') },
    }, 'uuids'),
    encode({ dup: { type: 'string', value: 'a' }, '': { type: 'integer', value: 5 }, '7': { type: 'boolean', value: true } }, ''),
  ];
}

// The Bedrock captures shared with the emulator's tests, and Kong's recorded ConverseStream (this package's own).
const BIN_ROOTS = [FIXTURES, LOCAL_FIXTURES];

function binFixtures(): string[] {
  return BIN_ROOTS.flatMap((root) => (readdirSync(fileURLToPath(root), { recursive: true }) as string[]).filter((path) => path.endsWith('.bin'))).sort();
}

function fixture(path: string): Uint8Array {
  const root = BIN_ROOTS.find((candidate) => existsSync(new URL(path, candidate)))!;
  return new Uint8Array(readFileSync(new URL(path, root)));
}

describe('frame decoder vs @smithy/eventstream-codec', () => {
  const fixtures = binFixtures();

  it('finds the eventstream fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(9);
  });

  for (const path of fixtures) {
    it(`${path}: same headers and bodies as the codec, in any chunk split`, () => {
      const bytes = fixture(path);
      const expected = oracle(bytes);
      expect(expected.error).toBeUndefined();
      expect(expected.frames.length).toBeGreaterThan(0);
      expect(ours([bytes])).toEqual(expected);
      const random = prng(path.length * 31);
      for (let round = 0; round < 30; round++) expect(ours(randomSplits(bytes, random, 1 + Math.floor(random() * 40)))).toEqual(expected);
    });
  }

  it('every header type decodes as the codec decodes it', () => {
    const messages = allTypes();
    for (const message of messages) {
      const expected = oracle(message);
      expect(expected.frames).toHaveLength(1);
      expect(ours([message])).toEqual(expected);
    }
    const [frame] = ours([messages[4]!]).frames;
    expect(frame!.headers.map(([, v]) => v)).toEqual([0, 1, -1, 2 ** 53 - 1, -(2 ** 53), 1_700_000_000_000, -123_456_789]);
    expect(ours([messages[8]!]).frames[0]!.headers[1]).toEqual(['u2', 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6']);
    expect(ours([messages[6]!]).frames[0]!.headers[4]).toEqual(['utf8', 'héllo — 日本 🚀']);
  });

  it('longs and timestamps over the whole 64-bit range match the codec', () => {
    const random = prng(99);
    const template = encode({ l: { type: 'long', value: Int64.fromNumber(0) }, t: { type: 'timestamp', value: new Date(0) } }, 'b');
    const longAt = 12 + 1 + 1 + 1; // prelude, name length, name, type
    const timeAt = longAt + 8 + 1 + 1 + 1;
    for (let i = 0; i < 500; i++) {
      const message = Buffer.from(template);
      for (let b = 0; b < 8; b++) {
        message[longAt + b] = Math.floor(random() * 256);
        message[timeAt + b] = i % 2 ? Math.floor(random() * 256) : [0, 0, 1, 0x9a, 0xb3, 0x1c, 0x40, 0][b]!;
      }
      reseal(message);
      const expected = oracle(message);
      expect(expected.frames).toHaveLength(1);
      expect(ours([message])).toEqual(expected);
    }
  });

  it('a stream of every header type, in random splits, and the body is a view of the received bytes', () => {
    const stream = Buffer.concat(allTypes());
    const expected = oracle(stream);
    expect(expected.frames).toHaveLength(10);
    const random = prng(3);
    for (let round = 0; round < 200; round++) expect(ours(randomSplits(stream, random, 1 + Math.floor(random() * 60)))).toEqual(expected);
    const bodies: Buffer[] = [];
    createFrameDecoder().push(stream, (m) => void bodies.push(m.body));
    expect(bodies.every((body) => body.buffer === stream.buffer)).toBe(true);
  });

  it('input cut anywhere inside a frame is truncated at end(); on a boundary it is complete', () => {
    const messages = allTypes();
    const stream = Buffer.concat(messages);
    const boundaries = new Set<number>([0]);
    messages.reduce((at, m) => (boundaries.add(at + m.byteLength), at + m.byteLength), 0);
    for (let cut = 0; cut <= stream.byteLength; cut++) {
      const got = ours([stream.subarray(0, cut)]);
      const expected = oracle(stream.subarray(0, cut));
      expect(got).toEqual({ ...expected, ...(got.message ? { message: got.message } : {}) });
      expect(got.error).toBe(boundaries.has(cut) ? undefined : 'truncated');
    }
  });

  it('rejects a bad header type, an overrunning header and a message CRC mismatch as corrupt', () => {
    const base = () => encode({ name: { type: 'string', value: 'value' } }, 'payload');
    const badType = base();
    badType[12 + 1 + 4] = 10;
    reseal(badType);
    expect(oracle(badType).error).toBe('corrupt');
    expect(ours([badType])).toMatchObject({ frames: [], error: 'corrupt', message: 'unknown header value type 10' });

    // String length 6 instead of 5: the codec reads one byte of the payload into the value; we refuse.
    const overrun = base();
    overrun.writeUInt16BE(6, 12 + 1 + 4 + 1);
    reseal(overrun);
    expect(oracle(overrun).frames[0]!.headers).toEqual([['name', 'valuep']]);
    expect(ours([overrun])).toMatchObject({ frames: [], error: 'corrupt', message: 'a header runs past the end of the headers section' });
    const longName = base();
    longName[12] = 200;
    reseal(longName);
    expect(ours([longName])).toMatchObject({ error: 'corrupt', message: /runs past/ });

    // The section ends right after a name: the type byte (0, true) would come from the payload.
    const noType = encode({ name: { type: 'boolean', value: true } }, 'after');
    noType.writeUInt32BE(5, 4);
    reseal(noType);
    expect(oracle(noType).error).toBe('corrupt');
    expect(ours([noType])).toMatchObject({ frames: [], error: 'corrupt', message: /runs past/ });

    const crc = base();
    crc[crc.byteLength - 6] ^= 0x10;
    expect(oracle(crc).error).toBe('corrupt');
    expect(ours([crc])).toMatchObject({ frames: [], error: 'corrupt', message: 'message checksum mismatch' });
  });

  it('fuzz: flipped bytes either fail with FrameError or decode exactly as the codec does', () => {
    const streams = [...fixtures.map((path) => fixture(path)), Buffer.concat(allTypes())];
    const random = prng(2026);
    const seen = { same: 0, changedButValid: 0, corrupt: 0, stricter: 0 };
    for (let round = 0; round < 3000; round++) {
      const source = streams[round % streams.length]!;
      const bytes = Uint8Array.from(source);
      const flips = 1 + Math.floor(random() * 3);
      // Half the rounds flip only header bytes and reseal the CRCs, so the header parser sees the damage.
      const resealed = round % 2 === 1;
      for (let f = 0; f < flips; f++) {
        const at = Math.floor(random() * bytes.byteLength);
        bytes[at]! ^= 1 + Math.floor(random() * 255);
      }
      if (resealed) reseal(bytes);
      const expected = oracle(bytes);
      const got = ours(randomSplits(bytes, random, 1 + Math.floor(random() * 8)));
      if (got.error === undefined) {
        expect(got).toEqual(expected);
        if (Buffer.compare(bytes, source) !== 0) seen.changedButValid++;
        else seen.same++;
      } else {
        // Everything delivered before the failure is what the codec decodes too.
        expect(got.frames).toEqual(expected.frames.slice(0, got.frames.length));
        if (expected.error !== undefined && expected.frames.length === got.frames.length) seen.corrupt++;
        else seen.stricter++;
      }
    }
    // The fuzz reached every outcome, so the comparisons above were not vacuous.
    expect(seen.changedButValid).toBeGreaterThan(100);
    expect(seen.corrupt).toBeGreaterThan(500);
    expect(seen.stricter).toBeGreaterThan(0);
  });
});
