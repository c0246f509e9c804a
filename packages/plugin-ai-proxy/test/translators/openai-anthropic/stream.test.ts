import { describe, expect, it } from 'vitest';
import { anthropicSseToChunks } from '../../../src/translators/openai-anthropic/stream.js';
import { openaiFormat } from '../../../src/formats/openai/index.js';
import { translatorFor } from '../../../src/translators/index.js';
import { fakeCtx, head, makeExchange, prng, randomSplits, run } from '../../support/response-harness.js';

const sse = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const TEXT = 'Grüße 👋 "quoted" \\ done';
const EVENTS = [
  sse('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], stop_reason: null, usage: { input_tokens: 10, cache_read_input_tokens: 30, cache_creation_input_tokens: 5, output_tokens: 1 } } }),
  sse('ping', {}),
  sse('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
  sse('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'hmm' } }),
  sse('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'c2ln' } }),
  sse('content_block_stop', { index: 0 }),
  sse('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
  ...TEXT.split(' ').map((word, i) => sse('content_block_delta', { index: 1, delta: { type: 'text_delta', text: i === 0 ? word : ` ${word}` } })),
  sse('content_block_stop', { index: 1 }),
  sse('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'Read', input: {} } }),
  sse('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"path":' } }),
  sse('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '"a.txt"}' } }),
  sse('content_block_stop', { index: 2 }),
  sse('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 42, output_tokens_details: { thinking_tokens: 7 } } }),
  sse('message_stop', {}),
].join('');

const openaiExchange = () => makeExchange({ translator: translatorFor('openai', 'anthropic', 'llm/v1/chat')!, format: openaiFormat, provider: 'anthropic', requestModel: 'claude-sonnet-4-5' });

function chunksOf(text: string): any[] {
  return text.split('\n\n').filter((block) => block.startsWith('data: ') && block !== 'data: [DONE]').map((block) => JSON.parse(block.slice(6)));
}

describe('Anthropic SSE → chat.completion.chunk', () => {
  it('whatever the chunk boundaries, the same chunks: text spliced byte-exact, reasoning, a numbered tool call, finish and usage', async () => {
    const bytes = Buffer.from(EVENTS, 'utf8');
    const random = prng(7);
    let first: string | undefined;
    for (let round = 0; round < 40; round++) {
      const exchange = openaiExchange();
      const out = await run(anthropicSseToChunks(fakeCtx(), head(200), exchange, true), round === 0 ? [bytes] : randomSplits(bytes, random, 1 + Math.floor(random() * 30)));
      if (first === undefined) first = out;
      // Only `created` could differ between runs (a second boundary).
      expect(out.replace(/"created":\d+/g, '')).toBe(first.replace(/"created":\d+/g, ''));
      expect(exchange.usage).toEqual({ input: 10, output: 42, cacheRead: 30, cacheWrite: 5, reasoning: 7 });
      expect(exchange.finishReasons).toEqual(['tool_use']);
      expect(exchange.responseModel).toBe('claude-sonnet-4-5-20250929');
    }
    const chunks = chunksOf(first!);
    expect(first!.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(first!).toContain(': keep-alive');
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(TEXT);
    expect(chunks.map((c) => c.choices[0]?.delta?.reasoning_content ?? '').join('')).toBe('hmm');
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'toolu_1', type: 'function', function: { name: 'Read', arguments: '' } });
    expect(calls.map((c: any) => c.function.arguments).join('')).toBe('{"path":"a.txt"}');
    expect(chunks.at(-2).choices[0].finish_reason).toBe('tool_calls');
    expect(chunks.at(-1).usage).toEqual({ prompt_tokens: 45, completion_tokens: 42, total_tokens: 87, prompt_tokens_details: { cached_tokens: 30 }, completion_tokens_details: { reasoning_tokens: 7 } });
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(['msg_1']));
  });

  it('an error event after chunks ends with an OpenAI error event and a broken stream', async () => {
    const cut = EVENTS.slice(0, EVENTS.indexOf('event: content_block_stop')) + sse('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
    const exchange = openaiExchange();
    const seen: { errored?: unknown } = {};
    const out = await run(anthropicSseToChunks(fakeCtx(), head(200), exchange, true), [Buffer.from(cut)], seen);
    expect(out.trimEnd().split('\n\n').at(-1)).toBe('data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":null}}');
    expect(out).not.toContain('[DONE]');
    expect(seen.errored).toBeDefined();
    expect(exchange.error).toMatchObject({ kind: 'overloaded', status: 529 });
  });

  it('an error event before anything is an HTTP error with the status OpenAI clients retry', async () => {
    const response = head(200);
    const exchange = openaiExchange();
    const out = await run(anthropicSseToChunks(fakeCtx(), response, exchange, false), [Buffer.from(sse('error', { error: { type: 'rate_limit_error', message: 'slow down' } }))]);
    expect(response.status).toBe(429);
    expect(JSON.parse(out)).toEqual({ error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
  });

  it('a stream that ends before message_stop is cut, never complete', async () => {
    const exchange = openaiExchange();
    const seen: { errored?: unknown } = {};
    const out = await run(anthropicSseToChunks(fakeCtx(), head(200), exchange, true), [Buffer.from(EVENTS.slice(0, EVENTS.indexOf('event: message_delta')))], seen);
    expect(out).not.toContain('finish_reason":"');
    expect(out).toContain('data: {"error"');
    expect(seen.errored).toBeDefined();
    expect(exchange.error?.status).toBe(502);
  });

  it('sends an SSE comment per stream_ping_interval of upstream silence, once started, and none after the end', async () => {
    const exchange = makeExchange({ translator: translatorFor('openai', 'anthropic', 'llm/v1/chat')!, format: openaiFormat, provider: 'anthropic', pingIntervalMs: 20 });
    const stream = new TransformStream(anthropicSseToChunks(fakeCtx(), head(200), exchange, false));
    const writer = stream.writable.getWriter();
    const text = (async () => {
      const parts: Uint8Array[] = [];
      const reader = stream.readable.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) parts.push(read.value);
      return Buffer.concat(parts).toString('utf8');
    })();
    const start = EVENTS.indexOf('event: content_block_stop');
    await writer.write(Buffer.from(EVENTS.slice(0, start)));
    await new Promise((resolve) => setTimeout(resolve, 70));
    await writer.write(Buffer.from(EVENTS.slice(start)));
    await writer.close();
    const out = await text;
    const pings = out.split(': keep-alive').length - 1;
    // Anthropic's own ping (relayed) plus at least two of gw's while the upstream was silent.
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(out.lastIndexOf(': keep-alive')).toBeLessThan(out.indexOf('finish_reason":"tool_calls'));
  });
});
