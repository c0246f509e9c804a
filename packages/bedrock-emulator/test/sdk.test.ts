// The real AWS SDK against the emulator: parsed bodies, decoded streams, typed exceptions.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BedrockRuntimeClient,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ThrottlingException,
  ServiceUnavailableException,
  ValidationException,
  AccessDeniedException,
  InternalServerException,
  ModelStreamErrorException,
} from '@aws-sdk/client-bedrock-runtime';
import { DEFAULT_CREDENTIALS, startBedrockEmulator } from '../src/index.js';
import type { Emulator } from '../src/index.js';
import { MODEL, anthropicBody } from './fixtures.js';

// @smithy/node-http-handler is a dependency of the SDK, not hoisted; resolve it through the SDK so
// the client speaks HTTP/1.1 (its default handler is HTTP/2).
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-bedrock-runtime'));
const { NodeHttpHandler } = sdkRequire('@smithy/node-http-handler') as { NodeHttpHandler: new () => never };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startBedrockEmulator({ region: 'us-west-2' });
});
afterAll(() => emulator.close());

const client = (options: { secretAccessKey?: string; maxAttempts?: number } = {}) =>
  new BedrockRuntimeClient({
    endpoint: emulator.url,
    region: 'us-west-2',
    credentials: { ...DEFAULT_CREDENTIALS[0], secretAccessKey: options.secretAccessKey ?? DEFAULT_CREDENTIALS[0].secretAccessKey },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: options.maxAttempts ?? 1,
  });

const decode = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));

async function streamEvents(text: string, c = client()) {
  const out = await c.send(
    new InvokeModelWithResponseStreamCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody(text) }),
  );
  const events: any[] = [];
  for await (const item of out.body!) events.push(decode(item.chunk?.bytes));
  return events;
}

async function streamUntilError(text: string) {
  const events: any[] = [];
  try {
    const out = await client().send(
      new InvokeModelWithResponseStreamCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody(text) }),
    );
    for await (const item of out.body!) events.push(decode(item.chunk?.bytes));
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

const textOf = (events: any[]) =>
  events.filter((e) => e.type === 'content_block_delta' && e.delta.type === 'text_delta').map((e) => e.delta.text).join('');

