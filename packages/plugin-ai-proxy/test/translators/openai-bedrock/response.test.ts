/**
 * Converse answers and ConverseStream bytes (recorded: test/fixtures/bedrock/converse-stream-*.bin, and
 * Kong's recording of real Bedrock) through the pair's response side, read back by the real `openai` SDK
 * (a client whose fetch returns gw's bytes): what an OpenAI client makes of gw's translation.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { GatewayError } from '@gw/plugin-api';
import { encodeConverseEvent, encodeException } from '@gw/bedrock-emulator';
import { aiResponseBody, aiResponseHeaders } from '../../../src/phases/response.js';
import { observationsOf } from '../../../src/phases/observations.js';
import { openaiFormat } from '../../../src/formats/openai/index.js';
import { openaiToBedrock } from '../../../src/translators/openai-bedrock/index.js';
import type { ConversePlan } from '../../../src/translators/openai-bedrock/plan.js';
import { LOCAL_FIXTURES, fakeCtx, fixture, head, makeExchange, prng, randomSplits, run, splitAt } from '../../support/response-harness.js';

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const STREAM_HEAD = { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-1' };

function setup(mode: 'stream' | 'oneshot', status = 200, headers: Record<string, string> = mode === 'stream' ? STREAM_HEAD : { 'content-type': 'application/json' }, includeUsage = true) {
  const ctx = { ...fakeCtx(), id: '0123456789abcdef0123456789abcdef' } as ReturnType<typeof fakeCtx> & { id: string };
  const exchange = makeExchange({ translator: openaiToBedrock, format: openaiFormat, mode, requestModel: MODEL });
  const response = head(status, headers);
  const plan = { includeUsage } as ConversePlan;
  aiResponseHeaders({ ctx, response, exchange, plan });
  return { ctx, exchange, response, transform: aiResponseBody({ ctx, response, exchange, plan })! };
}

/** The real SDK reading gw's answer, as if from the network. */
function sdk(status: number, headers: Record<string, string | string[] | undefined>, body: string): OpenAI {
  const flat = Object.fromEntries(Object.entries(headers).filter(([, v]) => typeof v === 'string') as [string, string][]);
  return new OpenAI({ apiKey: 'k', maxRetries: 0, fetch: async () => new Response(body, { status, headers: flat }) });
}

async function streamed(chunks: Uint8Array[], includeUsage = true) {
  const { response, exchange, transform } = setup('stream', 200, STREAM_HEAD, includeUsage);
  const seen: { errored?: unknown } = {};
  const text = await run(transform, chunks, seen);
  return { text, response, exchange, errored: seen.errored };
}

async function sdkStream(text: string, headers: Record<string, string | string[] | undefined>) {
  const stream = await sdk(200, headers, text).chat.completions.create({ model: MODEL, messages: [], stream: true });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  let error: unknown;
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (e) {
    error = e;
  }
  return { chunks, error };
}

const ev = (type: string, payload: Record<string, unknown>) => encodeConverseEvent(type, payload);

