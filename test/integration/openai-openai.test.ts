/**
 * The OpenAI SDK (the real `openai` package) → gw (llm_format openai, key-auth, file-log) → the OpenAI
 * emulator (@gw/openai-emulator): the body passes through with gw's key and model, answers and streams
 * come back as OpenAI sent them, usage reaches the ai.proxy record even for a stream whose client did not
 * ask for it, errors keep OpenAI's types and retry headers, and in-stream failures make the SDK throw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runGw } from '../../packages/cli/test/support/gw-process.js';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { startOpenAiEmulator, type OpenAiEmulator } from '@gw/openai-emulator';
import { eventually, readLogLines, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { CLIENT_KEY } from './support/openai.js';
import { aiCallWatcher } from './support/ai-call-watcher.js';
import { drainChunks } from './support/openai-streams.js';

const PROVIDER_KEY = 'sk-proj-gateway-provider-key-must-never-be-logged';
const INPUT_COST = 0.15;
const OUTPUT_COST = 0.6;
const MODEL = 'gpt-4o-mini';

const { plugin: watcher, calls } = aiCallWatcher();

let emulator: OpenAiEmulator;
let gw: RunningGateway;
let logPath: string;
let client: OpenAI;

function config(upstream: string): string {
  return `_format_version: "3.0"
services:
  - name: openai
    url: http://127.0.0.1:9
    routes:
      - name: openai
        paths: [/openai]
        plugins:
          - name: ai-proxy
            config:
              llm_format: openai
              route_type: llm/v1/chat
              logging: { log_statistics: true }
              auth:
                header_name: Authorization
                header_value: Bearer ${PROVIDER_KEY}
              model:
                provider: openai
                options:
                  upstream_url: ${upstream}
                  input_cost: ${INPUT_COST}
                  output_cost: ${OUTPUT_COST}
      - name: pinned
        paths: [/pinned]
        plugins:
          - name: ai-proxy
            config:
              llm_format: openai
              route_type: llm/v1/chat
              response_streaming: always
              logging: { log_statistics: true }
              auth: { header_name: Authorization, header_value: Bearer ${PROVIDER_KEY} }
              model:
                provider: openai
                name: gpt-4.1-nano
                options: { upstream_url: "${upstream}/chat/completions", temperature: 0.2, max_tokens: 77, input_cost: 1, output_cost: 2 }
      - name: wrong-key
        paths: [/wrong-key]
        plugins:
          - name: ai-proxy
            config:
              llm_format: openai
              route_type: llm/v1/chat
              auth: { header_name: Authorization, header_value: Bearer sk-wrong-gateway-key-0000 }
              model: { provider: openai, options: { upstream_url: "${upstream}", input_cost: 1, output_cost: 1 } }
consumers:
  - username: dev
    keyauth_credentials:
      - key: ${CLIENT_KEY}
plugins:
  - name: key-auth
    config: { key_names: [authorization, apikey], hide_credentials: true }
  - name: file-log
    config: { path: ${logPath} }
  - name: ai-call-watcher
    config: {}
`;
}

beforeAll(async () => {
  emulator = await startOpenAiEmulator({ apiKeys: [PROVIDER_KEY], slowIntervalMs: 100 });
  const dir = tempDir();
  logPath = join(dir, 'openai.json');
  gw = await startGateway(config(`${emulator.url}/v1`), { dir, plugins: [watcher] });
  client = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  await emulator?.close();
});

const ask = (text: string): ChatCompletionMessageParam[] => [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: text }];
const logLineOf = (id: string | null | undefined) =>
  eventually(() => readLogLines(logPath).find((line) => line.request.id === id), `the log line of ${String(id)}`);
const lastReceived = () => emulator.received.at(-1)!;
const WEATHER: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('the OpenAI SDK through gw to an OpenAI backend', () => {
  it('passes the body through with the gateway key and relays the answer unchanged; the log has usage, cost and models', async () => {
    const { data, response } = await client.chat.completions.create({ model: MODEL, max_tokens: 50, messages: ask('hi') }).withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello from the OpenAI emulator.');
    expect(data.model).toBe('gpt-4o-mini-2024-07-18');
    const sent = lastReceived();
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(sent.json).toEqual({ model: MODEL, max_tokens: 50, messages: ask('hi') });
    expect(JSON.stringify(sent.headers)).not.toContain(CLIENT_KEY);

    const line = await logLineOf(response.headers.get('x-kong-request-id'));
    const ai = line.ai.proxy;
    expect(ai.meta).toMatchObject({ provider_name: 'openai', request_model: MODEL, response_model: 'gpt-4o-mini-2024-07-18', request_mode: 'oneshot', upstream_request_id: response.headers.get('x-request-id') });
    expect(ai.meta.llm_latency).toBeGreaterThanOrEqual(0);
    expect(ai.usage).toMatchObject({ prompt_tokens: data.usage!.prompt_tokens, completion_tokens: data.usage!.completion_tokens, total_tokens: data.usage!.total_tokens, cost_source: 'config' });
    expect(ai.usage.cost).toBeCloseTo((data.usage!.prompt_tokens * INPUT_COST + data.usage!.completion_tokens * OUTPUT_COST) / 1e6, 12);
    expect(ai.tried_targets[0]).toMatchObject({ provider: 'openai', upstream_uri: '/v1/chat/completions', host: '127.0.0.1', port: emulator.port });
    expect(JSON.stringify(line)).not.toContain(PROVIDER_KEY);
    expect(JSON.stringify(line)).not.toContain(CLIENT_KEY);
  });

  it('reads cached and reasoning tokens into the neutral record', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'o4-mini', messages: ask('[scenario:reasoning] think') }).withResponse();
    const ai = (await logLineOf(response.headers.get('x-kong-request-id'))).ai.proxy;
    const cached = data.usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached).toBeGreaterThan(0);
    expect(ai.usage).toMatchObject({ prompt_tokens: data.usage!.prompt_tokens, cache_read_input_tokens: cached, prompt_tokens_details: { cached_tokens: cached }, completion_tokens_details: { reasoning_tokens: 64 } });
  });

  it('a stream that asked for usage is relayed as it came, usage chunk included', async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:echo] one two three'), stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('one two three');
    const usage = chunks.at(-1)!.usage!;
    expect(usage.completion_tokens).toBeGreaterThan(0);
    const line = await eventually(() => readLogLines(logPath).find((l) => l.ai?.proxy?.usage?.completion_tokens === usage.completion_tokens && l.ai.proxy.meta.request_mode === 'stream'), 'the stream log line');
    expect(line.ai.proxy.usage).toMatchObject({ prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens });
    expect(line.ai.proxy.usage.time_to_first_token).toBeLessThanOrEqual(line.ai.proxy.meta.llm_latency);
  });

  it("a stream that did not ask for usage gets none, yet the log has the upstream's counts (gw asked for them)", async () => {
    const { data: stream, response } = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:echo] four five'), stream: true }).withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(lastReceived().json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const id = response.headers.get('x-kong-request-id')!;
    const ai = (await logLineOf(id)).ai.proxy;
    expect(ai.usage.completion_tokens).toBeGreaterThan(0);
    expect(ai.usage.completion_tokens_estimated).toBeUndefined();
    expect(ai.usage.prompt_tokens_estimated).toBeUndefined();
    // The same call on AI_CALL, for budgets, metrics and traces: OpenAI's counts, complete, priced.
    const seen = calls.get(id)!;
    expect(seen.call).toMatchObject({ provider: 'openai', format: 'openai', routeType: 'llm/v1/chat', model: MODEL, clientModel: MODEL, stream: true });
    expect(seen.usage).toMatchObject({
      tokens: { input: ai.usage.prompt_tokens, output: ai.usage.completion_tokens, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      complete: true,
      estimated: { input: false, output: false },
      responseModel: 'gpt-4o-mini-2024-07-18',
      finishReasons: ['stop'],
    });
    expect(seen.usage.responseId).toMatch(/^chatcmpl-/);
    expect(seen.usage.costUsd).toBeCloseTo((ai.usage.prompt_tokens * INPUT_COST + ai.usage.completion_tokens * OUTPUT_COST) / 1e6, 12);
    expect(seen.usage.timeToFirstTokenMs).toBeLessThanOrEqual(seen.usage.latencyMs!);
  });

  it('tool calls round trip, whole and streamed (the SDK reassembles the arguments)', async () => {
    const first = await client.chat.completions.create({ model: 'gpt-4o', messages: ask('[scenario:tool_use] weather?'), tools: [WEATHER] });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages: ask('[scenario:tool_use] weather?'), tools: [WEATHER] });
    const streamed = (await runner.finalChatCompletion()).choices[0]!.message.tool_calls![0]!;
    expect(streamed.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual({ city: 'echo ok' });
    const next = await client.chat.completions.create({ model: 'gpt-4o', messages: [...ask('weather?'), first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }], tools: [WEATHER] });
    expect(next.choices[0]!.message.content).toBe('The tool said: sunny');
  });

  it("pins the model, applies model.options and streams when response_streaming is always (Kong's full upstream_url)", async () => {
    const pinned = new OpenAI({ baseURL: `${gw.url}/pinned/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
    const response = await pinned.chat.completions.create({ model: 'gpt-4.1-nano', temperature: 1, max_completion_tokens: 500, messages: ask('hi') }).asResponse();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(await response.text()).toContain('data: [DONE]');
    expect(lastReceived().json).toMatchObject({ model: 'gpt-4.1-nano', temperature: 0.2, max_completion_tokens: 77, stream: true, stream_options: { include_usage: true } });
    const error = await pinned.chat.completions.create({ model: 'gpt-4o', messages: ask('hi') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('errors and failures', () => {
  it("keeps OpenAI's own error answers: unknown fields, bad roles, with param and code", async () => {
    const error = (await client.chat.completions.create({ model: MODEL, messages: ask('x'), top_k: 3 } as never).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('Unrecognized request argument supplied: top_k');
    const missing = (await client.chat.completions.create({ model: 'unknown-model', messages: ask('x') }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing.code).toBe('model_not_found');
  });

  it('a 429 keeps retry-after and x-ratelimit headers: the SDK waits that long and retries', async () => {
    const retrying = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: CLIENT_KEY, maxRetries: 1 });
    emulator.queue('error_429');
    const started = Date.now();
    const done = await retrying.chat.completions.create({ model: MODEL, messages: ask('hi') });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(done.choices[0]!.message.content).toBe('Hello from the OpenAI emulator.');
    emulator.queue('error_429');
    const { response } = await client.chat.completions.create({ model: MODEL, messages: ask('hi') }).withResponse().catch((e: InstanceType<typeof OpenAI.APIError>) => ({ response: e }));
    const error = response as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers?.get('retry-after')).toBe('1');
    expect(error.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(error.code).toBe('rate_limit_exceeded');
    const line = await eventually(() => readLogLines(logPath).find((l) => l.ai?.proxy?.error?.upstream_type === 'rate_limit_exceeded'), 'the 429 log line');
    expect(line.ai.proxy.error).toMatchObject({ status: 429, upstream_status: 429 });
  });

  it('500 and 503 reach the SDK as the errors it retries', async () => {
    emulator.queue('error_500', 'error_503');
    await expect(client.chat.completions.create({ model: MODEL, messages: ask('hi') })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.chat.completions.create({ model: MODEL, messages: ask('hi') })).rejects.toMatchObject({ status: 503 });
  });

  it("a refused gateway key is gw's fault (403), never the client's 401, and the key's text stays out", async () => {
    const wrong = new OpenAI({ baseURL: `${gw.url}/wrong-key/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
    const error = (await wrong.chat.completions.create({ model: MODEL, messages: ask('hi') }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.message).toContain("gateway's OpenAI credentials were refused");
    expect(error.message).not.toContain('sk-wrong-gateway-key');
  });

  it('an error event in the stream makes the SDK throw after the chunks before it; the log has the error', async () => {
    const { chunks, error } = await drainChunks(await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:stream_error] hi'), stream: true }));
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(chunks.length).toBeGreaterThan(0);
    const line = await eventually(() => readLogLines(logPath).find((l) => l.ai?.proxy?.error?.upstream_type === 'server_error' && l.ai.proxy.meta.request_mode === 'stream'), 'the stream error line');
    expect(line.ai.proxy.error).toMatchObject({ status: 500, type: 'server_error' });
  });

  it('a stream cut before [DONE] makes the SDK throw, and the log says it was cut', async () => {
    const { chunks, error } = await drainChunks(await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:stream_cut] hi'), stream: true }));
    expect(error).toBeInstanceOf(Error);
    expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    const line = await eventually(() => readLogLines(logPath).find((l) => l.ai?.proxy?.error && l.ai.proxy.meta.request_mode === 'stream' && l.ai.proxy.error.upstream_type === undefined), 'the cut stream line');
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

describe('examples/openai-to-openai', () => {
  it('passes gw sync without warnings (an OpenAI route with prices, an Anthropic route)', async () => {
    const env = { DECK_OPENAI_API_KEY: 'sk-example', DECK_ANTHROPIC_API_KEY: 'sk-ant-example', DECK_DEV_KEY: 'dev-key' };
    const result = await runGw(['sync', '-s', 'examples/openai-to-openai/kong.yaml'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('plugins: 4 (key-auth: 1, ai-proxy: 2, file-log: 1)');
    expect(result.stdout + result.stderr).not.toContain('warning');
  });
});
