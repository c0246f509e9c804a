import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { aiResponseBody, aiResponseHeaders } from '../../../src/phases/response.js';
import { fakeCtx, fixture, fixtureJson, head, makeExchange, parseSse, prng, randomSplits, run, splitAt, shown } from '../../support/response-harness.js';

const INVOKE = ['invoke-stream-text', 'invoke-stream-text-padded', 'invoke-stream-tool-use'];
const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => new Uint8Array(Buffer.from(s)));

/** Upstream response head from the fixture, run through aiResponseHeaders like the engine would. */
function setup(name: string, exchangeOverrides = {}) {
  const decoded = fixtureJson(`bedrock/${name}.decoded.json`);
  const ctx = fakeCtx();
  const exchange = makeExchange(exchangeOverrides);
  const response = head(decoded.httpStatus, decoded.responseHeaders);
  aiResponseHeaders({ ctx, response, exchange });
  const stream = new TransformStream(aiResponseBody({ ctx, response, exchange })!);
  return { decoded, ctx, exchange, response, stream };
}

/** What the SSE must be: one event per chunk frame, named by its JSON type; message_delta gains cache usage. */
function expectedEvents(decoded: any) {
  const chunks = decoded.messages.filter((m: any) => m.headers[':message-type'] === 'event').map((m: any) => m.decodedBytes);
  const start = chunks.find((e: any) => e.type === 'message_start')?.message.usage;
  return chunks.map((data: any) => {
    if (data.type !== 'message_delta') return { event: data.type, data };
    const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens } = start;
    return { event: data.type, data: { ...data, usage: { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, ...data.usage } } };
  });
}

function frame(headers: Record<string, string>, payload: unknown): Uint8Array {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: 'string' as const, value: v }]));
  return codec.encode({ headers: h, body: new Uint8Array(Buffer.from(JSON.stringify(payload))) });
}

