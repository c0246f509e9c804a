/**
 * An eventstream `exception` message, as Bedrock ends a stream that failed after it began:
 * `:exception-type` (the stream member name), `:content-type: application/json`, `:message-type: exception`
 * and a `{"message"}` payload. gw writes one only when the upstream stream broke in a way Bedrock itself
 * never sends (cut mid-frame, a bad checksum, no final event): the client's SDK then raises a typed
 * exception, as it would for Bedrock's own, instead of failing to decode. Written rarely, so plainly.
 */
import { crc32 } from 'node:zlib';
import type { AiError } from '../../errors.js';
import { bedrockErrorBody, bedrockErrorType, streamMemberName } from './errors.js';

const STRING = 7;

/** One message: prelude (total length, headers length, prelude CRC), headers, payload, message CRC. */
export function encodeEventMessage(headers: Readonly<Record<string, string>>, payload: Buffer): Buffer {
  const encoded = Object.entries(headers).map(([name, value]) => {
    const nameBytes = Buffer.from(name, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    const header = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    header.writeUInt8(nameBytes.length, 0);
    nameBytes.copy(header, 1);
    header.writeUInt8(STRING, 1 + nameBytes.length);
    header.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
    valueBytes.copy(header, 4 + nameBytes.length);
    return header;
  });
  const headerBytes = Buffer.concat(encoded);
  const total = 12 + headerBytes.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, 12);
  payload.copy(message, 12 + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

/** The exception message for `error`, named as Bedrock names it inside a stream (`internalServerException`). */
export function exceptionFrame(error: AiError): Buffer {
  return encodeEventMessage(
    { ':exception-type': streamMemberName(bedrockErrorType(error)), ':content-type': 'application/json', ':message-type': 'exception' },
    Buffer.from(bedrockErrorBody(error), 'utf8'),
  );
}
