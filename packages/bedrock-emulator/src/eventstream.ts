// Bedrock's `application/vnd.amazon.eventstream` frames, encoded with the same codec the AWS SDK decodes with.
import { EventStreamCodec } from '@smithy/eventstream-codec';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec(
  (bytes) => decoder.decode(bytes),
  (text) => encoder.encode(text),
);

const PAD_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * One unit of a scripted stream: an Anthropic event (InvokeModel's `chunk`), a named ConverseStream event,
 * an exception frame, or the first bytes of a frame.
 */
export type Frame =
  | { kind: 'chunk'; event: unknown }
  | { kind: 'event'; type: string; payload: Record<string, unknown> }
  | { kind: 'exception'; type: string; message: string }
  | { kind: 'partial'; frame: Frame; bytes: number };

const str = (value: string) => ({ type: 'string' as const, value });

/**
 * Bedrock pads each chunk with `p`, a prefix of the alphabet of varying length, so frame sizes do not
 * leak the token lengths. A deterministic length keeps recorded streams reproducible.
 */
export function padding(seed: number): string {
  return PAD_ALPHABET.slice(0, 1 + ((seed * 37 + 11) % PAD_ALPHABET.length));
}

export function encodeChunk(event: unknown, pad?: string): Uint8Array {
  const payload: Record<string, string> = { bytes: Buffer.from(JSON.stringify(event)).toString('base64') };
  if (pad) payload.p = pad;
  return codec.encode({
    headers: {
      ':event-type': str('chunk'),
      ':content-type': str('application/json'),
      ':message-type': str('event'),
    },
    body: encoder.encode(JSON.stringify(payload)),
  });
}

/**
 * A ConverseStream event: its name in `:event-type`, its JSON as the payload, with Bedrock's `p` padding
 * appended as a member (captures: `{"role":"assistant","p":"abcdefghijklmno"}`).
 */
export function encodeConverseEvent(type: string, payload: Record<string, unknown>, pad?: string): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': str(type),
      ':content-type': str('application/json'),
      ':message-type': str('event'),
    },
    body: encoder.encode(JSON.stringify(pad ? { ...payload, p: pad } : payload)),
  });
}

/** Exception frames carry no `:event-type` and no padding (as in the captures). */
export function encodeException(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': str(type),
      ':content-type': str('application/json'),
      ':message-type': str('exception'),
    },
    body: encoder.encode(JSON.stringify({ message })),
  });
}

export function encodeFrame(frame: Frame, index: number, pad: boolean): Uint8Array {
  switch (frame.kind) {
    case 'chunk':
      return encodeChunk(frame.event, pad ? padding(index) : undefined);
    case 'event':
      return encodeConverseEvent(frame.type, frame.payload, pad ? padding(index) : undefined);
    case 'exception':
      return encodeException(frame.type, frame.message);
    case 'partial':
      return encodeFrame(frame.frame, index, pad).subarray(0, frame.bytes);
  }
}

/** Frames → wire bytes, for use with `pipeThrough`. */
export function eventStreamEncoder(pad: boolean): TransformStream<Frame, Uint8Array> {
  let index = 0;
  return new TransformStream({
    transform(frame, controller) {
      controller.enqueue(encodeFrame(frame, index++, pad));
    },
  });
}

export interface DecodedMessage {
  headers: Record<string, string>;
  payload: unknown;
  /** The Anthropic event inside a `chunk` (base64 `bytes` decoded), when there is one. */
  event?: unknown;
  totalLength: number;
}

/** Decodes a complete byte buffer into messages (for tests and tools); throws on a trailing partial frame. */
export function decodeEventStream(bytes: Uint8Array): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 4) throw new Error(`truncated event stream at byte ${offset}`);
    const total = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0);
    if (offset + total > bytes.length) throw new Error(`truncated event stream at byte ${offset}`);
    const message = codec.decode(bytes.subarray(offset, offset + total));
    const headers: Record<string, string> = {};
    for (const [name, header] of Object.entries(message.headers)) headers[name] = String(header.value);
    const payload = JSON.parse(decoder.decode(message.body)) as unknown;
    const encoded = (payload as { bytes?: unknown }).bytes;
    const event = typeof encoded === 'string' ? JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) : undefined;
    out.push({ headers, payload, event, totalLength: total });
    offset += total;
  }
  return out;
}
