/** gw's own exception message, checked against the AWS SDK's event-stream codec and gw's decoder. */
import { describe, expect, it } from 'vitest';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { encodeEventMessage, exceptionFrame } from '../../../src/formats/bedrock/exception-frame.js';
import { createFrameDecoder, type Frame } from '../../../src/backends/bedrock/eventstream/frame-decoder.js';
import { fixture, fixtureJson } from '../../support/response-harness.js';

const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => new Uint8Array(Buffer.from(s)));

describe('eventstream exception message', () => {
  it("encodes a message byte for byte as Bedrock's encoder does", () => {
    const decoded = fixtureJson('bedrock/invoke-stream-throttling-after-chunk.decoded.json');
    const last = decoded.messages.at(-1);
    const bin = fixture('bedrock/invoke-stream-throttling-after-chunk.bin');
    const expected = Buffer.from(bin.subarray(bin.byteLength - last.totalLength));
    expect(encodeEventMessage(last.headers, Buffer.from(JSON.stringify(last.payload)))).toEqual(expected);
  });

  it("names the error as a stream member, readable by the SDK's codec and gw's decoder", () => {
    const bytes = exceptionFrame({ status: 502, kind: 'server', message: 'upstream stream ended — cut', native: { status: 500, type: 'InternalServerException' } });
    const message = codec.decode(bytes);
    expect(Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.value]))).toEqual({
      ':exception-type': 'internalServerException', ':content-type': 'application/json', ':message-type': 'exception',
    });
    expect(JSON.parse(Buffer.from(message.body).toString('utf8'))).toEqual({ message: 'upstream stream ended — cut' });
    const frames: Frame[] = [];
    createFrameDecoder().push(bytes, (frame) => void frames.push(frame));
    expect(frames[0]!.length).toBe(bytes.byteLength);
  });
});
