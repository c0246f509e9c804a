/**
 * The OpenAI SDK (the real `openai` package, no mock of it) → gw (llm_format openai, key-auth, file-log) →
 * the Bedrock emulator's Converse / ConverseStream: answers, streams with usage, a tool round trip, errors
 * with the statuses the SDK retries on, in-stream failures the SDK throws on, and the ai.proxy record.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import http from 'node:http';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { aiCallWatcher } from './support/ai-call-watcher.js';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type LogLine, type RunningGateway } from './support/gateway.js';
import { deckEnv } from './support/bedrock.js';
import { AWS_KEYS, CACHE_READ_COST, CACHE_WRITE_COST, CLIENT_KEY, INPUT_COST, MODEL, OUTPUT_COST, openaiBedrockConfig } from './support/openai.js';

/** What a plugin that runs its log phase before ai-proxy's (budgets, metrics) reads on AI_CALL. */
const { plugin: watcher, calls } = aiCallWatcher();

let emulator: Emulator;
let gw: RunningGateway;
let logPath: string;
let restoreEnv: () => void;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
  restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
  const dir = tempDir();
  logPath = join(dir, 'openai.json');
  gw = await startGateway(openaiBedrockConfig(logPath, '  - name: ai-call-watcher\n    config: {}\n'), { dir, env: deckEnv, plugins: [watcher] });
  client = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  restoreEnv?.();
  await emulator?.close();
});

const ask = (text: string): ChatCompletionMessageParam[] => [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: text }];
const logLineOf = (id: string | null | undefined) =>
  eventually(() => readLogLines(logPath).find((line) => line.request.id === id), `the log line of ${String(id)}`);
const lastReceived = () => emulator.received.at(-1)!;

