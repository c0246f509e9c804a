/**
 * The payload of an InvokeModelWithResponseStream `chunk` frame, `{"bytes":"<base64>","p":"<padding>"}`:
 * the model's event JSON, taken out as bytes (never decoded to a string), so it can go to the client as it came.
 */
import { decodeBase64 } from './base64.js';

const BYTES_PREFIX = Buffer.from('{"bytes":"', 'latin1');
const QUOTE = 0x22;

// A byte loop beats Buffer#compare on ~100-byte inputs.
function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  if (bytes.length <= prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Whether bytes [start, end) hold a CR or LF. */
export function hasLineBreak(bytes: Buffer, start = 0, end = bytes.length): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte === 0x0a || byte === 0x0d) return true;
  }
  return false;
}

/** The Anthropic event JSON inside a chunk payload `{"bytes":"<base64>","p":"<padding>"}`. */
export function chunkEventJson(payload: Buffer): Buffer | undefined {
  const json = base64Field(payload);
  if (json === undefined) return undefined;
  // SSE data must be one line; compact JSON always is, pretty-printed JSON gets re-serialised.
  if (!hasLineBreak(json)) return json;
  try {
    return Buffer.from(JSON.stringify(JSON.parse(json.toString('utf8'))), 'utf8');
  } catch {
    return undefined;
  }
}

/** Where the base64 of the event JSON starts, past the payload's start, in Bedrock's layout. */
export const CHUNK_BASE64_OFFSET = BYTES_PREFIX.length;

/**
 * The end of the base64 of the event JSON in a payload at bytes [start, end), when it starts `{"bytes":"`
 * as Bedrock writes it (the base64 starts at start + CHUNK_BASE64_OFFSET); -1 for any other layout, which
 * chunkEventJson reads.
 */
export function chunkBase64End(bytes: Buffer, start: number, end: number): number {
  if (end - start <= BYTES_PREFIX.length) return -1;
  for (let i = 0; i < BYTES_PREFIX.length; i++) if (bytes[start + i] !== BYTES_PREFIX[i]) return -1;
  const quote = bytes.indexOf(QUOTE, start + BYTES_PREFIX.length);
  return quote < end ? quote : -1;
}

/**
 * The decoded `bytes` member of the chunk payload. Bedrock writes it first, and base64 has no quotes or
 * escapes, so a prefix check finds it without reading the padding; any other layout goes through
 * JSON.parse.
 */
function base64Field(payload: Buffer): Buffer | undefined {
  if (startsWith(payload, BYTES_PREFIX)) {
    const end = payload.indexOf(QUOTE, BYTES_PREFIX.length);
    if (end > 0) return decodeBase64(payload, BYTES_PREFIX.length, end);
  }
  try {
    const bytes = (JSON.parse(payload.toString('utf8')) as { bytes?: unknown }).bytes;
    return typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : undefined;
  } catch {
    return undefined;
  }
}
