/**
 * The OpenAI SDK (the real `openai` package) → gw (llm_format openai, key-auth, file-log) → an Anthropic
 * Messages API stand-in that checks each body against Anthropic's documented request shape
 * (support/anthropic-upstream.ts; its answers are checked with the real @anthropic-ai/sdk first): answers,
 * streams with usage, tool round trips, reasoning, images, errors in OpenAI's statuses with retry-after,
 * in-stream failures the SDK throws on, and the ai.proxy record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { eventually, readLogLines, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { startAnthropicUpstream, type AnthropicUpstream } from './support/anthropic-upstream.js';
import { CLIENT_KEY } from './support/openai.js';
import { drainChunks } from './support/openai-streams.js';

const PROVIDER_KEY = 'sk-ant-gateway-provider-key-must-never-be-logged';
const MODEL = 'claude-haiku-4-5';

let upstream: AnthropicUpstream;
let gw: RunningGateway;
let logPath: string;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startAnthropicUpstream({ apiKey: PROVIDER_KEY, slowIntervalMs: 100 });
  const dir = tempDir();
  logPath = join(dir, 'openai-anthropic.json');
  gw = await startGateway(`_format_version: "3.0"
services:
  - name: claude
    url: http://127.0.0.1:9
    routes:
      - name: claude
        paths: [/claude]
        plugins:
          - name: ai-proxy
            config:
              llm_format: openai
              route_type: llm/v1/chat
              logging: { log_statistics: true }
              auth: { header_name: x-api-key, header_value: ${PROVIDER_KEY} }
              model:
                provider: anthropic
                options: { anthropic_version: "2023-06-01", upstream_url: "${upstream.url}" }
consumers:
  - username: dev
    keyauth_credentials:
      - key: ${CLIENT_KEY}
plugins:
  - name: key-auth
    config: { key_names: [authorization], hide_credentials: true }
  - name: file-log
    config: { path: ${logPath} }
`, { dir });
  client = new OpenAI({ baseURL: `${gw.url}/claude/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

const ask = (text: string): ChatCompletionMessageParam[] => [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: text }];
const logLineOf = (id: string | null | undefined) =>
  eventually(() => readLogLines(logPath).find((line) => line.request.id === id), `the log line of ${String(id)}`);
const last = () => upstream.received.at(-1)!;
const WEATHER: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('the Anthropic stand-in', () => {
  it('answers what the Anthropic SDK parses: messages, streams, tool use, errors', async () => {
    const anthropic = new Anthropic({ baseURL: upstream.url, apiKey: PROVIDER_KEY, maxRetries: 0 });
    const message = await anthropic.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'hi [scenario:thinking]' }] });
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    const stream = anthropic.messages.stream({ model: MODEL, max_tokens: 100, tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }], messages: [{ role: 'user', content: '[scenario:tool_use] weather' }] });
    const final = await stream.finalMessage();
    expect(final.content.at(-1)).toMatchObject({ type: 'tool_use', input: { city: 'echo ok' } });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    await expect(anthropic.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: '[scenario:overloaded] x' }] })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    await expect(anthropic.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'assistant', content: 'x' }, { role: 'assistant', content: 'y' }] })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});

describe('the OpenAI SDK through gw to Anthropic', () => {
  it('answers a chat completion from a Messages call; the log has usage, catalogue cost and both models', async () => {
    const { data, response } = await client.chat.completions.create({ model: MODEL, max_tokens: 256, temperature: 0.5, stop: ['END'], user: 'u-42', messages: ask('hi') }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello from the Anthropic stand-in.' });
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.model).toBe('claude-haiku-4-5-20251001');
    expect(data.id).toMatch(/^msg_/);
    const sent = last();
    expect(sent.problem).toBeUndefined();
    expect(sent.headers['x-api-key']).toBe(PROVIDER_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.json).toEqual({
      model: MODEL,
      max_tokens: 256,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      system: [{ type: 'text', text: 'You are terse.' }],
      temperature: 0.5,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-42' },
    });
    const line = await logLineOf(response.headers.get('x-kong-request-id'));
    const ai = line.ai.proxy;
    expect(ai.meta).toMatchObject({ provider_name: 'anthropic', request_model: MODEL, response_model: 'claude-haiku-4-5-20251001', request_mode: 'oneshot' });
    expect(ai.meta.llm_latency).toBeGreaterThanOrEqual(0);
    expect(ai.usage).toMatchObject({ prompt_tokens: data.usage!.prompt_tokens, completion_tokens: data.usage!.completion_tokens, cost_source: 'catalogue' });
    expect(ai.usage.cost).toBeGreaterThan(0);
    expect(JSON.stringify(line)).not.toContain(PROVIDER_KEY);
  });

  it('streams chunks the SDK assembles, with usage (cache counts included) when asked', async () => {
    upstream.queue('cached');
    const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:echo] one two three'), stream: true, stream_options: { include_usage: true } }).withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(last().problem).toBeUndefined();
    expect(last().json.stream).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the Anthropic stand-in.');
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0]!.finish_reason)).toEqual(['stop']);
    const usage = chunks.at(-1)!.usage!;
    expect(usage.prompt_tokens_details!.cached_tokens).toBeGreaterThan(0);
    const line = await logLineOf(response.headers.get('x-kong-request-id'));
    expect(line.ai.proxy.usage).toMatchObject({ prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, cache_read_input_tokens: usage.prompt_tokens_details!.cached_tokens, cache_creation_input_tokens: 10 });
    expect(line.ai.proxy.usage.time_to_first_token).toBeLessThanOrEqual(line.ai.proxy.meta.llm_latency);
  });

  it('a streamed tool call reaches the SDK whole, and the tool result goes back as a tool_result', async () => {
    const runner = client.chat.completions.stream({ model: MODEL, messages: ask('[scenario:tool_use] weather in Paris?'), tools: [WEATHER], tool_choice: 'auto', parallel_tool_calls: false });
    const first = await runner.finalChatCompletion();
    expect(last().json).toMatchObject({ tools: [{ name: 'get_weather', description: 'Weather in a city', input_schema: WEATHER.function.parameters }], tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
    const message = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.content).toBe("I'll check.");
    const call = message.tool_calls![0]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'echo ok' });

    const next = await client.chat.completions.create({
      model: MODEL,
      messages: [...ask('weather in Paris?'), { role: 'assistant', content: message.content, tool_calls: message.tool_calls }, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
      tools: [WEATHER],
    });
    expect(last().problem).toBeUndefined();
    expect((last().json.messages as unknown[]).slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: "I'll check." }, { type: 'tool_use', id: call.id, name: 'get_weather', input: { city: 'echo ok' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'sunny' }] }] },
    ]);
    expect(next.choices[0]!.message.content).toBe('The tool said: sunny');
  });

  it('reasoning_effort becomes a thinking budget, and thinking comes back as reasoning_content', async () => {
    const answer = await client.chat.completions.create({ model: MODEL, reasoning_effort: 'low', messages: ask('[scenario:thinking] 6*7?') });
    expect(last().json).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 2048 + 8192 });
    expect(answer.choices[0]!.message.content).toBe('42');
    expect((answer.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toBe('Six times seven.');
  });

  it('images go as base64 or URL sources, a schema as output_config, and cache_control stays on its block', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    await client.chat.completions.create({
      model: MODEL,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } } } },
      messages: [{ role: 'user', content: [
        { type: 'text', text: 'what are these?', cache_control: { type: 'ephemeral' } } as never,
        { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
      ] }],
    });
    expect(last().problem).toBeUndefined();
    expect(last().json.output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'string' } } } } });
    expect(last().json.messages[0].content).toEqual([
      { type: 'text', text: 'what are these?', cache_control: { type: 'ephemeral' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
    ]);
  });

  it.each([
    [{ n: 2 }, 'n', 'Anthropic answers one choice'],
    [{ temperature: 1.5 }, 'temperature', 'Anthropic takes a number from 0 to 1'],
    [{ response_format: { type: 'json_object' } }, 'response_format', 'no JSON mode without a schema'],
    [{ best_of: 2 }, 'best_of', 'Unrecognized request argument supplied: best_of'],
  ])('refuses %j before calling Anthropic, naming the field', async (extra, param, message) => {
    const before = upstream.received.length;
    const error = (await client.chat.completions.create({ model: MODEL, messages: ask('x'), ...extra } as never).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
    expect(upstream.received.length).toBe(before);
  });
});

describe('errors and failures', () => {
  it("a 429 keeps retry-after (the SDK waits and retries); Anthropic's 529 is OpenAI's 503", async () => {
    const retrying = new OpenAI({ baseURL: `${gw.url}/claude/v1`, apiKey: CLIENT_KEY, maxRetries: 1 });
    upstream.queue('rate_limited');
    const started = Date.now();
    const done = await retrying.chat.completions.create({ model: MODEL, messages: ask('hi') });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(done.choices[0]!.message.content).toBe('Hello from the Anthropic stand-in.');
    upstream.queue('rate_limited', 'overloaded');
    const limited = (await client.chat.completions.create({ model: MODEL, messages: ask('hi') }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.headers?.get('retry-after')).toBe('1');
    const overloaded = (await client.chat.completions.create({ model: MODEL, messages: ask('hi') }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(overloaded.status).toBe(503);
    expect(overloaded.error).toMatchObject({ type: 'server_error', message: 'Overloaded' });
    const line = await eventually(() => readLogLines(logPath).find((l) => l.ai?.proxy?.error?.upstream_type === 'overloaded_error'), 'the 529 line');
    expect(line.ai.proxy.error).toMatchObject({ status: 503, upstream_status: 529 });
  });

  it('an error event mid-stream makes the SDK throw after the chunks before it', async () => {
    const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:stream_error] hi'), stream: true }).withResponse();
    const { chunks, error } = await drainChunks(stream);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    const line = await logLineOf(response.headers.get('x-kong-request-id'));
    expect(line.ai.proxy.error).toMatchObject({ status: 503, type: 'server_error', upstream_type: 'overloaded_error' });
  });

  it('a stream cut before message_stop makes the SDK throw; the log estimates what was relayed', async () => {
    const { error } = await drainChunks(await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:stream_cut] hi'), stream: true }));
    expect(error).toBeInstanceOf(Error);
    const line = await eventually(() => readLogLines(logPath).find((l) => l.ai?.proxy?.meta?.request_mode === 'stream' && l.ai.proxy.error && l.ai.proxy.error.upstream_type === undefined), 'the cut stream line');
    expect(line.ai.proxy.usage.completion_tokens_estimated).toBe(true);
  });

  it('aborting a stream closes it, and the log line is still written', async () => {
    const controller = new AbortController();
    const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:slow] one two three four five six'), stream: true }, { signal: controller.signal }).withResponse();
    const error = await (async () => {
      for await (const _ of stream) controller.abort();
    })().catch((e: unknown) => e);
    expect(error === undefined || (error as Error).name === 'APIUserAbortError' || (error as Error).name === 'AbortError').toBe(true);
    const line = await logLineOf(response.headers.get('x-kong-request-id'));
    expect(line.ai.proxy.meta.request_mode).toBe('stream');
  });
});