const BASH: ChatCompletionTool = {
  type: 'function',
  function: { name: 'Bash', description: 'Run a shell command', parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
};

describe('the OpenAI SDK through gw to Bedrock Converse', () => {
  it('answers a chat completion with the scripted text, usage and Converse underneath', async () => {
    const { data, response } = await client.chat.completions.create({ model: MODEL, max_tokens: 256, messages: ask('hi [scenario:text]') }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello from the Bedrock emulator.' });
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.model).toBe(MODEL);
    expect(data.id).toBe(`chatcmpl-${response.headers.get('x-kong-request-id')}`);
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);

    const sent = lastReceived();
    expect(sent).toMatchObject({ operation: 'converse', modelId: MODEL, signatureValid: true });
    expect(sent.json).toEqual({
      messages: [{ role: 'user', content: [{ text: 'hi [scenario:text]' }] }],
      system: [{ text: 'You are terse.' }],
      inferenceConfig: { maxTokens: 256 },
    });
    // Nothing of the client's reaches AWS: its key stays in gw.
    expect(JSON.stringify(sent.headers)).not.toContain(CLIENT_KEY);

    const line = await logLineOf(response.headers.get('x-kong-request-id'));
    const ai = line.ai.proxy;
    expect(ai.meta).toMatchObject({ request_model: MODEL, response_model: MODEL, provider_name: 'bedrock', request_mode: 'oneshot' });
    expect(ai.meta.llm_latency).toBeGreaterThanOrEqual(0);
    expect(ai.usage).toMatchObject({ prompt_tokens: data.usage!.prompt_tokens, completion_tokens: data.usage!.completion_tokens, total_tokens: data.usage!.total_tokens });
    expect(ai.usage.cost).toBeCloseTo((data.usage!.prompt_tokens * INPUT_COST + data.usage!.completion_tokens * OUTPUT_COST) / 1e6, 10);
    expect(ai.usage.time_to_first_token).toBe(ai.meta.llm_latency);
    expect(ai.tried_targets[0]).toMatchObject({ provider: 'bedrock', route_type: 'llm/v1/chat', upstream_uri: `/model/${encodeURIComponent(MODEL)}/converse` });
    expect(line.request.headers.authorization).toBe('REDACTED');
  });

  it('streams chunks the SDK assembles, ending with the usage chunk and [DONE]', async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:echo] stream these words back'), stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('stream these words back');
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0]!.finish_reason)).toEqual(['stop']);
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage!.completion_tokens).toBeGreaterThan(0);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(lastReceived().operation).toBe('converse-stream');

    const id = chunks[0]!.id.replace('chatcmpl-', '');
    const line = await logLineOf(id);
    expect(line.ai.proxy.meta.request_mode).toBe('stream');
    expect(line.ai.proxy.usage.completion_tokens).toBe(usage.usage!.completion_tokens);
    // The same call on AI_CALL, for budgets, metrics and traces.
    const seen = calls.get(id)!;
    expect(seen.call).toMatchObject({ provider: 'bedrock', format: 'openai', routeType: 'llm/v1/chat', model: MODEL, clientModel: MODEL, stream: true });
    expect(seen.usage).toMatchObject({
      tokens: { output: usage.usage!.completion_tokens },
      complete: true,
      estimated: { input: false, output: false },
      responseId: chunks[0]!.id,
      finishReasons: ['end_turn'],
    });
    expect(seen.usage.tokens.input + seen.usage.tokens.cacheRead + seen.usage.tokens.cacheWrite).toBe(usage.usage!.prompt_tokens);
    expect(seen.usage.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(seen.usage.costUsd).toBeGreaterThan(0);
    expect(line.ai.proxy.usage.time_to_first_token).toBeGreaterThanOrEqual(0);
    expect(line.ai.proxy.usage.time_to_first_token).toBeLessThanOrEqual(line.ai.proxy.meta.llm_latency);
  });

  it('without include_usage the stream has no usage chunk', async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:text] hi'), stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.usage === undefined || c.usage === null)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('the SDK stream helper reassembles a streamed tool call, and the tool result goes back as a toolResult', async () => {
    const messages: ChatCompletionMessageParam[] = ask('[scenario:tool_use] run the check');
    const runner = client.chat.completions.stream({ model: MODEL, messages, tools: [BASH], tool_choice: 'auto' });
    const first = await runner.finalChatCompletion();
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe("I'll run a command.");
    const call = choice.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('Bash');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ command: 'echo gw-tool-ok' });
    expect(lastReceived().json).toMatchObject({ toolConfig: { tools: [{ toolSpec: { name: 'Bash' } }], toolChoice: { auto: {} } } });

    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: 'gw-tool-ok\n' });
    const second = await client.chat.completions.create({ model: MODEL, messages, tools: [BASH] });
    expect(second.choices[0]!.message.content).toContain('gw-tool-ok');
    expect(second.choices[0]!.finish_reason).toBe('stop');
    const sent = lastReceived().json as { messages: { role: string; content: Record<string, unknown>[] }[] };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent.messages[1]!.content).toEqual([{ text: "I'll run a command." }, { toolUse: { toolUseId: call.id, name: 'Bash', input: { command: 'echo gw-tool-ok' } } }]);
    expect(sent.messages[2]!.content).toEqual([{ toolResult: { toolUseId: call.id, content: [{ text: 'gw-tool-ok\n' }] } }]);
  });

  it('non-streaming tool calls come back as tool_calls with content null', async () => {
    const done = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:tool_use] go'), tools: [BASH], tool_choice: 'required' });
    expect(done.choices[0]!.finish_reason).toBe('tool_calls');
    expect(done.choices[0]!.message.tool_calls).toHaveLength(1);
    expect(lastReceived().json).toMatchObject({ toolConfig: { toolChoice: { any: {} } } });
  });

  it('reports cache reads as cached_tokens and prices them apart', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'system', content: [{ type: 'text', text: 'a long system prompt', cache_control: { type: 'ephemeral' } } as never] }, { role: 'user', content: '[scenario:cache] hi' }] })
      .withResponse();
    expect((lastReceived().json as { system: unknown }).system).toEqual([{ text: 'a long system prompt' }, { cachePoint: { type: 'default' } }]);
    const cached = data.usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached).toBeGreaterThan(0);
    const line = await logLineOf(response.headers.get('x-kong-request-id'));
    const usage = line.ai.proxy.usage;
    expect(usage.prompt_tokens).toBe(data.usage!.prompt_tokens);
    expect(usage.cache_read_input_tokens).toBe(cached);
    expect(usage.cache_creation_input_tokens).toBeGreaterThan(0);
    const input = usage.prompt_tokens - usage.cache_read_input_tokens - usage.cache_creation_input_tokens;
    expect(usage.cost).toBeCloseTo((input * INPUT_COST + usage.completion_tokens * OUTPUT_COST + cached * CACHE_READ_COST + usage.cache_creation_input_tokens * CACHE_WRITE_COST) / 1e6, 10);
  });
});

