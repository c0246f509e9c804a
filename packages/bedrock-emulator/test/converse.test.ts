// The real AWS SDK (ConverseCommand, ConverseStreamCommand) against the emulator's Converse: answers it
// parses, events it decodes, exceptions it types; and the encoder against the recorded ConverseStream bytes.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InternalServerException,
  ModelStreamErrorException,
  ThrottlingException,
  ValidationException,
  type ContentBlock,
  type ConverseCommandInput,
  type ConverseStreamOutput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { DEFAULT_CREDENTIALS, decodeEventStream, encodeConverseEvent, encodeException, startBedrockEmulator } from '../src/index.js';
import type { Emulator } from '../src/index.js';
import { MODEL, fixtureBytes, fixtureJson, signedFetch } from './fixtures.js';

const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-bedrock-runtime'));
const { NodeHttpHandler } = sdkRequire('@smithy/node-http-handler') as { NodeHttpHandler: new () => never };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startBedrockEmulator({ region: 'us-west-2' });
});
afterAll(() => emulator.close());

const client = () =>
  new BedrockRuntimeClient({ endpoint: emulator.url, region: 'us-west-2', credentials: DEFAULT_CREDENTIALS[0], requestHandler: new NodeHttpHandler(), maxAttempts: 1 });

const user = (text: string): Message => ({ role: 'user', content: [{ text }] });
const BASH = { toolSpec: { name: 'Bash', description: 'run a command', inputSchema: { json: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } } } };
const input = (messages: Message[], extra: Partial<ConverseCommandInput> = {}): ConverseCommandInput => ({ modelId: MODEL, messages, inferenceConfig: { maxTokens: 256 }, ...extra });