function chunkFrame(event: unknown, padding = ''): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  return frame({ ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' }, padding ? { bytes, p: padding } : { bytes });
}

describe('Bedrock event stream → SSE', () => {
  for (const name of INVOKE) {
    it(`${name}: events match the .decoded.json for every split point`, async () => {
      const bytes = fixture(`bedrock/${name}.bin`);
      const splits = [[bytes], Array.from({ length: bytes.byteLength }, (_, i) => bytes.subarray(i, i + 1))];
      for (let at = 1; at < bytes.byteLength; at++) splits.push(splitAt(bytes, [at]));
      const random = prng(7);
      for (let round = 0; round < 50; round++) splits.push(randomSplits(bytes, random, 2 + Math.floor(random() * 40)));
      for (const chunks of splits) {
        const { decoded, stream, response, exchange } = setup(name);
        const events = parseSse(await run(stream, chunks));
        expect(events).toEqual(expectedEvents(decoded));
        expect(response.status).toBe(200);
        expect(exchange.error).toBeUndefined();
      }
    });
  }

  it('rewrites the head: SSE content type, no-cache, no length or Bedrock headers', () => {
    const { response } = setup('invoke-stream-text');
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-amzn-bedrock-content-type']).toBeUndefined();
    expect(response.headers['x-amzn-requestid']).toBe('82bd8a13-5701-4c1f-9d81-e41c17da3663');
    expect(Object.keys(response.headers)).not.toContain('content-length');
  });

  it('keeps invocation metrics in message_stop and uses them for usage', async () => {
    const { stream, exchange } = setup('invoke-stream-tool-use');
    const events = parseSse(await run(stream, [fixture('bedrock/invoke-stream-tool-use.bin')]));
    expect(events.at(-1)!.data['amazon-bedrock-invocationMetrics'].outputTokenCount).toBe(15);
    expect(exchange.usage).toEqual({ input: 27, output: 15, cacheRead: 0, cacheWrite: 0 });
    expect(exchange.responseModel).toBe('claude-haiku-4-5-20251001');
    expect(exchange.firstTokenAt).toBeGreaterThan(1000);
    expect(exchange.lastTokenAt).toBeGreaterThan(exchange.firstTokenAt!);
  });

  it('times the first token at the first block, also when it comes whole without a delta (a tool call)', async () => {
    const { stream, exchange } = setup('invoke-stream-text');
    const events = [
      { type: 'message_start', message: { id: 'msg_1', model: 'claude-haiku-4-5-20251001', usage: { input_tokens: 9, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 12 } },
      { type: 'message_stop' },
    ];
    await run(stream, events.map((e) => chunkFrame(e)));
    expect(exchange.firstTokenAt).toBeGreaterThan(1000);
    expect(exchange.usage.output).toBe(12);
  });

  it('enqueues each event as soon as its frame is complete', async () => {
    const { stream } = setup('invoke-stream-text');
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    const bytes = fixture('bedrock/invoke-stream-text.bin');
    const first = fixtureJson('bedrock/invoke-stream-text.decoded.json').messages[0].totalLength;
    void writer.write(bytes.subarray(0, first));
    const { value } = await reader.read();
    expect(Buffer.from(value!).toString()).toMatch(/^event: message_start\ndata: /);
    void writer.write(bytes.subarray(first));
    void writer.close();
  });

  it('turns an exception in the first frame into an HTTP error', async () => {
    const { stream, response, exchange } = setup('invoke-stream-modelStreamError-first');
    const body = await run(stream, [fixture('bedrock/invoke-stream-modelStreamError-first.bin')]);
    expect(response.status).toBe(502);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(response.headers['transfer-encoding']).toBeUndefined();
    expect(response.headers['cache-control']).toBeUndefined();
    expect(JSON.parse(body)).toEqual({ type: 'error', error: { type: 'api_error', message: 'Model stream error: the model produced an unexpected output.' } });
    expect(shown(exchange)).toEqual({ status: 502, type: 'api_error', message: 'Model stream error: the model produced an unexpected output.' });
  });

  it('ends with an SSE error event after a mid-stream exception, never a fake message_stop', async () => {
    const bytes = fixture('bedrock/invoke-stream-throttling-after-chunk.bin');
    for (let at = 1; at < bytes.byteLength; at++) {
      const { stream, response, exchange } = setup('invoke-stream-throttling-after-chunk');
      const events = parseSse(await run(stream, splitAt(bytes, [at])));
      expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'error']);
      expect(events[2]!.data).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'Too many requests, please wait before trying again.' } });
      expect(response.status).toBe(200);
      expect(shown(exchange)).toMatchObject({ status: 429, type: 'rate_limit_error' });
    }
  });

  it('drops whatever follows an exception, and ends the body there (terminate)', async () => {
    const { stream } = setup('invoke-stream-text');
    const bytes = fixture('bedrock/invoke-stream-text.bin');
    const exception = frame({ ':exception-type': 'internalServerException', ':content-type': 'application/json', ':message-type': 'exception' }, { message: 'boom' });
    const seen: { terminated?: boolean } = {};
    const events = parseSse(await run(stream, [bytes.subarray(0, 515), exception, bytes.subarray(515)], seen));
    expect(events.map((e) => e.event)).toEqual(['message_start', 'error']);
    expect(events[1]!.data.error).toEqual({ type: 'api_error', message: 'boom' });
    expect(seen.terminated).toBe(true);
  });

  it('a whole stream ends by the upstream, not by terminate', async () => {
    const { stream } = setup('invoke-stream-text');
    const seen: { terminated?: boolean } = {};
    const events = parseSse(await run(stream, [fixture('bedrock/invoke-stream-text.bin')], seen));
    expect(events.at(-1)!.event).toBe('message_stop');
    expect(seen.terminated).toBeUndefined();
  });

  it('treats a protocol-level error frame (:error-code) like an exception', async () => {
    const { stream, response } = setup('invoke-stream-text');
    const error = frame({ ':message-type': 'error', ':error-code': 'ThrottlingException', ':error-message': 'slow' }, {});
    const body = await run(stream, [error]);
    expect(response.status).toBe(429);
    expect(JSON.parse(body).error).toEqual({ type: 'rate_limit_error', message: 'slow' });
  });

  it('reports a stream cut mid-frame as GW_ERR_AI_STREAM_TRUNCATED, mid-stream and before any event', async () => {
    const bytes = fixture('bedrock/invoke-stream-text.bin');
    const mid = setup('invoke-stream-text');
    const events = parseSse(await run(mid.stream, [bytes.subarray(0, 1000)]));
    expect(events.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'api_error', message: 'upstream stream ended in the middle of an event' } } });
    expect(shown(mid.exchange)?.status).toBe(502);

    const early = setup('invoke-stream-text');
    const body = await run(early.stream, [bytes.subarray(0, 100)]);
    expect(early.response.status).toBe(502);
    expect(JSON.parse(body).error.message).toBe('upstream stream ended in the middle of an event');
  });

  it('reports a stream that ends cleanly but without message_stop as truncated', async () => {
    const bytes = fixture('bedrock/invoke-stream-text.bin');
    const { stream } = setup('invoke-stream-text');
    const events = parseSse(await run(stream, [bytes.subarray(0, 515 + 215)]));
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'error']);
  });

  it('reports a CRC failure as GW_ERR_AI_STREAM_CORRUPT', async () => {
    const bytes = fixture('bedrock/invoke-stream-text.bin').slice();
    bytes[515 + 100] ^= 0x20; // inside the second frame's payload
    const { stream, exchange } = setup('invoke-stream-text');
    const events = parseSse(await run(stream, [bytes]));
    expect(events.map((e) => e.event)).toEqual(['message_start', 'error']);
    expect(events[1]!.data.error.message).toMatch(/^upstream stream is corrupt: /);
    expect(shown(exchange)?.status).toBe(502);
  });

  it('passes ping through and fills message_delta cache usage from message_start', async () => {
    const usage = { input_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 1 };
    const chunks = [
      chunkFrame({ type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'claude-x', content: [], usage } }, 'abcdef'),
      chunkFrame({ type: 'ping' }),
      chunkFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'line\nbreak "quoted"' } }),
      chunkFrame({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 42 } }),
      chunkFrame({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 999, outputTokenCount: 999, cacheReadInputTokenCount: 7 } }),
    ];
    const { stream, exchange } = setup('invoke-stream-text');
    const events = parseSse(await run(stream, chunks));
    expect(events.map((e) => e.event)).toEqual(['message_start', 'ping', 'content_block_delta', 'message_delta', 'message_stop']);
    expect(events[2]!.data.delta.text).toBe('line\nbreak "quoted"');
    expect(events[3]!.data.usage).toEqual({ input_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000, output_tokens: 42 });
    // Event counts win over the metrics.
    expect(exchange.usage).toEqual({ input: 5, output: 42, cacheRead: 2000, cacheWrite: 100 });
  });

  it('falls back to invocation metrics (incl. cache counts) when the events carry no usage', async () => {
    const chunks = [
      chunkFrame({ type: 'message_start', message: { id: 'm', model: 'claude-x', content: [] } }),
      chunkFrame({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 11, outputTokenCount: 22, cacheReadInputTokenCount: 33, cacheWriteInputTokenCount: 44 } }),
    ];
    const { stream, exchange } = setup('invoke-stream-text');
    await run(stream, chunks);
    expect(exchange.usage).toEqual({ input: 11, output: 22, cacheRead: 33, cacheWrite: 44 });
  });

  it('keeps the SSE as the response payload only with log_payloads', async () => {
    const bytes = fixture('bedrock/invoke-stream-text.bin');
    const off = setup('invoke-stream-text');
    await run(off.stream, [bytes]);
    expect(off.exchange.responsePayload).toBeUndefined();
    const on = setup('invoke-stream-text', { logPayloads: true });
    const sse = await run(on.stream, [bytes]);
    expect(on.exchange.responsePayload).toBe(sse);
  });

  it('maps every in-stream exception member like the HTTP errors, as HTTP error first and SSE error later', async () => {
    const rows: [string, number, string][] = [
      ['internalServerException', 500, 'api_error'], ['modelStreamErrorException', 502, 'api_error'],
      ['validationException', 400, 'invalid_request_error'], ['throttlingException', 429, 'rate_limit_error'],
      ['modelTimeoutException', 504, 'api_error'], ['serviceUnavailableException', 529, 'overloaded_error'],
    ];
    const start = fixture('bedrock/invoke-stream-text.bin').subarray(0, 515);
    for (const [member, status, type] of rows) {
      const exception = frame({ ':exception-type': member, ':content-type': 'application/json', ':message-type': 'exception' }, { message: member });
      const first = setup('invoke-stream-text');
      expect(JSON.parse(await run(first.stream, [exception])), member).toEqual({ type: 'error', error: { type, message: member } });
      expect(first.response.status).toBe(status);
      const later = setup('invoke-stream-text');
      const events = parseSse(await run(later.stream, [start, exception]));
      expect(events.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type, message: member } } });
      expect(later.response.status).toBe(200);
      expect(shown(later.exchange)).toEqual({ status, type, message: member });
    }
  });

  it('never answers an empty 200: a stream without InvokeModel chunks (e.g. ConverseStream) is an error', async () => {
    const { stream, response } = setup('converse-stream-text');
    const body = await run(stream, [fixture('bedrock/converse-stream-text.bin')]);
    expect(response.status).toBe(502);
    expect(JSON.parse(body).type).toBe('error');
    const empty = setup('invoke-stream-text');
    expect(JSON.parse(await run(empty.stream, [])).error.type).toBe('api_error');
    expect(empty.response.status).toBe(502);
  });
});