describe('ConverseStream → chat.completion.chunk', () => {
  it('the recorded converse-stream-text.bin, split at every byte, reads as one answer with usage and [DONE]', async () => {
    const bytes = fixture('bedrock/converse-stream-text.bin');
    const random = prng(3);
    const splits = [[bytes], Array.from({ length: bytes.byteLength }, (_, i) => bytes.subarray(i, i + 1))];
    for (let at = 1; at < bytes.byteLength; at += 7) splits.push(splitAt(bytes, [at]));
    for (let round = 0; round < 20; round++) splits.push(randomSplits(bytes, random, 2 + Math.floor(random() * 30)));
    for (const chunks of splits) {
      const { text, response, exchange } = await streamed(chunks);
      expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      const { chunks: read, error } = await sdkStream(text, response.headers);
      expect(error).toBeUndefined();
      expect(read.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('hi from fake bedrock');
      expect(read.at(-2)!.choices[0]!.finish_reason).toBe('stop');
      expect(read.at(-1)!.usage).toEqual({ prompt_tokens: 15, completion_tokens: 4, total_tokens: 19, prompt_tokens_details: { cached_tokens: 0 } });
      expect(exchange.usage).toMatchObject({ input: 15, output: 4 });
      expect(exchange.finishReasons).toEqual(['end_turn']);
      expect(exchange.error).toBeUndefined();
    }
  });

  it("Kong's recording of real Bedrock (keys in Bedrock's order, padding) reads the same way", async () => {
    const bytes = new Uint8Array(readFileSync(new URL('kong/master/unit/streaming-chunk-formats/aws/input.bin', LOCAL_FIXTURES)));
    const { text, response, exchange } = await streamed([bytes]);
    const { chunks, error } = await sdkStream(text, response.headers);
    expect(error).toBeUndefined();
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toMatch(/^Hello! Relativity is a set of physical theories.*space, time, and matter\.$/);
    expect(exchange.usage).toMatchObject({ input: 9, output: 97 });
  });

  it('splices each text literal as Bedrock wrote it (escapes and non-ASCII unchanged)', async () => {
    const literal = 'caf\u00e9 "q" \\ 日本 🎉\n';
    const { text } = await streamed([Buffer.concat([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: literal } }),
      ev('contentBlockStop', { contentBlockIndex: 0 }),
      ev('messageStop', { stopReason: 'max_tokens' }),
      ev('metadata', { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } }),
    ])], false);
    expect(text).toContain(`"delta":{"content":${JSON.stringify(literal)}}`);
    const events = text.trim().split('\n\n').map((e) => e.slice('data: '.length));
    expect(events.at(-1)).toBe('[DONE]');
    expect(JSON.parse(events.at(-2)!).choices[0].finish_reason).toBe('length');
  });

  it('numbers tool calls among tool calls (a text block first leaves no hole), and the SDK assembles them', async () => {
    const bytes = Buffer.concat([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Let me look.' } }),
      ev('contentBlockStop', { contentBlockIndex: 0 }),
      ev('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_a', name: 'Read' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"pa' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: 'th":"a"}' } } }),
      ev('contentBlockStop', { contentBlockIndex: 1 }),
      ev('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'tooluse_b', name: 'Read' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{"path":"b"}' } } }),
      ev('contentBlockStop', { contentBlockIndex: 2 }),
      ev('messageStop', { stopReason: 'tool_use' }),
      ev('metadata', { usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 }, metrics: { latencyMs: 5 } }),
    ]);
    const { text, response } = await streamed([bytes]);
    const client = sdk(200, response.headers, text);
    const final = await client.chat.completions.stream({ model: MODEL, messages: [] }).finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.choices[0]!.message.content).toBe('Let me look.');
    // The SDK fills an array by index: Converse's block numbers (1, 2) would leave element 0 empty.
    expect(final.choices[0]!.message.tool_calls).toEqual([
      { id: 'tooluse_a', type: 'function', function: { name: 'Read', arguments: '{"path":"a"}' } },
      { id: 'tooluse_b', type: 'function', function: { name: 'Read', arguments: '{"path":"b"}' } },
    ]);
    expect(text).toContain('"tool_calls":[{"index":0,"id":"tooluse_a"');
  });

  it('streams reasoning as reasoning_content, leaving the signature out', async () => {
    const { text } = await streamed([Buffer.concat([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'hmm' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'sig' } } }),
      ev('contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'ok' } }),
      ev('messageStop', { stopReason: 'end_turn' }),
      ev('metadata', { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, metrics: { latencyMs: 1 } }),
    ])]);
    expect(text).toContain('"delta":{"reasoning_content":"hmm"}');
    expect(text).not.toContain('sig');
  });

  it('reports cache reads as cached_tokens in the usage chunk', async () => {
    const { text, exchange } = await streamed([Buffer.concat([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'x' } }),
      ev('messageStop', { stopReason: 'end_turn' }),
      ev('metadata', { usage: { inputTokens: 5, outputTokens: 1, totalTokens: 106, cacheReadInputTokens: 80, cacheWriteInputTokens: 20 }, metrics: { latencyMs: 1 } }),
    ])]);
    const usage = JSON.parse(text.trim().split('\n\n').at(-2)!.slice(6)).usage;
    expect(usage).toEqual({ prompt_tokens: 105, completion_tokens: 1, total_tokens: 106, prompt_tokens_details: { cached_tokens: 80 } });
    expect(exchange.usage).toEqual({ input: 5, output: 1, cacheRead: 80, cacheWrite: 20 });
  });

  it('sends keep-alive comments while the upstream is silent, once the stream has started', async () => {
    const ctx = { ...fakeCtx(), id: 'ka' };
    const exchange = makeExchange({ translator: openaiToBedrock, format: openaiFormat, mode: 'stream', requestModel: MODEL, pingIntervalMs: 20 });
    const response = head(200, STREAM_HEAD);
    const plan = { includeUsage: false } as ConversePlan;
    aiResponseHeaders({ ctx, response, exchange, plan });
    const stream = new TransformStream(aiResponseBody({ ctx, response, exchange, plan })!);
    const writer = stream.writable.getWriter();
    const reading = new Response(stream.readable).text();
    await writer.write(Buffer.concat([ev('messageStart', { role: 'assistant' }), ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'a' } })]));
    await new Promise((r) => setTimeout(r, 75));
    await writer.write(Buffer.concat([ev('messageStop', { stopReason: 'end_turn' }), ev('metadata', { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } })]));
    await writer.close();
    const text = await reading;
    expect(text.split(': keep-alive\n\n').length - 1).toBeGreaterThanOrEqual(2);
    expect(text.indexOf(': keep-alive')).toBeGreaterThan(text.indexOf('"content":"a"'));
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    // The SDK skips the comments.
    const { chunks, error } = await sdkStream(text, response.headers);
    expect(error).toBeUndefined();
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('a');
  });

  it('an exception after events is a data: {error} event the SDK throws on, then a broken connection, nothing between', async () => {
    const { text, response, exchange, errored } = await streamed([fixture('bedrock/converse-stream-validation-after-event.bin')]);
    // gw breaks the client's connection after the event: clients that skip error events still see a failure.
    expect(errored).toBeInstanceOf(GatewayError);
    expect(text.endsWith('"code":null}}\n\n')).toBe(true);
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('finish_reason":"');
    const { chunks, error } = await sdkStream(text, response.headers);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('hi ');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('messages.1.content: Input should be a valid list');
    expect(exchange.error).toMatchObject({ status: 400, kind: 'invalid_request' });
    expect(observationsOf(exchange)).toMatchObject({ upstreamErrorType: 'validationException' });
  });

  it('an exception as the first frame is an HTTP error with the mapped status, in OpenAI shape', async () => {
    const { text, response } = await streamed([encodeException('throttlingException', 'Too many requests, please wait before trying again.')]);
    expect(response.status).toBe(429);
    expect(JSON.parse(text)).toEqual({ error: { message: 'Too many requests, please wait before trying again.', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
  });

  it.each([
    ['ends in the middle of a frame', (b: Buffer) => b.subarray(0, b.byteLength - 10), 'upstream stream ended in the middle of an event'],
    ['ends after messageStop, before metadata', (b: Buffer) => b.subarray(0, b.byteLength - 146), 'upstream stream ended in the middle of an event'],
    ['has a corrupt frame', (b: Buffer) => Buffer.concat([b.subarray(0, 140), Buffer.from([0, 0, 0, 40, 0, 0, 0, 0, 1, 2, 3, 4]), b.subarray(140)]), 'upstream stream is corrupt'],
  ])('a stream that %s never ends looking complete', async (_, damage, message) => {
    const bytes = Buffer.from(fixture('bedrock/converse-stream-text.bin'));
    const { text, response, exchange, errored } = await streamed([damage(bytes)]);
    expect(errored).toBeInstanceOf(GatewayError);
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('finish_reason":"');
    const { error } = await sdkStream(text, response.headers);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(exchange.error?.message).toContain(message);
  });
});

describe('Converse → chat.completion', () => {
  async function answer(body: unknown, status = 200, headers: Record<string, string> = { 'content-type': 'application/json' }) {
    const { response, exchange, transform } = setup('oneshot', status, headers);
    const text = await run(transform, [Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))]);
    return { text, response, exchange };
  }

  it("Kong's fixture: the text answer; finish_reason as OpenAI names it (Kong passes end_turn on)", async () => {
    const real = readFileSync(new URL('kong/master/unit/real-responses/bedrock/llm-v1-chat.json', LOCAL_FIXTURES), 'utf8');
    const expected = JSON.parse(readFileSync(new URL('kong/master/unit/expected-responses/bedrock/llm-v1-chat.json', LOCAL_FIXTURES), 'utf8'));
    const { text, response } = await answer(real);
    const completion = await sdk(response.status, response.headers, text).chat.completions.create({ model: MODEL, messages: [] });
    expect(completion.object).toBe(expected.object);
    expect(completion.choices[0]!.message).toMatchObject(expected.choices[0].message);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    // Kong's fixture carries OpenAI's usage names where Converse has its own: nothing to read.
    expect(completion.usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0 });
  });

  it('every text block, every tool call and the reasoning; content null when there is no text', async () => {
    const { text, exchange } = await answer({
      output: { message: { role: 'assistant', content: [
        { reasoningContent: { reasoningText: { text: 'think', signature: 's' } } },
        { text: 'one ' }, { text: 'two' },
        { toolUse: { toolUseId: 'tooluse_1', name: 'Read', input: { path: 'a' } } },
      ] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
      metrics: { latencyMs: 9 },
    });
    const completion = JSON.parse(text);
    expect(completion.choices[0].message).toEqual({
      role: 'assistant', content: 'one two', refusal: null, reasoning_content: 'think',
      tool_calls: [{ id: 'tooluse_1', type: 'function', function: { name: 'Read', arguments: '{"path":"a"}' } }],
    });
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.id).toBe('chatcmpl-0123456789abcdef0123456789abcdef');
    expect(exchange.responseId).toBe(completion.id);
    const only = JSON.parse((await answer({ output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input: {} } }] } }, stopReason: 'tool_use', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } })).text);
    expect(only.choices[0].message.content).toBeNull();
  });

  it.each([
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['stop_sequence', 'stop'],
    ['malformed_tool_use', 'stop'],
  ])('stopReason %s is finish_reason %s', async (stopReason, finish) => {
    const { text, exchange } = await answer({ output: { message: { role: 'assistant', content: [{ text: 'x' }] } }, stopReason, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
    expect(JSON.parse(text).choices[0].finish_reason).toBe(finish);
    expect(exchange.finishReasons).toEqual([stopReason]);
  });

  it('a Bedrock error is an OpenAI error the SDK types', async () => {
    const { text, response } = await answer({ message: 'Too many requests, please wait before trying again.' }, 429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' });
    expect(response.status).toBe(429);
    const error = await sdk(response.status, response.headers, text).chat.completions.create({ model: MODEL, messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(response.headers['x-amzn-errortype']).toBeUndefined();
  });

  it('an answer that is not Converse JSON is a 502, not a half-made completion', async () => {
    const { text, response, exchange } = await answer('<html>oops</html>');
    expect(response.status).toBe(502);
    expect(JSON.parse(text).error.type).toBe('server_error');
    expect(exchange.error?.message).toBe('upstream answer is not a Converse response');
  });
});
