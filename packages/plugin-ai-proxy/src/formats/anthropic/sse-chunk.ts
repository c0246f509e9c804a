/**
 * The SSE bytes of one upstream chunk, written in place into one buffer: each event's prefix, JSON and
 * blank line go straight where they are sent from, and `take` hands out what was written as one view.
 * Building events as parts and joining them made ~5 objects per event and a copy of every byte; with
 * 50 events per request that was most of the stream's garbage.
 */
import { ssePrefix } from './sse.js';

const LF = 0x0a;
/** Room allocated at the least: a chunk of one small frame still gets a pooled slice (Buffer.allocUnsafe). */
const MIN_ROOM = 256;
const EMPTY = Buffer.alloc(0);

export interface SseChunk {
  /** Expect up to `bytes` of output before the next `take` (the size of the chunk being decoded). */
  expect(bytes: number): void;
  /** A buffer with `n` free bytes at `at()` (a new one when the current can't hold them: unsent bytes move with it). */
  room(n: number): Buffer;
  /** Where the next byte goes in the buffer `room` returned. */
  at(): number;
  /**
   * `event: <type>\ndata: ` + the JSON at [jsonStart, jsonEnd) of the current buffer + `\n\n`, at `at()`:
   * the JSON was decoded there, past `at()`, with room for the longest prefix, and is moved against it
   * unless it sits right already.
   */
  placeEvent(type: string, jsonStart: number, jsonEnd: number): void;
  /** One event from JSON text or bytes. */
  writeEvent(type: string, json: string | Buffer): void;
  /** Bytes as they are (an error event already framed). */
  writeRaw(bytes: Buffer): void;
  /** The last event written, as text (for a payload log). */
  lastEvent(): string;
  /** The bytes written since the last take (undefined when none); the buffer is let go at `release`. */
  take(): Buffer | undefined;
  /** Forget the buffer (after a chunk is sent): an idle stream holds none. */
  release(): void;
}

export function createSseChunk(): SseChunk {
  let buf = EMPTY;
  let from = 0; // first byte not yet taken
  let pos = 0; // next byte to write
  let expected = 0;
  let last = 0; // where the last event written starts

  const room = (n: number): Buffer => {
    if (buf.length - pos >= n) return buf;
    const unsent = pos - from;
    const next = Buffer.allocUnsafe(Math.max(unsent + n, expected, MIN_ROOM, buf.length > 0 ? 2 * buf.length : 0));
    buf.copy(next, 0, from, pos);
    buf = next;
    from = 0;
    pos = unsent;
    expected = 0;
    return buf;
  };

  return {
    expect(bytes) {
      expected = bytes;
    },
    room,
    at: () => pos,
    placeEvent(type, jsonStart, jsonEnd) {
      const prefix = ssePrefix(type);
      last = pos;
      const start = pos + prefix.length;
      if (start !== jsonStart) buf.copyWithin(start, jsonStart, jsonEnd);
      prefix.copy(buf, pos);
      const end = start + (jsonEnd - jsonStart);
      buf[end] = LF;
      buf[end + 1] = LF;
      pos = end + 2;
    },
    writeEvent(type, json) {
      const prefix = ssePrefix(type);
      const size = typeof json === 'string' ? Buffer.byteLength(json, 'utf8') : json.length;
      const out = room(prefix.length + size + 2);
      last = pos;
      pos += prefix.copy(out, pos);
      pos += typeof json === 'string' ? out.write(json, pos, 'utf8') : json.copy(out, pos);
      out[pos++] = LF;
      out[pos++] = LF;
    },
    writeRaw(bytes) {
      const out = room(bytes.length);
      last = pos;
      pos += bytes.copy(out, pos);
    },
    lastEvent: () => buf.toString('utf8', last, pos),
    take() {
      if (pos === from) return undefined;
      const view = buf.subarray(from, pos);
      from = pos;
      return view;
    },
    release() {
      buf = EMPTY;
      from = 0;
      pos = 0;
    },
  };
}
