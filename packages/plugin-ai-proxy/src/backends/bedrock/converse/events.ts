/**
 * ConverseStream's events, read from the eventstream frames (eventstream/frame-decoder.ts): the event name
 * is the frame's `:event-type` header (`messageStart`, `contentBlockStart`, `contentBlockDelta`,
 * `contentBlockStop`, `messageStop`, `metadata`), the payload its JSON (with Bedrock's `p` padding member).
 * Text deltas are most of a stream, so their text is found in the payload's bytes as the JSON string the
 * upstream wrote, to be spliced into the client's event as it is (never decoded, never re-escaped).
 */
import type { Frame } from '../eventstream/frame-decoder.js';
import { headerString } from '../eventstream/frame-decoder.js';

/** The event's name; undefined for a frame that is not an event (an exception) or has none. */
export function converseEventType(frame: Frame): string | undefined {
  return headerString(frame, ':message-type') === 'event' ? headerString(frame, ':event-type') : undefined;
}

export function parsePayload(frame: Frame): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(frame.body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const INDEX_PREFIX = Buffer.from('{"contentBlockIndex":', 'latin1');
const TEXT_PREFIX = Buffer.from(',"delta":{"text":"', 'latin1');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Where a text delta's JSON string literal is in the payload (quotes included), and its block. */
export interface TextLiteral {
  index: number;
  start: number;
  end: number;
}

/**
 * `{"contentBlockIndex":N,"delta":{"text":"…"}…}`, as Bedrock writes it: the text's literal, found by
 * its layout. Undefined for any other delta or layout: read those with parsePayload.
 */
export function textDeltaLiteral(payload: Buffer): TextLiteral | undefined {
  if (payload.length < INDEX_PREFIX.length + TEXT_PREFIX.length + 3) return undefined;
  for (let i = 0; i < INDEX_PREFIX.length; i++) if (payload[i] !== INDEX_PREFIX[i]) return undefined;
  let at = INDEX_PREFIX.length;
  let index = 0;
  const digitsFrom = at;
  while (at < payload.length && payload[at]! >= 0x30 && payload[at]! <= 0x39 && at - digitsFrom < 9) index = index * 10 + payload[at++]! - 0x30;
  if (at === digitsFrom) return undefined;
  for (let i = 0; i < TEXT_PREFIX.length; i++) if (payload[at + i] !== TEXT_PREFIX[i]) return undefined;
  const start = at + TEXT_PREFIX.length - 1;
  let close = payload.indexOf(QUOTE, start + 1);
  while (close > 0 && escaped(payload, close)) close = payload.indexOf(QUOTE, close + 1);
  // The delta object must end right after the text: `"}`.
  if (close < 0 || payload[close + 1] !== 0x7d) return undefined;
  // JSON never has a raw line break in a string, and one would break the client's SSE framing.
  for (let i = start; i < close; i++) if (payload[i] === 0x0a || payload[i] === 0x0d) return undefined;
  return { index, start, end: close + 1 };
}

function escaped(bytes: Buffer, at: number): boolean {
  let backslashes = 0;
  for (let j = at - 1; bytes[j] === BACKSLASH; j--) backslashes++;
  return backslashes % 2 === 1;
}
