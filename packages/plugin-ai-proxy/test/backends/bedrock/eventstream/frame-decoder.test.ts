import { describe, expect, it } from 'vitest';
import { createFrameDecoder, FrameError, type Frame } from '../../../../src/backends/bedrock/eventstream/frame-decoder.js';
import { fixture, fixtureJson, splitAt, prng, randomSplits } from '../../../support/response-harness.js';

const BINS = [
  'invoke-stream-text', 'invoke-stream-text-padded', 'invoke-stream-tool-use', 'invoke-stream-throttling-after-chunk',
  'invoke-stream-modelStreamError-first', 'converse-stream-text', 'converse-stream-validation-after-event',
];

/** A decoded frame, its body copied out of the received bytes. */
type Kept = Pick<Frame, 'headers' | 'body' | 'length'>;

function decodeAll(chunks: Uint8Array[]): Kept[] {
  const decoder = createFrameDecoder();
  const out: Kept[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk, (m) => {
      // The body in place is the body.
      expect(Buffer.compare(m.bytes.subarray(m.bodyStart, m.bodyEnd), m.body)).toBe(0);
      out.push({ headers: m.headers, body: Buffer.from(m.body), length: m.length });
    });
  }
  decoder.end();
  return out;
}

function simplify(messages: Kept[]) {
  return messages.map((m) => ({
    headers: { ...m.headers },
    payload: JSON.parse(Buffer.from(m.body).toString('utf8')),
  }));
}

describe('event-stream frame decoder', () => {
  for (const name of BINS) {
    it(`${name}: same messages as the .decoded.json at every split point`, () => {
      const bytes = fixture(`bedrock/${name}.bin`);
      const expected = fixtureJson(`bedrock/${name}.decoded.json`).messages.map((m: any) => ({ headers: m.headers, payload: m.payload }));
      expect(simplify(decodeAll([bytes]))).toEqual(expected);
      for (let at = 1; at < bytes.byteLength; at++) {
        expect(simplify(decodeAll(splitAt(bytes, [at])))).toEqual(expected);
      }
      const oneByte = Array.from({ length: bytes.byteLength }, (_, i) => bytes.subarray(i, i + 1));
      expect(simplify(decodeAll(oneByte))).toEqual(expected);
      const random = prng(name.length);
      for (let round = 0; round < 50; round++) {
        expect(simplify(decodeAll(randomSplits(bytes, random, 1 + Math.floor(random() * 30))))).toEqual(expected);
      }
    });
  }

  it('decodes the worked single-frame example', () => {
    const [m] = decodeAll([fixture('bedrock/single-chunk-message.bin')]);
    const payload = JSON.parse(Buffer.from(m!.body).toString());
    expect(Buffer.from(payload.bytes, 'base64').toString()).toBe('{"type":"message_stop"}');
  });

  it('reports a stream that ends mid-frame as truncated', () => {
    const bytes = fixture('bedrock/single-chunk-message.bin');
    for (const cut of [1, 11, 12, 60, 134]) {
      const decoder = createFrameDecoder();
      const got: Frame[] = [];
      decoder.push(bytes.subarray(0, cut), (m) => void got.push(m));
      expect(got).toEqual([]);
      expect(() => decoder.end()).toThrow(FrameError);
      try { decoder.end(); } catch (e) { expect((e as FrameError).kind).toBe('truncated'); }
    }
  });

  it('rejects a payload byte flip (message CRC) and a length flip (prelude CRC)', () => {
    const payloadFlip = fixture('bedrock/single-chunk-message.bin').slice();
    payloadFlip[100] ^= 0x01;
    expect(() => createFrameDecoder().push(payloadFlip, () => {})).toThrow(/checksum/);
    const lengthFlip = fixture('bedrock/single-chunk-message.bin').slice();
    lengthFlip[2] ^= 0x40; // total length becomes huge: must fail now, not wait for 16 KB that never come
    const decoder = createFrameDecoder();
    expect(() => decoder.push(lengthFlip.subarray(0, 12), () => {})).toThrow(/prelude checksum/);
  });

  it('delivers the good frames before a corrupt one, and stops when asked', () => {
    const text = fixture('bedrock/invoke-stream-text.bin');
    const corrupt = text.slice();
    corrupt[515 + 100] ^= 0x20;
    const got: Frame[] = [];
    expect(() => createFrameDecoder().push(corrupt, (m) => void got.push(m))).toThrow(FrameError);
    expect(got).toHaveLength(1);
    const some: Frame[] = [];
    const decoder = createFrameDecoder();
    decoder.push(text, (m) => some.push(m) < 2);
    expect(some).toHaveLength(2);
    decoder.push(text, () => { throw new Error('must not be called after stop'); });
    expect(() => decoder.end()).not.toThrow();
  });

  it('reuses the parsed headers of a repeated header block (frozen), and parses a changed one', () => {
    // throttling-after-chunk: chunk frames with one header block, then an exception frame with another.
    const frames = decodeAll([fixture('bedrock/invoke-stream-throttling-after-chunk.bin')]);
    const chunks = frames.filter((f) => f.headers[':message-type'] === 'event');
    const last = frames.at(-1)!;
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((f) => f.headers === chunks[0]!.headers)).toBe(true);
    expect(Object.isFrozen(chunks[0]!.headers)).toBe(true);
    expect(last.headers[':message-type']).toBe('exception');
    expect(last.headers).not.toBe(chunks[0]!.headers);
  });
});
