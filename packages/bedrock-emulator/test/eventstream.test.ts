// The encoder against the captured Bedrock streams, and the emulator's stream against their structure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEventStream, encodeChunk, encodeException, padding } from '../src/eventstream.js';
import { DEFAULT_CREDENTIALS, startBedrockEmulator } from '../src/index.js';
import type { Emulator } from '../src/index.js';
import { MODEL, anthropicBody, fixtureBytes, fixtureJson, signedFetch } from './fixtures.js';

const CAPTURES = [
  'invoke-stream-text',
  'invoke-stream-text-padded',
  'invoke-stream-tool-use',
  'invoke-stream-throttling-after-chunk',
  'invoke-stream-modelStreamError-first',
];

interface Captured {
  responseHeaders: Record<string, string>;
  messages: { totalLength: number; headersLength: number; headers: Record<string, string>; payload: any; decodedBytes?: any }[];
}

const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

describe('encoding matches the captures byte for byte', () => {
  it('encodes the worked single-chunk example', () => {
    expect(encodeChunk({ type: 'message_stop' })).toEqual(fixtureBytes('single-chunk-message.bin'));
  });

  for (const name of CAPTURES) {
    it(`re-encodes ${name}.bin from its decoded messages`, () => {
      const captured = fixtureJson<Captured>(`${name}.decoded.json`);
      const encoded = concat(
        captured.messages.map((m) =>
          m.headers[':message-type'] === 'exception'
            ? encodeException(m.headers[':exception-type'], m.payload.message)
            : encodeChunk(m.decodedBytes, m.payload.p),
        ),
      );
      expect(encoded).toEqual(fixtureBytes(`${name}.bin`));
    });

    it(`decodes ${name}.bin like the capture`, () => {
      const captured = fixtureJson<Captured>(`${name}.decoded.json`);
      const decoded = decodeEventStream(fixtureBytes(`${name}.bin`));
      expect(decoded.map((m) => m.headers)).toEqual(captured.messages.map((m) => m.headers));
      expect(decoded.map((m) => m.totalLength)).toEqual(captured.messages.map((m) => m.totalLength));
      expect(decoded.map((m) => m.event)).toEqual(captured.messages.map((m) => m.decodedBytes));
    });
  }

  it('refuses a stream that ends mid-frame', () => {
    const bytes = fixtureBytes('invoke-stream-text.bin');
    expect(() => decodeEventStream(bytes.subarray(0, bytes.length - 10))).toThrow(/truncated/);
  });

  it('pads with a non-empty prefix of the alphabet', () => {
    for (let i = 0; i < 100; i++) expect('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.startsWith(padding(i))).toBe(true);
    expect(new Set(Array.from({ length: 20 }, (_, i) => padding(i).length)).size).toBeGreaterThan(5);
  });
});

describe('the emulator stream has the structure of the captures', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startBedrockEmulator();
  });
  afterAll(() => emulator.close());

  const sign = { ...DEFAULT_CREDENTIALS[0], region: 'us-east-1' };
  const stream = async (text: string, modelPath = encodeURIComponent(MODEL)) => {
    const res = await signedFetch(emulator.url, `/model/${modelPath}/invoke-with-response-stream`, anthropicBody(text), sign);
    return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  const shape = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
      : typeof value;

  for (const [scenario, capture] of [
    ['text', 'invoke-stream-text-padded'],
    ['tool_use', 'invoke-stream-tool-use'],
  ] as const) {
    it(`${scenario} matches ${capture} in headers, frame headers and event shapes`, async () => {
      const captured = fixtureJson<Captured>(`${capture}.decoded.json`);
      const { res, bytes } = await stream(`[scenario:${scenario}] hi`);
      expect(res.status).toBe(200);
      for (const header of ['content-type', 'x-amzn-bedrock-content-type']) {
        expect(res.headers.get(header)).toBe(captured.responseHeaders[header]);
      }
      expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      const messages = decodeEventStream(bytes);
      const ours = messages.map((m) => ({ headers: m.headers, payloadKeys: Object.keys(m.payload as object), event: shape(m.event) }));
      const theirs = captured.messages.map((m) => ({ headers: m.headers, payloadKeys: Object.keys(m.payload), event: shape(m.decodedBytes) }));
      // Same kinds of events in the same order; the number of deltas depends on the text.
      const dedupe = <T>(list: T[]) => list.filter((x, i) => i === 0 || JSON.stringify(x) !== JSON.stringify(list[i - 1]));
      expect(dedupe(ours)).toEqual(dedupe(theirs));
      for (const m of messages) expect((m.payload as { p: string }).p.length).toBeGreaterThan(0);
    });
  }

  it('ends an exception_mid_stream stream with an exception frame shaped like the capture', async () => {
    const captured = fixtureJson<Captured>('invoke-stream-throttling-after-chunk.decoded.json');
    emulator.queue({ name: 'exception_mid_stream', exception: { type: 'throttlingException', message: 'Too many requests, please wait before trying again.' } });
    const messages = decodeEventStream((await stream('x')).bytes);
    expect(messages.map((m) => m.headers)).toEqual(captured.messages.map((m) => m.headers));
    expect(messages.at(-1)!.payload).toEqual(captured.messages.at(-1)!.payload);
    expect(messages.at(-1)!.totalLength).toBe(captured.messages.at(-1)!.totalLength);
  });

  it('sends a lone exception frame for exception_first, like the capture', async () => {
    const { bytes } = await stream('[scenario:exception_first] x');
    expect(bytes).toEqual(fixtureBytes('invoke-stream-modelStreamError-first.bin'));
  });

  it('cuts the stream mid-frame for truncated', async () => {
    const { bytes } = await stream('[scenario:truncated] x');
    expect(() => decodeEventStream(bytes)).toThrow(/truncated/);
  });

  it('accepts raw-colon and ARN model ids, decoding the path segment', async () => {
    const { res } = await stream('x', MODEL);
    expect(res.status).toBe(200);
    expect(emulator.received.at(-1)!.modelId).toBe(MODEL);
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
    const arnRes = await stream('x', encodeURIComponent(arn));
    expect(arnRes.res.status).toBe(200);
    expect(emulator.received.at(-1)).toMatchObject({ modelId: arn, signatureValid: true });
  });

  it('answers Bedrock error shapes with x-amzn-errortype and a message body', async () => {
    const { res, bytes } = await stream('[scenario:throttle] x');
    expect(res.status).toBe(429);
    expect(res.headers.get('x-amzn-errortype')).toBe('ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/');
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(JSON.parse(Buffer.from(bytes).toString())).toEqual({ message: 'Too many requests, please wait before trying again.' });

    const bad = await signedFetch(emulator.url, `/model/${encodeURIComponent(MODEL)}/invoke`, anthropicBody('x'), { ...sign, secretAccessKey: 'nope' });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
    const unknownKey = await signedFetch(emulator.url, `/model/${encodeURIComponent(MODEL)}/invoke`, anthropicBody('x'), { ...sign, accessKeyId: 'AKIDNOPE' });
    expect(unknownKey.status).toBe(403);
    expect(unknownKey.headers.get('x-amzn-errortype')).toMatch(/^UnrecognizedClientException:/);
    const old = await signedFetch(emulator.url, `/model/${encodeURIComponent(MODEL)}/invoke`, anthropicBody('x'), { ...sign, date: new Date(Date.now() - 3600_000) });
    expect(old.status).toBe(403);
    expect(((await old.json()) as { message: string }).message).toMatch(/^Signature expired/);
  });
});
