/**
 * Base64 straight from the payload bytes: Node can only decode base64 from a string, and making that
 * string per frame cost as much as decoding. Anything but canonical base64 goes to Node's decoder, so
 * odd input decodes exactly as before.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d;

/** The decoded size of canonical base64 in [start, end), or -1 when its length can't be canonical. */
export function base64Length(src: Buffer, start: number, end: number): number {
  const length = end - start;
  if (length % 4 !== 0) return -1;
  const padding = length >= 2 && src[end - 1] === PAD ? (src[end - 2] === PAD ? 2 : 1) : 0;
  return (length / 4) * 3 - padding;
}

/**
 * Decodes canonical base64 [start, end) into `out` at `at` (room for base64Length bytes), so a caller can
 * put the bytes where they go next without a Buffer per call. False, at the first character that isn't
 * canonical base64: what was written is garbage, and the caller takes decodeBase64's way instead.
 */
export function decodeBase64Into(src: Buffer, start: number, end: number, out: Buffer, at: number): boolean {
  const length = end - start;
  const padding = length >= 2 && src[end - 1] === PAD ? (src[end - 2] === PAD ? 2 : 1) : 0;
  const last = end - (padding > 0 ? 4 : 0);
  let o = at;
  let i = start;
  for (; i < last; i += 4) {
    const a = VALUE[src[i]!]!, b = VALUE[src[i + 1]!]!, c = VALUE[src[i + 2]!]!, d = VALUE[src[i + 3]!]!;
    if ((a | b | c | d) < 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (padding > 0) {
    const a = VALUE[src[i]!]!, b = VALUE[src[i + 1]!]!, c = padding === 1 ? VALUE[src[i + 2]!]! : 0;
    if ((a | b | c) < 0) return false;
    const n = (a << 18) | (b << 12) | (c << 6);
    out[o++] = n >>> 16;
    if (padding === 1) out[o++] = (n >>> 8) & 0xff;
  }
  return true;
}

export function decodeBase64(src: Buffer, start: number, end: number): Buffer {
  const length = base64Length(src, start, end);
  if (length < 0) return fallback(src, start, end);
  const out = Buffer.allocUnsafe(length);
  return decodeBase64Into(src, start, end, out, 0) ? out : fallback(src, start, end);
}

function fallback(src: Buffer, start: number, end: number): Buffer {
  return Buffer.from(src.toString('latin1', start, end), 'base64');
}
