import { describe, expect, it } from 'vitest';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { aiResponseBody, aiResponseHeaders } from '../../../src/phases/response.js';
import { observationsOf } from '../../../src/phases/observations.js';
import { fakeCtx, fixture, fixtureJson, head, prng, randomSplits, shown, splitAt } from '../../support/response-harness.js';
import { nativeExchange, runBytes } from './support.js';

const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => new Uint8Array(Buffer.from(s)));

const STREAMS = [
  'invoke-stream-text', 'invoke-stream-text-padded', 'invoke-stream-tool-use', 'invoke-stream-throttling-after-chunk',
  'invoke-stream-modelStreamError-first', 'converse-stream-text', 'converse-stream-validation-after-event',
];

function setup(responseHeaders: Record<string, string>, overrides = {}) {
  const ctx = fakeCtx();
  const exchange = nativeExchange(overrides);
  const response = head(200, responseHeaders);
  aiResponseHeaders({ ctx, response, exchange });
  return { ctx, exchange, response, transform: aiResponseBody({ ctx, response, exchange })! };
}

function fromFixture(name: string) {
  return setup(fixtureJson(`bedrock/${name}.decoded.json`).responseHeaders);
}

/** Every message of an event stream, decoded by the AWS SDK's own codec. */
function messages(bytes: Uint8Array) {
  const out: { headers: Record<string, unknown>; body: any }[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    const length = Buffer.from(bytes.buffer, bytes.byteOffset + at, 4).readUInt32BE(0);
    const message = codec.decode(bytes.subarray(at, at + length));
    out.push({ headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.value])), body: JSON.parse(Buffer.from(message.body).toString('utf8')) });
    at += length;
  }
  return out;
}

function frame(headers: Record<string, string>, payload: unknown): Uint8Array {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: 'string' as const, value: v }]));
  return codec.encode({ headers: h, body: new Uint8Array(Buffer.from(JSON.stringify(payload))) });
}

