/**
 * Incremental AWS event-stream decoder: feed it network chunks in any split, get whole messages back.
 * Framing (where a message ends) is ours: it needs only the 4-byte total length, and checking the
 * prelude as soon as its 12 bytes arrive means a corrupt length never makes us buffer forever. Each
 * complete message is then decoded, both CRCs included, by @smithy/eventstream-codec, the AWS SDK's own
 * codec (the decided stack; docs/performance.md has what it costs per frame).
 */
import { crc32 } from 'node:zlib';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { FrameError } from './frame-error.js';

export { FrameError, type FrameErrorKind } from './frame-error.js';

/** Header values as the codec decodes them: strings for everything Bedrock sends. */
export type HeaderValue = string | number | boolean | Uint8Array | Date | { valueOf(): number };
export type FrameHeaders = Record<string, HeaderValue>;

const PRELUDE = 12;
const OVERHEAD = 16;
/** Bedrock frames are small; anything above this is a corrupt length, not a real frame. */
const MAX_FRAME = 16 * 1024 * 1024;

// Buffer's UTF-8 conversions: the codec's default TextDecoder is several times slower on Node 20.
const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

/** One event-stream message. `body` is a view into the received bytes: copy it to keep it. */
export interface Frame {
  headers: Readonly<FrameHeaders>;
  body: Buffer;
}

export interface FrameDecoder {
  /**
   * Add bytes; `onMessage` gets each message they complete, in order, as soon as it is decoded (return
   * `false` to stop decoding for good). Throws FrameError('corrupt') after delivering the good ones.
   */
  push(chunk: Uint8Array, onMessage: (message: Frame) => boolean | void): void;
  /** The input ended: throws FrameError('truncated') when bytes of an unfinished frame remain. */
  end(): void;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decode one complete message with the codec (it verifies the prelude and message CRCs). */
function decodeFrame(bytes: Buffer): Frame {
  let message;
  try {
    message = codec.decode(bytes);
  } catch (error) {
    throw new FrameError('corrupt', error instanceof Error ? error.message : String(error));
  }
  const headers: FrameHeaders = {};
  for (const name of Object.keys(message.headers)) headers[name] = message.headers[name]!.value as HeaderValue;
  return { headers, body: asBuffer(message.body) };
}

export function createFrameDecoder(): FrameDecoder {
  // Pending chunks are joined only when a frame needs bytes from more than one of them. The next frame
  // starts at `offset` in chunks[0] (an index rather than a new view per frame).
  let chunks: Buffer[] = [];
  let offset = 0;
  let pending = 0;
  let stopped = false;
  // The prelude of the frame at `offset` has been checked (it stays there until complete).
  let preludeChecked = false;
  const join = (): Buffer => {
    if (chunks.length > 1) {
      chunks[0] = chunks[0]!.subarray(offset);
      chunks = [Buffer.concat(chunks, pending)];
      offset = 0;
    }
    return chunks[0]!;
  };

  return {
    push(chunk, onMessage) {
      if (stopped || chunk.byteLength === 0) return;
      chunks.push(asBuffer(chunk));
      pending += chunk.byteLength;
      while (pending >= PRELUDE) {
        let head = chunks[0]!;
        if (head.byteLength - offset < PRELUDE) head = join();
        const total = head.readUInt32BE(offset);
        const headersLength = head.readUInt32BE(offset + 4);
        if (!preludeChecked) {
          if (crc32(head.subarray(offset, offset + 8)) !== head.readUInt32BE(offset + 8)) throw new FrameError('corrupt', 'prelude checksum mismatch');
          if (total < OVERHEAD || total > MAX_FRAME || headersLength > total - OVERHEAD) {
            throw new FrameError('corrupt', `impossible frame lengths (total ${total}, headers ${headersLength})`);
          }
          preludeChecked = true;
        }
        if (pending < total) break;
        if (head.byteLength - offset < total) head = join();
        const message = decodeFrame(head.subarray(offset, offset + total));
        offset += total;
        if (offset === head.byteLength) {
          chunks.shift();
          offset = 0;
        }
        pending -= total;
        preludeChecked = false;
        if (onMessage(message) === false) {
          stopped = true;
          return;
        }
      }
    },
    end() {
      if (!stopped && pending > 0) throw new FrameError('truncated', `${pending} bytes of an unfinished frame`);
    },
  };
}

/** A string header's value, or undefined. */
export function headerString(message: Frame, name: string): string | undefined {
  if (!Object.hasOwn(message.headers, name)) return undefined;
  const value = message.headers[name];
  return typeof value === 'string' ? value : undefined;
}