describe('errors, as the OpenAI SDK expects them', () => {
  beforeEach(() => {
    emulator.queue(); // nothing queued between tests
  });

  it.each([
    ['throttle', OpenAI.RateLimitError, 429, 'rate_limit_error'],
    ['overload', OpenAI.InternalServerError, 503, 'server_error'],
    ['validation', OpenAI.BadRequestError, 400, 'invalid_request_error'],
    ['access_denied', OpenAI.PermissionDeniedError, 403, 'permission_error'],
  ])('a Bedrock %s error is the SDK typed error', async (scenario, type, status, errorType) => {
    const error = (await client.chat.completions.create({ model: MODEL, messages: ask(`x [scenario:${scenario}]`) }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(type);
    expect(error.status).toBe(status);
    expect(error.type).toBe(errorType);
    expect(error.message.length).toBeGreaterThan(10);
    expect(error.requestID).toBe(error.headers?.get('x-kong-request-id'));
  });

  it('the SDK retries a throttled call and succeeds', async () => {
    const retrying = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: CLIENT_KEY, maxRetries: 2 });
    const before = emulator.received.length;
    const done = await retrying.chat.completions.create({ model: MODEL, messages: ask('once more [scenario:throttle_once]') });
    expect(done.choices[0]!.message.content).toBe('Hello from the Bedrock emulator.');
    expect(emulator.received.length - before).toBe(2);
  });

  it("passes the upstream's retry-after on, and the SDK waits that long before retrying", async () => {
    const retrying = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: CLIENT_KEY, maxRetries: 1 });
    emulator.queue({ name: 'throttle', retryAfter: 2 }, { name: 'text' });
    const started = Date.now();
    const done = await retrying.chat.completions.create({ model: MODEL, messages: ask('later') });
    expect(done.choices[0]!.message.content).toBe('Hello from the Bedrock emulator.');
    // The SDK's own backoff would be ~0.5 s; retry-after: 2 makes it 2 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    emulator.queue({ name: 'throttle', retryAfter: 2 });
    const error = (await client.chat.completions.create({ model: MODEL, messages: ask('x') }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers?.get('retry-after')).toBe('2');
  });

  it('the SDK retries a 503 overload and gives up after its retries', async () => {
    const retrying = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: CLIENT_KEY, maxRetries: 1 });
    const before = emulator.received.length;
    const error = await retrying.chat.completions.create({ model: MODEL, messages: ask('x [scenario:overload]') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(emulator.received.length - before).toBe(2);
  });

  it('an exception in the middle of a stream makes the SDK throw, after the chunks before it', async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:exception_mid_stream] x'), stream: true });
    const seen: string[] = [];
    let id = '';
    const error = await (async () => {
      for await (const chunk of stream) {
        id = chunk.id.replace('chatcmpl-', '');
        seen.push(chunk.choices[0]?.delta.content ?? '');
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('internal error');
    expect(seen.length).toBeGreaterThan(0);
    const line = await logLineOf(id);
    expect(line.ai.proxy.error).toMatchObject({ status: 500, type: 'server_error', upstream_type: 'internalServerException', events_sent: expect.any(Number) });
    expect(line.cut).toMatchObject({ by: 'gateway', reason: 'error' });
    expect(calls.get(id)!.usage.complete).toBe(false);
  });

  it('an exception as the first frame is an HTTP error with its status', async () => {
    const error = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:exception_first] x'), stream: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as { status: number }).status).toBe(502);
  });

  it.each([
    // The upstream connection dropped: gw drops the client's (the SDK's fetch fails), as for any proxied body.
    ['cut', Error],
    // The upstream ended cleanly in the middle of a frame: gw says so in an error event.
    ['truncated', OpenAI.APIError],
  ])('a %s upstream stream never ends looking complete', async (scenario, type) => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: ask(`[scenario:${scenario}] x`), stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    const line = await logLineOf(chunks[0]!.id.replace('chatcmpl-', ''));
    expect(line.ai.proxy.error).toMatchObject({ status: 502, type: 'server_error', message: expect.stringMatching(/upstream stream ended/) });
  });

  it('aborting a stream closes it, and the log says the client left', async () => {
    const controller = new AbortController();
    emulator.queue({ name: 'slow', delayMs: 100 });
    const stream = await client.chat.completions.create({ model: MODEL, messages: ask('[scenario:echo] one two three four five six'), stream: true }, { signal: controller.signal });
    let id = '';
    const error = await (async () => {
      for await (const chunk of stream) {
        id = chunk.id;
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(error === undefined || (error as Error).name === 'APIUserAbortError' || (error as Error).name === 'AbortError').toBe(true);
    const line = await logLineOf(id.replace('chatcmpl-', ''));
    expect(line.ai.proxy.meta.request_mode).toBe('stream');
  });

  it('refuses without a key in OpenAI\'s shape (key-auth before ai-proxy)', async () => {
    const anonymous = new OpenAI({ baseURL: `${gw.url}/openai/v1`, apiKey: 'wrong', maxRetries: 0 });
    const error = (await anonymous.chat.completions.create({ model: MODEL, messages: ask('x') }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.error).toMatchObject({ type: 'authentication_error', param: null });
  });

  it.each([
    [{ n: 2 }, 'n', "'n' is not supported on this route: Converse answers one choice"],
    [{ logprobs: true }, 'logprobs', 'Converse returns no log probabilities'],
    [{ frequency_penalty: 0.5 }, 'frequency_penalty', 'Converse has no frequency penalty'],
    [{ response_format: { type: 'json_object' } }, 'response_format', 'no JSON mode without a schema'],
    [{ temperature: 1.5 }, 'temperature', 'Bedrock Converse takes a number from 0 to 1'],
    [{ best_of: 2 }, 'best_of', 'Unrecognized request argument supplied: best_of'],
  ])('refuses %j with a 400 naming the field', async (extra, param, message) => {
    const before = emulator.received.length;
    const error = (await client.chat.completions.create({ model: MODEL, messages: ask('x'), ...extra } as never).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
    expect(emulator.received.length).toBe(before); // refused before any upstream call
  });

  it('refuses an http image URL (gw does not fetch for its clients) and sends a data URL as image bytes', async () => {
    const url = (u: string): ChatCompletionMessageParam[] => [{ role: 'user', content: [{ type: 'text', text: 'what is it? [scenario:text]' }, { type: 'image_url', image_url: { url: u } }] }];
    const error = (await client.chat.completions.create({ model: MODEL, messages: url('https://example.com/cat.png') }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('messages[0].content[1].image_url.url');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    await client.chat.completions.create({ model: MODEL, messages: url(`data:image/png;base64,${png}`) });
    expect((lastReceived().json as { messages: { content: unknown[] }[] }).messages[0]!.content[1]).toEqual({ image: { format: 'png', source: { bytes: png } } });
  });
});

describe('gw stays out of the way of a client that hangs up', () => {
  it('a raw client closing mid-stream leaves a log line', async () => {
    emulator.queue({ name: 'slow', delayMs: 100 });
    const body = JSON.stringify({ model: MODEL, messages: ask('[scenario:echo] a b c d e f g'), stream: true });
    const id = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${gw.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` } }, (res) => {
        res.once('data', () => {
          resolve(String(res.headers['x-kong-request-id']));
          req.destroy();
        });
      });
      req.on('error', () => undefined);
      req.end(body);
      setTimeout(() => reject(new Error('no data')), 5000);
    });
    const line: LogLine = await logLineOf(id);
    expect(line.ai.proxy.meta.request_mode).toBe('stream');
  });
});