const EVENT = { ':content-type': 'application/json', ':message-type': 'event' };
const STREAM_HEAD = { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-bedrock-content-type': 'application/json' };

describe('Bedrock event stream relayed to a Bedrock-native client', () => {
  for (const name of STREAMS) {
    it(`${name}: the client gets Bedrock's bytes unchanged, whatever the network split`, async () => {
      const bytes = fixture(`bedrock/${name}.bin`);
      const splits = [[bytes], Array.from({ length: bytes.byteLength }, (_, i) => bytes.subarray(i, i + 1))];
      for (let at = 1; at < bytes.byteLength; at += 7) splits.push(splitAt(bytes, [at]));
      const random = prng(11);
      for (let round = 0; round < 30; round++) splits.push(randomSplits(bytes, random, 2 + Math.floor(random() * 30)));
      for (const chunks of splits) {
        const { transform, response } = fromFixture(name);
        const { bytes: out } = await runBytes(transform, chunks);
        expect(Buffer.compare(out, Buffer.from(bytes))).toBe(0);
        expect(response.status).toBe(200);
      }
    });
  }

  it('keeps the event-stream head (Claude Code 2.1 refuses a Bedrock stream labelled otherwise) and Bedrock\'s own headers', () => {
    const { response } = fromFixture('invoke-stream-text');
    expect(response.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    expect(response.headers['x-amzn-bedrock-content-type']).toBe('application/json');
    expect(response.headers['x-amzn-requestid']).toBe('82bd8a13-5701-4c1f-9d81-e41c17da3663');
  });

  it('reads usage, model, id, stop reason and the first token of a Claude stream, as the Anthropic pair does', async () => {
    const decoded = fixtureJson('bedrock/invoke-stream-text.decoded.json');
    const events = decoded.messages.map((m: any) => m.decodedBytes);
    const start = events.find((e: any) => e.type === 'message_start').message;
    const delta = events.find((e: any) => e.type === 'message_delta');
    const { transform, exchange } = fromFixture('invoke-stream-text');
    await runBytes(transform, [fixture('bedrock/invoke-stream-text.bin')]);
    expect(exchange.usage).toEqual({ input: start.usage.input_tokens, output: delta.usage.output_tokens, cacheRead: start.usage.cache_read_input_tokens ?? 0, cacheWrite: start.usage.cache_creation_input_tokens ?? 0 });
    expect(exchange.responseModel).toBe(start.model);
    expect(exchange.responseId).toBe(start.id);
    expect(exchange.finishReasons).toEqual([delta.delta.stop_reason]);
    expect(exchange.firstTokenAt).toBeDefined();
    expect(exchange.lastTokenAt).toBeGreaterThanOrEqual(exchange.firstTokenAt!);
    expect(exchange.error).toBeUndefined();
    const seen = observationsOf(exchange)!;
    expect(seen.eventsSent).toBe(decoded.messages.length);
    expect(seen.finalOutputReported).toBe(true);
    expect(seen.bodyEnded).toBe(true);
  });

  it('counts the deltas of a Claude stream, and their decoded size, without decoding them', async () => {
    for (const name of ['invoke-stream-text', 'invoke-stream-text-padded', 'invoke-stream-tool-use']) {
      const events = fixtureJson(`bedrock/${name}.decoded.json`).messages.map((m: any) => m.decodedBytes);
      const deltas = events.filter((e: any) => e.type === 'content_block_delta');
      const { transform, exchange } = fromFixture(name);
      await runBytes(transform, [fixture(`bedrock/${name}.bin`)]);
      const seen = observationsOf(exchange)!;
      expect(seen.deltas, name).toBe(deltas.length);
      expect(seen.deltaBytes, name).toBe(deltas.reduce((n: number, e: unknown) => n + Buffer.byteLength(JSON.stringify(e)), 0));
    }
  });

  it("reads ConverseStream's metadata usage and messageStop's stop reason", async () => {
    const { transform, exchange } = fromFixture('converse-stream-text');
    await runBytes(transform, [fixture('bedrock/converse-stream-text.bin')]);
    expect(exchange.usage).toEqual({ input: 15, output: 4, cacheRead: 0, cacheWrite: 0 });
    expect(exchange.finishReasons).toEqual(['end_turn']);
    expect(exchange.firstTokenAt).toBeDefined();
    expect(exchange.error).toBeUndefined();
    expect(observationsOf(exchange)!.deltas).toBe(4);
  });

  it('reads cache counts from ConverseStream metadata', async () => {
    const { transform, exchange } = setup(STREAM_HEAD);
    const stream = Buffer.concat([
      frame({ ':event-type': 'messageStart', ...EVENT }, { role: 'assistant' }),
      frame({ ':event-type': 'contentBlockDelta', ...EVENT }, { contentBlockIndex: 0, delta: { text: 'hi' } }),
      frame({ ':event-type': 'messageStop', ...EVENT }, { stopReason: 'max_tokens' }),
      frame({ ':event-type': 'metadata', ...EVENT }, { usage: { inputTokens: 3, outputTokens: 1, totalTokens: 104, cacheReadInputTokens: 60, cacheWriteInputTokens: 40 }, metrics: { latencyMs: 9 } }),
    ]);
    await runBytes(transform, [stream]);
    expect(exchange.usage).toEqual({ input: 3, output: 1, cacheRead: 60, cacheWrite: 40 });
    expect(exchange.finishReasons).toEqual(['max_tokens']);
  });

  it("reads another model's stream (no Anthropic events) from Bedrock's invocation metrics", async () => {
    const chunk = (event: unknown) => frame({ ':event-type': 'chunk', ...EVENT }, { bytes: Buffer.from(JSON.stringify(event)).toString('base64') });
    const { transform, exchange } = setup(STREAM_HEAD, { requestModel: 'meta.llama3-70b-instruct-v1:0' });
    const stream = Buffer.concat([
      chunk({ generation: 'Hello', prompt_token_count: 12, generation_token_count: 1, stop_reason: null }),
      chunk({ generation: '!', prompt_token_count: null, generation_token_count: 2, stop_reason: 'stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 12, outputTokenCount: 2, invocationLatency: 200, firstByteLatency: 90 } }),
    ]);
    const { bytes } = await runBytes(transform, [stream]);
    expect(Buffer.compare(bytes, stream)).toBe(0);
    expect(exchange.usage).toEqual({ input: 12, output: 2, cacheRead: 0, cacheWrite: 0 });
    expect(exchange.firstTokenAt).toBeDefined();
    expect(exchange.error).toBeUndefined();
  });

  it("passes Bedrock's own exception on as sent, records it in Bedrock's terms, and ends the response there", async () => {
    const { transform, exchange } = fromFixture('invoke-stream-throttling-after-chunk');
    const bin = fixture('bedrock/invoke-stream-throttling-after-chunk.bin');
    const { bytes, terminated } = await runBytes(transform, [bin, Buffer.from('bytes after the exception')]);
    expect(Buffer.compare(bytes, Buffer.from(bin))).toBe(0);
    expect(terminated).toBe(true);
    expect(shown(exchange)).toEqual({ status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' });
    expect(exchange.error?.kind).toBe('rate_limited');
    expect(observationsOf(exchange)!.upstreamErrorType).toBe('ThrottlingException');
  });

  it('ends a stream cut in the middle of a frame with the whole frames, then an internalServerException the SDK can decode', async () => {
    const bin = fixture('bedrock/invoke-stream-text.bin');
    const decoded = fixtureJson('bedrock/invoke-stream-text.decoded.json');
    const wholeBytes = decoded.messages.slice(0, 4).reduce((n: number, m: any) => n + m.totalLength, 0);
    for (const cut of [wholeBytes + 1, wholeBytes + 20, wholeBytes + decoded.messages[4].totalLength - 1]) {
      const { transform, exchange } = fromFixture('invoke-stream-text');
      const { bytes } = await runBytes(transform, splitAt(bin.subarray(0, cut), [5, wholeBytes + 1]));
      expect(Buffer.compare(bytes.subarray(0, wholeBytes), Buffer.from(bin.subarray(0, wholeBytes)))).toBe(0);
      const out = messages(bytes);
      expect(out).toHaveLength(5);
      expect(out[4]).toEqual({
        headers: { ':exception-type': 'internalServerException', ':content-type': 'application/json', ':message-type': 'exception' },
        body: { message: 'upstream stream ended in the middle of an event' },
      });
      expect(shown(exchange)).toEqual({ status: 500, type: 'InternalServerException', message: 'upstream stream ended in the middle of an event' });
    }
  });

  it('ends a stream that stops at a frame boundary before its last event with an exception too', async () => {
    const bin = fixture('bedrock/converse-stream-text.bin');
    const decoded = fixtureJson('bedrock/converse-stream-text.decoded.json');
    const wholeBytes = decoded.messages.slice(0, 6).reduce((n: number, m: any) => n + m.totalLength, 0);
    const { transform, exchange } = fromFixture('converse-stream-text');
    const { bytes } = await runBytes(transform, [bin.subarray(0, wholeBytes)]);
    const out = messages(bytes);
    expect(out).toHaveLength(7);
    expect(out[6]!.headers[':exception-type']).toBe('internalServerException');
    expect(exchange.error?.message).toBe('upstream stream ended in the middle of an event');
  });

  it('stops at a corrupt frame: the frames before it, then an exception naming the fault', async () => {
    const bin = Buffer.from(fixture('bedrock/invoke-stream-text.bin'));
    const decoded = fixtureJson('bedrock/invoke-stream-text.decoded.json');
    const before = decoded.messages.slice(0, 3).reduce((n: number, m: any) => n + m.totalLength, 0);
    bin[before + 30] ^= 0xff; // inside the fourth frame's headers: its message CRC no longer matches
    const { transform, exchange } = fromFixture('invoke-stream-text');
    const { bytes, terminated } = await runBytes(transform, [bin]);
    expect(terminated).toBe(true);
    const out = messages(bytes);
    expect(out).toHaveLength(4);
    expect(out[3]!.body).toEqual({ message: 'upstream stream is corrupt: message checksum mismatch' });
    expect(exchange.error?.kind).toBe('server');
  });

  it('logs the payload as the events it carried, one per line', async () => {
    const { transform, exchange } = setup(fixtureJson('bedrock/converse-stream-text.decoded.json').responseHeaders, { logPayloads: true });
    await runBytes(transform, [fixture('bedrock/converse-stream-text.bin')]);
    const lines = exchange.responsePayload!.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[1]).toEqual({ contentBlockIndex: 0, delta: { text: 'hi ' } });
    expect(lines.at(-1).usage).toEqual({ inputTokens: 15, outputTokens: 4, totalTokens: 19 });
  });
});
