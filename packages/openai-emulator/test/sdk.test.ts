/**
 * The real `openai` SDK against the emulator: every answer it gives (whole, streamed, tool calls, usage,
 * embeddings in both encodings, errors with their types and retry headers, in-stream errors, cut streams)
 * must parse as the SDK parses OpenAI's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { DEFAULT_API_KEY, startOpenAiEmulator, type OpenAiEmulator } from '../src/index.js';

let emulator: OpenAiEmulator;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startOpenAiEmulator({ slowIntervalMs: 20 });
  client = new OpenAI({ baseURL: `${emulator.url}/v1`, apiKey: DEFAULT_API_KEY, maxRetries: 0 });
});
afterAll(() => emulator?.close());

const user = (content: string): OpenAI.ChatCompletionMessageParam[] => [{ role: 'user', content }];
const WEATHER: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('chat completions', () => {
  it('answers a whole completion with usage details and a dated model', async () => {
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi') });
    expect(answer.object).toBe('chat.completion');
    expect(answer.model).toBe('gpt-4o-mini-2024-07-18');
    expect(answer.choices[0]!.message.content).toBe('Hello from the OpenAI emulator.');
    expect(answer.choices[0]!.finish_reason).toBe('stop');
    expect(answer.usage!.total_tokens).toBe(answer.usage!.prompt_tokens + answer.usage!.completion_tokens);
    expect(answer.usage!.prompt_tokens_details!.cached_tokens).toBe(0);
  });

  it('reports cached and reasoning tokens', async () => {
    const answer = await client.chat.completions.create({ model: 'o4-mini', messages: user('[scenario:reasoning] think') });
    expect(answer.usage!.completion_tokens_details!.reasoning_tokens).toBe(64);
    expect(answer.usage!.prompt_tokens_details!.cached_tokens).toBeGreaterThan(0);
    expect(answer.usage!.completion_tokens).toBeGreaterThan(64);
  });

  it('streams chunks with a usage chunk when include_usage is set', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('[scenario:echo] one two three'), stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('one two three');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('streams without usage when not asked', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi'), stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('calls a tool, whole and streamed (the SDK reassembles the arguments), and reads its result', async () => {
    const whole = await client.chat.completions.create({ model: 'gpt-4o', messages: user('[scenario:tool_use] weather?'), tools: [WEATHER] });
    const call = whole.choices[0]!.message.tool_calls![0]!;
    expect(whole.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'echo ok' });

    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages: user('[scenario:tool_use] weather?'), tools: [WEATHER] });
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0]!.message.tool_calls![0]!;
    expect(streamed.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual({ city: 'echo ok' });

    const next = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [...user('weather?'), whole.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
      tools: [WEATHER],
    });
    expect(next.choices[0]!.message.content).toBe('The tool said: sunny');
  });
});

describe('errors as OpenAI sends them', () => {
  it('refuses an unknown field with OpenAI\'s message', async () => {
    const error = await client.chat.completions.create({ model: 'gpt-4o', messages: user('hi'), bogus: 1 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('Unrecognized request argument supplied: bogus');
  });

  it('refuses an unanswered tool call, a bad role, stream_options without stream', async () => {
    const unanswered = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [...user('x'), { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }] })
      .catch((e: unknown) => e);
    expect((unanswered as InstanceType<typeof OpenAI.APIError>).message).toContain('call_1');
    const role = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] as never }).catch((e: unknown) => e);
    expect((role as InstanceType<typeof OpenAI.APIError>).param).toBe('messages[0].role');
    const options = await client.chat.completions.create({ model: 'gpt-4o', messages: user('x'), stream_options: { include_usage: true } }).catch((e: unknown) => e);
    expect((options as InstanceType<typeof OpenAI.APIError>).param).toBe('stream_options');
  });

  it('checks the bearer key, masking a wrong one', async () => {
    const wrong = new OpenAI({ baseURL: `${emulator.url}/v1`, apiKey: 'sk-wrong-key-1234', maxRetries: 0 });
    const error = await wrong.chat.completions.create({ model: 'gpt-4o', messages: user('hi') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
    expect((error as InstanceType<typeof OpenAI.APIError>).message).not.toContain('sk-wrong-key-1234');
  });

  it('answers 429 with retry-after and x-ratelimit headers, which the SDK waits on before retrying', async () => {
    const retrying = new OpenAI({ baseURL: `${emulator.url}/v1`, apiKey: DEFAULT_API_KEY, maxRetries: 1 });
    emulator.queue('error_429');
    const started = Date.now();
    const { data, response } = await retrying.chat.completions.create({ model: 'gpt-4o', messages: user('hi') }).withResponse();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(data.choices[0]!.message.content).toBe('Hello from the OpenAI emulator.');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('9999');
    emulator.queue('error_429');
    const error = (await client.chat.completions.create({ model: 'gpt-4o', messages: user('hi') }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers?.get('retry-after')).toBe('1');
    expect(error.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('answers 500, 503 and 404 for an unknown model as the SDK types them', async () => {
    emulator.queue('error_500', 'error_503');
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: user('hi') })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: user('hi') })).rejects.toMatchObject({ status: 503 });
    await expect(client.chat.completions.create({ model: 'unknown-model', messages: user('hi') })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('ends a stream with an error event the SDK throws on, or cuts it', async () => {
    const broken = await client.chat.completions.create({ model: 'gpt-4o', messages: user('[scenario:stream_error] hi'), stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of broken) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(seen.length).toBeGreaterThan(0);

    const cut = await client.chat.completions.create({ model: 'gpt-4o', messages: user('[scenario:stream_cut] hi'), stream: true });
    const cutError = await (async () => {
      for await (const _ of cut) void _;
    })().catch((e: unknown) => e);
    expect(cutError).toBeInstanceOf(Error);
  });
});

describe('embeddings', () => {
  it('answers floats, and base64 that the SDK decodes to the same floats', async () => {
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float' });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0]!.embedding).toHaveLength(1536);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    // The SDK asks for base64 by default and decodes it.
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    expect(emulator.received.at(-1)!.json).toMatchObject({ encoding_format: 'base64' });
    expect(decoded.data[1]!.embedding).toEqual(floats.data[1]!.embedding);
    const small = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'x', dimensions: 8, encoding_format: 'float' });
    expect(small.data[0]!.embedding).toHaveLength(8);
    const norm = Math.hypot(...small.data[0]!.embedding);
    expect(norm).toBeCloseTo(1, 5);
  });

  it('refuses unknown fields and empty input', async () => {
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', extra: true } as never)).rejects.toThrow('Unrecognized request argument supplied: extra');
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: '' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