describe('Bedrock stream: what goes out when', () => {
  it('sends the first event alone at once, then every event a chunk completes in one piece, holding back only the unfinished frame', async () => {
    const { stream } = setup('invoke-stream-text');
    const events = [
      { type: 'message_start', message: { id: 'm', model: 'x', usage: { input_tokens: 1, output_tokens: 1 } } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'é' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '中' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '!' } },
    ];
    const bytes = Buffer.concat(events.map((e) => chunkFrame(e)));
    const cut = bytes.length - 10; // the fourth frame is unfinished
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    const read = async () => parseSse(Buffer.from((await reader.read()).value!).toString('utf8')).map((e) => e.data);
    void writer.write(bytes.subarray(0, cut));
    // Time to first byte: message_start does not wait for the rest of its chunk to be decoded.
    expect(await read()).toEqual(events.slice(0, 1));
    expect(await read()).toEqual(events.slice(1, 3));
    void writer.write(bytes.subarray(cut));
    expect(await read()).toEqual(events.slice(3));
  });
});

describe('Bedrock stream keep-alive pings', () => {
  afterEach(() => vi.useRealTimers());
  const start = { type: 'message_start', message: { id: 'm', model: 'x', usage: { input_tokens: 1, output_tokens: 1 } } };
  const delta = (text: string) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
  const stop = { type: 'message_stop' };

  /** The transform on a fake clock, every event it sends collected in order. */
  function open(pingIntervalMs: number) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { stream } = setup('invoke-stream-text', { pingIntervalMs });
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    const events: string[] = [];
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        events.push(...parseSse(Buffer.from(value).toString('utf8')).map((e) => e.event));
      }
    })();
    return { writer, reader, events, reading };
  }

  /** Drives the transform by hand: each step writes frames or moves the clock; returns every event in order. */
  async function drive(pingIntervalMs: number, steps: Array<{ frames?: unknown[]; bytes?: Uint8Array; advance?: number }>) {
    const { writer, events, reading } = open(pingIntervalMs);
    for (const step of steps) {
      if (step.frames) await writer.write(Buffer.concat(step.frames.map((f) => chunkFrame(f))));
      if (step.bytes) await writer.write(step.bytes);
      if (step.advance) await vi.advanceTimersByTimeAsync(step.advance);
    }
    await writer.close();
    await reading;
    await vi.advanceTimersByTimeAsync(60_000); // no timer left behind after the end
    return events;
  }

  it('sends a ping after each interval of upstream silence once the stream has started, never before', async () => {
    const first = chunkFrame(start);
    const events = await drive(1000, [
      // Waiting for the rest of Bedrock's first frame: nothing is sent, not even a ping.
      { bytes: first.subarray(0, 20), advance: 5000 },
      { bytes: first.subarray(20), advance: 999 },
      { advance: 1 }, // 1,000 ms of silence
      { advance: 1000 }, // and another
      { frames: [delta('a')], advance: 600 },
      { frames: [delta('b')], advance: 600 }, // each chunk pushes the next ping back
      { frames: [delta('c'), stop] },
    ]);
    expect(events).toEqual(['message_start', 'ping', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'message_stop']);
  });

  it('sends none when the interval is 0', async () => {
    const events = await drive(0, [{ frames: [start], advance: 60_000 }, { frames: [delta('a'), stop] }]);
    expect(events).toEqual(['message_start', 'content_block_delta', 'message_stop']);
  });

  it('sends none after the stream failed', async () => {
    const { writer, reader, events, reading } = open(1000);
    await writer.write(chunkFrame(start));
    await vi.advanceTimersByTimeAsync(1000);
    const exception = frame({ ':exception-type': 'internalServerException', ':content-type': 'application/json', ':message-type': 'exception' }, { message: 'boom' });
    await writer.write(exception).catch(() => {});
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events).toEqual(['message_start', 'ping', 'error']);
    await reader.cancel();
    await reading;
  });

  it('logs the pings with the payload when payloads are logged', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    for (const logPayloads of [true, false]) {
      const { stream, exchange } = setup('invoke-stream-text', { pingIntervalMs: 1000, logPayloads });
      const writer = stream.writable.getWriter();
      const reading = new Response(stream.readable).text();
      await writer.write(chunkFrame(start));
      await vi.advanceTimersByTimeAsync(1000);
      await writer.write(Buffer.concat([chunkFrame(delta('a')), chunkFrame(stop)]));
      await writer.close();
      const sent = await reading;
      expect(sent).toContain('event: ping\ndata: {"type":"ping"}\n\n');
      expect(exchange.responsePayload).toBe(logPayloads ? sent : undefined);
    }
  });
});

