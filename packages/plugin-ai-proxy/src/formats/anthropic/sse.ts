/**
 * The Anthropic SSE writer: an event's JSON, kept as bytes (a delta is never decoded to a string or
 * parsed), framed as `event: <type>` + `data: <json>`, its type read from the bytes.
 */
import { interner } from '../../text/interned.js';

const TYPE_PREFIX = Buffer.from('{"type":"', 'latin1');
const QUOTE = 0x22;
/** Event names come from the JSON `type`; anything else could break the SSE framing. */
const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Anthropic's stream event types: matched in place, no string made per delta. */
const knownType = interner([
  'message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error',
]);

// A byte loop beats Buffer#compare on ~100-byte inputs.
function startsWith(bytes: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start <= prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

/**
 * The event's `type`, when it is a usable SSE event name. Anthropic writes it as the first key of every
 * event, so it is read from the bytes when the JSON starts exactly `{"type":"<name>"`; any other layout
 * is parsed. The JSON itself is not validated here: the client parses it, as it would from Anthropic.
 * `start`/`end` take the JSON from a larger buffer (the SSE output it was decoded into).
 */
export function eventType(json: Buffer, start = 0, end = json.length): string | undefined {
  if (startsWith(json, start, end, TYPE_PREFIX)) {
    const nameStart = start + TYPE_PREFIX.length;
    const quote = json.indexOf(QUOTE, nameStart);
    if (quote > 0 && quote < end) {
      const known = knownType(json, nameStart, quote - nameStart);
      if (known !== undefined) return known;
      const name = json.toString('latin1', nameStart, quote);
      if (PLAIN_NAME.test(name)) return name;
    }
  }
  try {
    const type = (JSON.parse(json.toString('utf8', start, end)) as { type?: unknown }).type;
    return typeof type === 'string' && PLAIN_NAME.test(type) ? type : undefined;
  } catch {
    return undefined;
  }
}

/** Interned `event: <type>\ndata: ` prefixes; event names are few (bounded so odd names can't grow it). */
const prefixes = new Map<string, Buffer>();
const MAX_PREFIXES = 64;
const END = Buffer.from('\n\n', 'latin1');

/** `event: <type>\ndata: ` (latin1: the type is a plain name). */
export function ssePrefix(type: string): Buffer {
  let prefix = prefixes.get(type);
  if (prefix === undefined) {
    prefix = Buffer.from(`event: ${type}\ndata: `, 'latin1');
    if (prefixes.size < MAX_PREFIXES) prefixes.set(type, prefix);
  }
  return prefix;
}

/** `event: <type>\ndata: <json>\n\n` as parts. */
export function sseEvent(type: string, json: Buffer): [Buffer, Buffer, Buffer] {
  return [ssePrefix(type), json, END];
}
