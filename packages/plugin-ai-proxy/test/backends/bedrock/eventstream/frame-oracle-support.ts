/**
 * The frame decoder's oracle: @smithy/eventstream-codec's view of a byte stream, and ours in the same
 * comparable form (frame-oracle.test.ts, frame-decoder.property.test.ts).
 */
import { crc32 } from 'node:zlib';
import { EventStreamCodec, Int64 } from '@smithy/eventstream-codec';
import { createFrameDecoder, FrameError, type Frame, type HeaderValue } from '../../../../src/backends/bedrock/eventstream/frame-decoder.js';

// The codec configured as the old production path was (Buffer's UTF-8 conversions).
export const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

/** A header value in a form both sides can be compared in (type tag kept where the JS type is shared). */
export type Plain = string | number | boolean | ['bytes', string] | ['date', number];
export interface Decoded { headers: [string, Plain][]; body: string }
export interface Outcome { frames: Decoded[]; error?: string }

function plain(value: HeaderValue): Plain {
  if (value instanceof Date) return ['date', value.getTime()];
  if (value instanceof Uint8Array) return ['bytes', Buffer.from(value).toString('hex')];
  if (value instanceof Int64) return Number(value.valueOf());
  if (typeof value === 'object') throw new Error(`unexpected header value ${String(value)}`);
  return value;
}

function fromFrame(frame: Frame): Decoded {
  return { headers: Object.entries(frame.headers).map(([k, v]) => [k, plain(v)]), body: frame.body.toString('hex') };
}

/** The codec's view of a whole stream: it frames by the total length and decodes each message. */
export function oracle(bytes: Uint8Array): Outcome {
  const frames: Decoded[] = [];
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < view.byteLength;) {
    if (view.byteLength - at < 12) return { frames, error: 'truncated' };
    const total = view.readUInt32BE(at);
    if (view.byteLength - at < total) return { frames, error: 'truncated' };
    try {
      const message = codec.decode(view.subarray(at, at + total));
      const headers = Object.entries(message.headers).map(([k, h]): [string, Plain] => [k, plain(h.value as HeaderValue)]);
      frames.push({ headers, body: Buffer.from(message.body).toString('hex') });
    } catch {
      return { frames, error: 'corrupt' };
    }
    at += Math.max(total, 1);
  }
  return { frames };
}

/** Ours, fed in the given chunks. Anything but a FrameError escapes (and fails the test). */
export function ours(chunks: Uint8Array[]): Outcome & { message?: string } {
  const frames: Decoded[] = [];
  const decoder = createFrameDecoder();
  try {
    for (const chunk of chunks) decoder.push(chunk, (m) => void frames.push(fromFrame(m)));
    decoder.end();
  } catch (error) {
    if (!(error instanceof FrameError)) throw error;
    return { frames, error: error.kind, message: error.message };
  }
  return { frames };
}

/** Recompute both CRCs of every frame the stream's own lengths delimit (so fuzzed headers get parsed). */
export function reseal(bytes: Uint8Array): void {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; view.byteLength - at >= 12;) {
    const total = view.readUInt32BE(at);
    view.writeUInt32BE(crc32(view.subarray(at, at + 8)), at + 8);
    if (total < 16 || view.byteLength - at < total) return;
    view.writeUInt32BE(crc32(view.subarray(at, at + total - 4)), at + total - 4);
    at += total;
  }
}

