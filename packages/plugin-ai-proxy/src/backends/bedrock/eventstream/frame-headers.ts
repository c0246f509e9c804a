/**
 * Event-stream message headers, parsed in place from the received bytes. Every read is bounds-checked
 * against the headers section: a header that runs past it is corrupt (a lenient parser would silently
 * read into the payload). Values take the types @smithy/eventstream-codec gives them, except `long`,
 * which is a plain number here (the codec's Int64 only offers `valueOf()`, which gives the same number).
 */
import type { FrameHeaders, HeaderValue } from './frame-decoder.js';
import { FrameError } from './frame-error.js';
import { interner } from '../../../text/interned.js';

// Every Bedrock frame repeats these: matching them in place saves a string per header.
const knownName = interner([':event-type', ':content-type', ':message-type', ':exception-type', ':error-code', ':error-message']);
const knownValue = interner(['chunk', 'application/json', 'event', 'exception', 'error']);

const past = (): FrameError => new FrameError('corrupt', 'a header runs past the end of the headers section');

/** Bytes [start, end) as text: latin1 when ASCII (same string, cheaper), UTF-8 otherwise. */
function text(bytes: Buffer, start: number, end: number): string {
  for (let i = start; i < end; i++) if (bytes[i]! > 0x7f) return bytes.toString('utf8', start, end);
  return bytes.toString('latin1', start, end);
}

function hex(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('hex', start, end);
}

/** Parse the headers in bytes [start, end). Throws FrameError('corrupt') for an unknown type or an overrun. */
export function parseHeaders(bytes: Buffer, start: number, end: number): FrameHeaders {
  const headers: FrameHeaders = {};
  let at = start;
  while (at < end) {
    const nameLength = bytes[at++]!;
    // Name, then at least the type byte.
    if (at + nameLength >= end) throw past();
    const name = knownName(bytes, at, nameLength) ?? text(bytes, at, at + nameLength);
    at += nameLength;
    const type = bytes[at++]!;
    let value: HeaderValue;
    let size: number;
    switch (type) {
      case 0: value = true; size = 0; break;
      case 1: value = false; size = 0; break;
      case 2: size = 1; if (at + size > end) throw past(); value = bytes.readInt8(at); break;
      case 3: size = 2; if (at + size > end) throw past(); value = bytes.readInt16BE(at); break;
      case 4: size = 4; if (at + size > end) throw past(); value = bytes.readInt32BE(at); break;
      case 5: size = 8; if (at + size > end) throw past(); value = Number(bytes.readBigInt64BE(at)); break;
      case 6:
      case 7: {
        const length = bytes.readUInt16BE(at); // inside the message: its CRC follows the headers
        at += 2;
        size = length;
        if (at + size > end) throw past(); // also catches a length field that itself ran past
        value = type === 6 ? bytes.subarray(at, at + length) : knownValue(bytes, at, length) ?? text(bytes, at, at + length);
        break;
      }
      case 8: size = 8; if (at + size > end) throw past(); value = new Date(Number(bytes.readBigInt64BE(at))); break;
      case 9: {
        size = 16;
        if (at + size > end) throw past();
        value = `${hex(bytes, at, at + 4)}-${hex(bytes, at + 4, at + 6)}-${hex(bytes, at + 6, at + 8)}-${hex(bytes, at + 8, at + 10)}-${hex(bytes, at + 10, at + 16)}`;
        break;
      }
      default:
        throw new FrameError('corrupt', `unknown header value type ${type}`);
    }
    at += size;
    // A plain object can't hold `__proto__` as data (the codec's result couldn't either): drop it.
    if (name !== '__proto__') headers[name] = value;
  }
  return headers;
}
