/**
 * CRC-32 (IEEE 802.3, the one zlib and the event-stream format use) of a few bytes, computed in
 * JavaScript: for an 8-byte prelude, zlib's native `crc32` costs more in the view and the binding call
 * than in the arithmetic. Frames' message CRCs (hundreds of bytes) stay native.
 */
const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/** CRC-32 of `bytes[start, end)`, unsigned, equal to `zlib.crc32(bytes.subarray(start, end))`. */
export function crc32Of(bytes: Uint8Array, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
