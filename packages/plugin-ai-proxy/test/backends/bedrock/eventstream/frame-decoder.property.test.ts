/**
 * Properties of the eventstream frame decoder (frame-decoder.ts) with @smithy/eventstream-codec as the
 * oracle (frame-oracle-support.ts), over messages fast-check makes up: every header type with any value,
 * any body, fed in chunks split at arbitrary points.
 *  - round trip: what the codec encodes, the decoder returns, the same for any split;
 *  - damage (bytes set, inserted, deleted, cut, with the CRCs recomputed or not): a FrameError after the
 *    frames before the damage, or exactly what the codec decodes; never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Int64 } from '@smithy/eventstream-codec';
import { codec, oracle, ours, reseal, type Plain } from './frame-oracle-support.js';
import { fuzz } from '../../../support/fuzz.js';

type CodecHeaders = Parameters<typeof codec.encode>[0]['headers'];
type CodecValue = CodecHeaders[string];

const headerValue: fc.Arbitrary<CodecValue> = fc.oneof(
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
  fc.integer({ min: -128, max: 127 }).map((value) => ({ type: 'byte' as const, value })),
  fc.integer({ min: -32768, max: 32767 }).map((value) => ({ type: 'short' as const, value })),
  fc.integer().map((value) => ({ type: 'integer' as const, value })),
  fc.maxSafeInteger().map((value) => ({ type: 'long' as const, value: Int64.fromNumber(value) })),
  fc.uint8Array({ maxLength: 40 }).map((value) => ({ type: 'binary' as const, value })),
  fc.string({ unit: 'binary', maxLength: 40 }).map((value) => ({ type: 'string' as const, value })),
  fc.integer({ min: -(2 ** 47), max: 2 ** 47 }).map((ms) => ({ type: 'timestamp' as const, value: new Date(ms) })),
  fc.uuid().map((value) => ({ type: 'uuid' as const, value })),
);

const message = fc.record({
  headers: fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), headerValue, { maxKeys: 6 }),
  body: fc.uint8Array({ maxLength: 200 }),
});

const encodeAll = (messages: { headers: CodecHeaders; body: Uint8Array }[]) => Buffer.concat(messages.map((m) => Buffer.from(codec.encode(m))));

/** Chunks of `bytes` cut at the given points (any numbers: taken modulo the length). */
function split(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const cuts = [...new Set(points.map((p) => (bytes.byteLength === 0 ? 0 : p % bytes.byteLength)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** A header value as the input had it, in the oracle's comparable form. */
function plainInput(h: CodecValue): Plain {
  switch (h.type) {
    case 'binary':
      return ['bytes', Buffer.from(h.value).toString('hex')];
    case 'timestamp':
      return ['date', h.value.getTime()];
    case 'long':
      return Number(h.value.valueOf());
    default:
      return h.value as Plain;
  }
}

describe('frame decoder, property-based (fast-check; @smithy/eventstream-codec is the oracle)', () => {
  it('decodes what the codec encodes, in any chunk split', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 12 }), (messages, points) => {
        const bytes = encodeAll(messages);
        const got = ours(split(bytes, points));
        expect(got.error).toBeUndefined();
        expect(got).toEqual(oracle(bytes));
        // And what went in came out: names, values and bodies (a `__proto__` header is dropped, as the codec
        // drops it: a plain object can't hold it as data).
        expect(got.frames.map((f) => f.body)).toEqual(messages.map((m) => Buffer.from(m.body).toString('hex')));
        const sent = messages.map((m) => Object.entries(m.headers).filter(([k]) => k !== '__proto__').map(([k, v]) => [k, plainInput(v)]));
        expect(got.frames.map((f) => f.headers)).toEqual(sent);
      }),
      fuzz(300),
    );
  });

  it('damaged streams: a FrameError after the frames before the damage, or exactly the codec’s answer', () => {
    const damage = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('set', 'insert', 'delete', 'cut') });
    const seen = { agreed: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 4 }),
        fc.array(damage, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (messages, damages, resealed, points) => {
          let bytes = encodeAll(messages);
          for (const d of damages) {
            const at = bytes.length === 0 ? 0 : d.at % bytes.length;
            if (d.kind === 'set' && bytes.length > 0) bytes[at] = d.byte;
            else if (d.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([d.byte]), bytes.subarray(at)]);
            else if (d.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
            else bytes = Buffer.from(bytes.subarray(0, at));
          }
          // Recomputed CRCs get the damage past the checksums, into the lengths and the header parser.
          if (resealed) reseal(bytes);
          const expected = oracle(bytes);
          const got = ours(split(bytes, points)); // anything but a FrameError escapes and fails the property
          if (got.error === undefined) {
            expect(got).toEqual(expected);
            seen.agreed++;
          } else {
            expect(['corrupt', 'truncated']).toContain(got.error);
            expect(got.message?.length).toBeGreaterThan(0);
            expect(got.frames).toEqual(expected.frames.slice(0, got.frames.length));
            seen.refused++;
          }
        },
      ),
      fuzz(1500),
    );
    // Both outcomes were reached: the comparisons above were not vacuous.
    expect(seen.agreed).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