async function stream(messages: Message[], extra: Partial<ConverseCommandInput> = {}) {
  const events: ConverseStreamOutput[] = [];
  try {
    const out = await client().send(new ConverseStreamCommand(input(messages, extra)));
    for await (const event of out.stream!) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

const names = (events: ConverseStreamOutput[]) => events.map((e) => Object.keys(e).find((k) => (e as unknown as Record<string, unknown>)[k] !== undefined));
const streamedText = (events: ConverseStreamOutput[]) => events.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');

describe('the AWS SDK talking to the emulator over Converse', () => {
  it('Converse answers the scripted text with usage and metrics', async () => {
    const out = await client().send(new ConverseCommand(input([user('say hi [scenario:text]')], { system: [{ text: 'You are terse.' }] })));
    expect(out.output?.message).toEqual({ role: 'assistant', content: [{ text: 'Hello from the Bedrock emulator.' }] });
    expect(out.stopReason).toBe('end_turn');
    expect(out.usage!.inputTokens).toBeGreaterThan(0);
    expect(out.usage!.totalTokens).toBe(out.usage!.inputTokens! + out.usage!.outputTokens!);
    expect(out.metrics!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(emulator.received.at(-1)).toMatchObject({ operation: 'converse', modelId: MODEL, signatureValid: true, scenario: 'text' });
    expect(emulator.received.at(-1)!.path).toBe('/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse');
  });

  it('ConverseStream yields messageStart, text deltas, contentBlockStop, messageStop and metadata', async () => {
    const { events, error } = await stream([user('[scenario:echo] repeat me please')]);
    expect(error).toBeUndefined();
    expect(names(events)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
    expect(streamedText(events)).toBe('repeat me please');
    expect(events.at(-2)!.messageStop!.stopReason).toBe('end_turn');
    const usage = events.at(-1)!.metadata!.usage!;
    expect(usage.totalTokens).toBe(usage.inputTokens! + usage.outputTokens!);
    expect(emulator.received.at(-1)).toMatchObject({ operation: 'converse-stream', scenario: 'echo' });
  });

  it('calls the offered tool, streamed as contentBlockStart and input pieces, then answers its toolResult', async () => {
    const first = await stream([user('[scenario:tool_use] run it')], { toolConfig: { tools: [BASH] } });
    const start = first.events.find((e) => e.contentBlockStart)!.contentBlockStart!;
    expect(start.start!.toolUse).toMatchObject({ name: 'Bash' });
    expect(start.start!.toolUse!.toolUseId).toMatch(/^tooluse_/);
    const pieces = first.events.filter((e) => e.contentBlockDelta?.delta?.toolUse).map((e) => e.contentBlockDelta!.delta!.toolUse!.input);
    expect(pieces.length).toBeGreaterThan(1);
    expect(JSON.parse(pieces.join(''))).toEqual({ command: 'echo gw-tool-ok' });
    expect(first.events.find((e) => e.messageStop)!.messageStop!.stopReason).toBe('tool_use');

    const id = start.start!.toolUse!.toolUseId!;
    const out = await client().send(new ConverseCommand(input([
      user('[scenario:tool_use] run it'),
      { role: 'assistant', content: [{ text: "I'll run a command." }, { toolUse: { toolUseId: id, name: 'Bash', input: { command: 'echo gw-tool-ok' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: id, content: [{ text: 'gw-tool-ok\n' }], status: 'success' } }] },
    ], { toolConfig: { tools: [BASH] } })));
    expect(out.stopReason).toBe('end_turn');
    expect((out.output!.message!.content![0] as ContentBlock.TextMember).text).toContain('gw-tool-ok');
  });

  it('calls a tool that takes an argv command (Codex CLI shell) with one', async () => {
    const shell = { toolSpec: { name: 'shell', inputSchema: { json: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } } } } };
    const out = await client().send(new ConverseCommand(input([user('[scenario:tool_use] list')], { toolConfig: { tools: [shell] } })));
    const tool = out.output!.message!.content!.find((b) => b.toolUse)!.toolUse!;
    expect(tool).toMatchObject({ name: 'shell', input: { command: ['bash', '-lc', 'echo gw-tool-ok'] } });
  });

  it('streams reasoning as reasoningContent text and signature deltas, and answers it whole', async () => {
    const thinking = { additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } }, inferenceConfig: { maxTokens: 2048 } };
    const { events } = await stream([user('[scenario:thinking] think first')], thinking);
    const reasoning = events.filter((e) => e.contentBlockDelta?.delta?.reasoningContent).map((e) => e.contentBlockDelta!.delta!.reasoningContent!);
    expect(reasoning.some((r) => 'text' in r && r.text)).toBe(true);
    expect(reasoning.at(-1)).toHaveProperty('signature');
    const out = await client().send(new ConverseCommand(input([user('[scenario:thinking] think first')], thinking)));
    expect(out.output!.message!.content![0]!.reasoningContent!.reasoningText).toMatchObject({ text: expect.any(String), signature: expect.any(String) });
  });

  it('reports cache reads and writes in the usage', async () => {
    const { events } = await stream([user('[scenario:cache] cached prompt')], { system: [{ text: 'long system prompt' }, { cachePoint: { type: 'default' } }] });
    const usage = events.at(-1)!.metadata!.usage!;
    expect(usage.cacheReadInputTokens).toBeGreaterThan(0);
    expect(usage.cacheWriteInputTokens).toBeGreaterThan(0);
    expect(usage.totalTokens).toBe(usage.inputTokens! + usage.outputTokens! + usage.cacheReadInputTokens! + usage.cacheWriteInputTokens!);
  });

  it('answers a structured-output request with JSON that fits the schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'], additionalProperties: false };
    const out = await client().send(new ConverseCommand(input([user('[scenario:text] a city')], {
      outputConfig: { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'city' } } } },
    })));
    expect(JSON.parse((out.output!.message!.content![0] as ContentBlock.TextMember).text!)).toEqual({ city: 'emulator', population: 1 });
  });

  it('throws the typed exceptions: HTTP errors, an exception mid-stream after its events, one as the first frame', async () => {
    await expect(client().send(new ConverseCommand(input([user('[scenario:throttle] x')])))).rejects.toBeInstanceOf(ThrottlingException);
    const throttled = await stream([user('[scenario:throttle] x')]);
    expect(throttled.error).toBeInstanceOf(ThrottlingException);
    expect(throttled.events).toEqual([]);

    const mid = await stream([user('[scenario:exception_mid_stream] x')]);
    expect(names(mid.events)).toEqual(['messageStart', 'contentBlockDelta']);
    expect(mid.error).toBeInstanceOf(InternalServerException);

    emulator.queue({ name: 'exception_mid_stream', failAfter: 3, exception: { type: 'throttlingException', message: 'Too many requests, please wait before trying again.' } });
    const inStreamThrottle = await stream([user('x')]);
    expect(inStreamThrottle.events).toHaveLength(3);
    expect(inStreamThrottle.error).toBeInstanceOf(ThrottlingException);

    const first = await stream([user('[scenario:exception_first] x')]);
    expect(first.events).toEqual([]);
    expect(first.error).toBeInstanceOf(ModelStreamErrorException);

    const cut = await stream([user('[scenario:cut] x')]);
    expect(cut.events).toHaveLength(2);
    expect(cut.error).toBeInstanceOf(Error);

    // Stream-only failures leave a plain Converse call whole (a client's non-streaming fallback works).
    const out = await client().send(new ConverseCommand(input([user('[scenario:exception_mid_stream] x')])));
    expect(out.stopReason).toBe('end_turn');
  });

  it.each([
    ['a conversation that starts with the assistant', { messages: [{ role: 'assistant', content: [{ text: 'hi' }] }] }, 'A conversation must start with a user message'],
    ['two user turns in a row', { messages: [user('a'), user('b')] }, 'A conversation must alternate between user and assistant roles'],
    ['a blank text block', { messages: [user(' ')] }, 'The text field in the ContentBlock object at messages.0.content.0 is blank'],
    ['a toolUse without toolConfig', {
      messages: [user('a'), { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'Bash', input: {} } }] }, { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'ok' }] } }] }],
    }, 'The toolConfig field must be defined when using toolUse and toolResult content blocks.'],
    ['a toolUse left unanswered', {
      messages: [user('a'), { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'Bash', input: {} } }] }, user('b')],
      toolConfig: { tools: [BASH] },
    }, 'Expected toolResult blocks at messages.2.content for the following Ids: t1'],
    ['maxTokens 0', { messages: [user('a')], inferenceConfig: { maxTokens: 0 } }, "Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint"],
    ['temperature above 1', { messages: [user('a')], inferenceConfig: { temperature: 1.5 } }, "Value '1.5' at 'inferenceConfig.temperature'"],
    ['temperature and topP for Claude', { messages: [user('a')], inferenceConfig: { temperature: 0.5, topP: 0.5 } }, '`temperature` and `top_p` cannot both be specified'],
    ['thinking with maxTokens at the budget', {
      messages: [user('a')], inferenceConfig: { maxTokens: 1024 }, additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
    }, '`max_tokens` must be greater than `thinking.budget_tokens`.'],
    ['toolChoice naming a tool not offered', { messages: [user('a')], toolConfig: { tools: [BASH], toolChoice: { tool: { name: 'Read' } } } }, 'not in toolConfig.tools'],
  ])('refuses %s with ValidationException', async (_, body, message) => {
    const error = await client().send(new ConverseCommand({ modelId: MODEL, ...body } as ConverseCommandInput)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toContain(message);
  });

  it('refuses a member Converse does not have (the SDK never sends one; a raw request can)', async () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'a' }] }], anthropic_version: 'bedrock-2023-05-31' });
    const response = await signedFetch(emulator.url, `/model/${encodeURIComponent(MODEL)}/converse`, body, { ...DEFAULT_CREDENTIALS[0], region: 'us-west-2' });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
    expect(((await response.json()) as { message: string }).message).toContain('extraneous key [anthropic_version]');
  });
});

describe('the ConverseStream encoder against recorded Bedrock bytes', () => {
  it.each(['converse-stream-text.bin', 'converse-stream-validation-after-event.bin'])('re-encodes %s byte for byte', (file) => {
    const recorded = fixtureBytes(file);
    const decoded = decodeEventStream(recorded);
    const frames = decoded.map((message) => {
      if (message.headers[':message-type'] === 'exception') {
        return encodeException(message.headers[':exception-type']!, (message.payload as { message: string }).message);
      }
      const { p, ...payload } = message.payload as Record<string, unknown>;
      return encodeConverseEvent(message.headers[':event-type']!, payload, p as string | undefined);
    });
    expect(Buffer.concat(frames)).toEqual(Buffer.from(recorded));
    expect(decoded.length).toBe(fixtureJson<{ messages: unknown[] }>(file.replace('.bin', '.decoded.json')).messages.length);
  });
});