describe('the AWS SDK talking to the emulator', () => {
  it('InvokeModel returns a parsed Anthropic message with usage', async () => {
    const out = await client().send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', accept: 'application/json', body: anthropicBody('say hi') }));
    const message = decode(out.body);
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5-20251001',
      content: [{ type: 'text', text: 'Hello from the Bedrock emulator.' }],
      stop_reason: 'end_turn',
      usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(message.id).toMatch(/^msg_bdrk_/);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    const seen = emulator.received.at(-1)!;
    expect(seen).toMatchObject({ operation: 'invoke', modelId: MODEL, signatureValid: true, scenario: 'text' });
    expect(seen.path).toBe('/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke');
  });

  it('InvokeModelWithResponseStream yields the scripted events, metrics last', async () => {
    const events = await streamEvents('[scenario:echo] repeat me please');
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(textOf(events)).toBe('repeat me please');
    expect(events.at(-1)['amazon-bedrock-invocationMetrics']).toMatchObject({
      inputTokenCount: events[0].message.usage.input_tokens,
      outputTokenCount: events.at(-2).usage.output_tokens,
    });
    expect(emulator.received.at(-1)).toMatchObject({ operation: 'invoke-stream', scenario: 'echo', signatureValid: true });
  });

  it('streams a Bash tool call as input_json_delta pieces, then answers the tool result', async () => {
    const events = await streamEvents('[scenario:tool_use] run it');
    const start = events.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
    expect(start.content_block).toMatchObject({ name: 'Bash', input: {} });
    const pieces = events.filter((e) => e.delta?.type === 'input_json_delta').map((e) => e.delta.partial_json);
    expect(pieces.length).toBeGreaterThan(1);
    expect(JSON.parse(pieces.join(''))).toEqual({ command: 'echo gw-tool-ok' });
    expect(events.find((e) => e.type === 'message_delta').delta.stop_reason).toBe('tool_use');

    const followUp = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 256,
      messages: [
        { role: 'user', content: '[scenario:tool_use] run it' },
        { role: 'assistant', content: [{ type: 'tool_use', id: start.content_block.id, name: 'Bash', input: { command: 'echo gw-tool-ok' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: start.content_block.id, content: 'gw-tool-ok\n' }] },
      ],
    });
    const out = await client().send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: followUp }));
    const message = decode(out.body);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content[0].text).toContain('gw-tool-ok');
  });

  it('streams thinking with thinking and signature deltas before the text', async () => {
    const events = await streamEvents('[scenario:thinking] think first');
    const starts = events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block.type);
    expect(starts).toEqual(['thinking', 'text']);
    const deltaTypes = new Set(events.filter((e) => e.index === 0 && e.delta).map((e) => e.delta.type));
    expect(deltaTypes).toEqual(new Set(['thinking_delta', 'signature_delta']));
  });

  it('reports cache usage in message_start and in the metrics', async () => {
    const events = await streamEvents('[scenario:cache] cached prompt');
    const usage = events[0].message.usage;
    expect(usage.cache_read_input_tokens).toBeGreaterThan(0);
    expect(usage.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(events.at(-1)['amazon-bedrock-invocationMetrics']).toMatchObject({
      cacheReadInputTokenCount: usage.cache_read_input_tokens,
      cacheWriteInputTokenCount: usage.cache_creation_input_tokens,
    });
  });

  it('CountTokens returns an estimate that grows with the body', async () => {
    const count = async (text: string) =>
      (await client().send(new CountTokensCommand({ modelId: 'anthropic.claude-haiku-4-5-20251001-v1:0', input: { invokeModel: { body: new TextEncoder().encode(anthropicBody(text)) } } })))
        .inputTokens!;
    const short = await count('hi');
    expect(short).toBeGreaterThan(0);
    expect(await count('hi '.repeat(200))).toBeGreaterThan(short);
    expect(emulator.received.at(-1)!.operation).toBe('count-tokens');
  });

  it('maps HTTP error scenarios to the SDK typed exceptions', async () => {
    const invoke = (text: string) => client().send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody(text) }));
    await expect(invoke('[scenario:throttle] x')).rejects.toBeInstanceOf(ThrottlingException);
    await expect(invoke('[scenario:overload] x')).rejects.toBeInstanceOf(ServiceUnavailableException);
    await expect(invoke('[scenario:validation] x')).rejects.toBeInstanceOf(ValidationException);
    await expect(invoke('[scenario:access_denied] x')).rejects.toBeInstanceOf(AccessDeniedException);
    const streamed = await streamUntilError('[scenario:throttle] x');
    expect(streamed.error).toBeInstanceOf(ThrottlingException);
    expect(streamed.events).toEqual([]);
  });

  it('rejects invalid bodies with ValidationException and Bedrock wording', async () => {
    const invoke = (body: string) => client().send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body }));
    await expect(invoke(anthropicBody('x', { model: 'claude' }))).rejects.toThrow(
      'Malformed input request: #: extraneous key [model] is not permitted, please reformat your input and try again.',
    );
    await expect(invoke(anthropicBody('x', { anthropic_beta: ['prompt-caching-2024-07-31'] }))).rejects.toBeInstanceOf(ValidationException);
  });

  it('throws a mid-stream exception while iterating, after the events sent before it', async () => {
    const { events, error } = await streamUntilError('[scenario:exception_mid_stream] x');
    expect(events.map((e) => e.type)).toEqual(['message_start', 'content_block_start']);
    expect(error).toBeInstanceOf(InternalServerException);

    emulator.queue({ name: 'exception_mid_stream', failAfter: 1, exception: { type: 'throttlingException', message: 'Too many requests, please wait before trying again.' } });
    const second = await streamUntilError('x');
    expect(second.events).toHaveLength(1);
    expect(second.error).toBeInstanceOf(ThrottlingException);

    const first = await streamUntilError('[scenario:exception_first] x');
    expect(first.events).toEqual([]);
    expect(first.error).toBeInstanceOf(ModelStreamErrorException);
  });

  it('surfaces a cut connection as an error while iterating', async () => {
    const { events, error } = await streamUntilError('[scenario:cut] x');
    expect(events).toHaveLength(2);
    expect(error).toBeInstanceOf(Error);
  });

  it('fails a stream that ends mid-frame', async () => {
    const { events, error } = await streamUntilError('[scenario:truncated] x');
    expect(events).toHaveLength(2);
    expect(error).toBeInstanceOf(Error);
  });

  it('rejects a wrong secret with a signature error', async () => {
    const error = await client({ secretAccessKey: 'wrong-secret' })
      .send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody('x') }))
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number }; message: string });
    expect(error).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    expect(String((error as Error).message)).not.toContain('wrong-secret');
    expect(emulator.received.at(-1)!.signatureValid).toBe(false);
  });

  it('retries a throttle_once request and then succeeds (SDK default retries)', async () => {
    const out = await client({ maxAttempts: 3 }).send(
      new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody('[scenario:throttle_once] retry me') }),
    );
    expect(out.$metadata.attempts).toBe(2);
    expect(decode(out.body).content[0].text).toBe('Hello from the Bedrock emulator.');
  });

  it('uses queued scenarios in order before markers and the default', async () => {
    emulator.queue('echo', 'thinking');
    const invoke = async (text: string) =>
      decode((await client().send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody(text) }))).body);
    expect((await invoke('[scenario:cache] one')).content[0].text).toBe('one');
    expect((await invoke('two')).content.map((b: any) => b.type)).toEqual(['thinking', 'text']);
    expect((await invoke('three')).content[0].text).toBe('Hello from the Bedrock emulator.');
    expect(emulator.received.slice(-3).map((r) => r.scenario)).toEqual(['echo', 'thinking', 'text']);
  });

  it('also serves the SDK default HTTP/2 handler (h2c prior knowledge), signing :authority', async () => {
    const h2 = new BedrockRuntimeClient({ endpoint: emulator.url, region: 'us-west-2', credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      const out = await h2.send(new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody('[scenario:echo] over h2') }));
      expect(decode(out.body).content[0].text).toBe('over h2');
      const seen = emulator.received.at(-1)!;
      expect(seen.headers[':authority']).toBeTruthy();
      expect(seen.headers.authorization).toContain('SignedHeaders=:authority;');
      expect(seen.signatureValid).toBe(true);
      expect(textOf(await streamEvents('[scenario:echo] streamed over h2', h2))).toBe('streamed over h2');
      const cutStream = h2.send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody('[scenario:cut] x') }));
      const events: unknown[] = [];
      await expect(
        (async () => {
          for await (const item of (await cutStream).body!) events.push(item);
        })(),
      ).rejects.toThrow();
      expect(events).toHaveLength(2);
    } finally {
      h2.destroy();
    }
  });
});
