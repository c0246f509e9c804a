/**
 * Incremental AWS event-stream decoder: feed it network chunks in any split, get whole messages back.
 * Both CRCs are checked (by @smithy/eventstream-codec); the prelude is checked as soon as its 12 bytes
 * arrive so a corrupt length never makes us buffer forever.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { Message } from '@smithy/eventstream-codec';
import { crc32 } from 'node:zlib';

const PRELUDE = 12;
const OVERHEAD = 16;
/** Bedrock frames are small; anything above this is a corrupt length, not a real frame. */
const MAX_FRAME = 16 * 1024 * 1024;

export type FrameErrorKind = 'truncated' | 'corrupt';

export class FrameError extends Error {
  constructor(readonly kind: FrameErrorKind, detail: string) {
    super(detail);
    this.name = 'FrameError';
  }
}

export interface FrameDecoder {
  /**
   * Add bytes; `onMessage` gets each message they complete, in order, as soon as it is decoded (return
   * `false` to stop decoding for good). Throws FrameError('corrupt') after delivering the good ones.
   */
  push(chunk: Uint8Array, onMessage: (message: Message) => boolean | void): void;
  /** The input ended: throws FrameError('truncated') when bytes of an unfinished frame remain. */
  end(): void;
}

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
const codec = new EventStreamCodec((bytes) => utf8Decoder.decode(bytes), (text) => utf8Encoder.encode(text));

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

export function createFrameDecoder(): FrameDecoder {
  // Pending chunks are joined only when a frame needs bytes from more than one of them.
  let chunks: Uint8Array[] = [];
  let pending = 0;
  let stopped = false;
  // The prelude of the frame at the head of the buffer has been checked (it stays there until complete).
  let preludeChecked = false;

  const join = (): Uint8Array => {
    if (chunks.length > 1) chunks = [Buffer.concat(chunks, pending)];
    return chunks[0]!;
  };

  return {
    push(chunk, onMessage) {
      if (stopped || chunk.byteLength === 0) return;
      chunks.push(chunk);
      pending += chunk.byteLength;
      while (pending >= PRELUDE) {
        let head = chunks[0]!;
        if (head.byteLength < PRELUDE) head = join();
        const total = u32(head, 0);
        const headersLength = u32(head, 4);
        if (!preludeChecked) {
          if (crc32(head.subarray(0, 8)) !== u32(head, 8)) throw new FrameError('corrupt', 'prelude checksum mismatch');
          if (total < OVERHEAD || total > MAX_FRAME || headersLength > total - OVERHEAD) {
            throw new FrameError('corrupt', `impossible frame lengths (total ${total}, headers ${headersLength})`);
          }
          preludeChecked = true;
        }
        if (pending < total) break;
        if (head.byteLength < total) head = join();
        let message: Message;
        try {
          message = codec.decode(head.subarray(0, total));
        } catch (error) {
          throw new FrameError('corrupt', error instanceof Error ? error.message : String(error));
        }
        if (head.byteLength === total) chunks.shift();
        else chunks[0] = head.subarray(total);
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
export function headerString(message: Message, name: string): string | undefined {
  const header = message.headers[name];
  return header !== undefined && header.type === 'string' ? header.value : undefined;
}
