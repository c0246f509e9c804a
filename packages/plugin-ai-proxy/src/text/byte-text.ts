/**
 * A JSON body handled as bytes. `latin1` maps each byte to one char, so scanning it for JSON structure
 * gives byte offsets and splicing it back (`Buffer.from(…, 'latin1')`) restores the exact bytes, at a
 * fraction of the cost of UTF-8 decoding (Node 20 decodes non-ASCII UTF-8 slowly, and a two-byte string
 * also parses slower). JSON structure survives the latin1 view because UTF-8 multi-byte sequences
 * contain no ASCII bytes; only the string values read from it are "mojibake" until converted back with
 * `textOf`.
 */
import { isUtf8 } from 'node:buffer';

export interface ByteText {
  bytes: Buffer;
  latin1: string;
}

/** Body bytes as one buffer: pieces are joined (a copy), one buffer is viewed as is. */
export function joinBytes(body: Uint8Array | readonly Uint8Array[]): Buffer {
  return body instanceof Uint8Array ? asBuffer(body) : Buffer.concat(body);
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The latin1 view of UTF-8 bytes; undefined when they are not valid UTF-8. */
export function byteText(bytes: Uint8Array): ByteText | undefined {
  const buffer = asBuffer(bytes);
  return isUtf8(buffer) ? { bytes: buffer, latin1: buffer.toString('latin1') } : undefined;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** A latin1-view string (e.g. a value parsed from the view) → the text it encodes. */
export function textOf(latin1: string): string {
  return NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

/** Text → its latin1 view, for splicing new JSON into a view. */
export function latin1Of(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}
