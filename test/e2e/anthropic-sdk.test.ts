/**
 * The seed config served to the real @anthropic-ai/sdk (streaming and not), plus the recorded Claude Code
 * captures replayed through gw: each must reach the emulator as a valid, correctly signed Bedrock request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startStack, eventually, repoRoot, type Stack } from './support/stack.js';

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const fixtures = join(repoRoot, 'test/fixtures/claude-code');
let stack: Stack;
let client: Anthropic;

beforeAll(async () => {
  stack = await startStack();
  client = new Anthropic({ baseURL: `${stack.gwUrl}/anything`, apiKey: 'sk-ant-sdk-test', maxRetries: 0 });
}, 60_000);
afterAll(async () => stack?.stop());

const ask = (text: string) => [{ role: 'user' as const, content: text }];

describe('@anthropic-ai/sdk through gw', () => {
  it('non-streaming: the scripted message arrives intact', async () => {
    const message = await client.messages.create({ model: MODEL, max_tokens: 256, messages: ask('hi [scenario:text]') });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the Bedrock emulator.' }]);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
  });

  it('streaming text', async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: ask('hi [scenario:text]') });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from the Bedrock emulator.' }]);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streaming tool_use with partial JSON is reassembled', async () => {
    const deltas: string[] = [];
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: ask('run it [scenario:tool_use]') });
    stream.on('inputJson', (partial) => deltas.push(partial));
    const final = await stream.finalMessage();
    const tool = final.content.find((b) => b.type === 'tool_use');
    expect(tool).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'echo gw-tool-ok' } });
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.stop_reason).toBe('tool_use');
  });

  it('streaming thinking keeps its signature', async () => {
    const final = await client.messages
      .stream({ model: MODEL, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: ask('think [scenario:thinking]') })
      .finalMessage();
    const thinking = final.content.find((b) => b.type === 'thinking');
    expect(thinking).toBeDefined();
    expect((thinking as { signature: string }).signature.length).toBeGreaterThan(10);
  });

  it.each([
    ['throttle', Anthropic.RateLimitError, 429],
    ['overload', Anthropic.InternalServerError, 529],
    ['validation', Anthropic.BadRequestError, 400],
    ['access_denied', Anthropic.PermissionDeniedError, 403],
  ])('a Bedrock %s error arrives as the SDK typed error', async (scenario, type, status) => {
    const error = await client.messages.create({ model: MODEL, max_tokens: 16, messages: ask(`x [scenario:${scenario}]`) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as { status: number }).status).toBe(status);
    expect((error as { headers: Headers }).headers.get('retry-after')).not.toBe('0');
  });

  it('an exception in the middle of a stream surfaces as a stream error, not a silent end', async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, messages: ask('x [scenario:exception_mid_stream]') });
    await expect(stream.finalMessage()).rejects.toThrow();
  });

  it("exposes gw's request id as the SDK's _request_id, the id gw logged the request under", async () => {
    const created = client.messages.create({ model: MODEL, max_tokens: 64, messages: ask('hi [scenario:text]') });
    const message = await created;
    // The same call's HTTP response.
    const { response, request_id } = await created.withResponse();
    const id = response.headers.get('x-kong-request-id');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(message._request_id).toBe(id);
    expect(request_id).toBe(id);
    const logged = await eventually(() => stack.logLines().find((l) => (l.request as { id: string }).id === id), 'the log line');
    expect((logged.response as { headers: Record<string, string> }).headers['request-id']).toBe(id);
    // Bedrock's own request id is logged beside it.
    expect(((logged.ai as { proxy: { meta: { upstream_request_id?: string } } }).proxy.meta.upstream_request_id ?? '')).toMatch(/\S/);

    const stream = client.messages.stream({ model: MODEL, max_tokens: 64, messages: ask('hi [scenario:text]') });
    const { response: streamed } = await stream.withResponse();
    await stream.finalMessage();
    expect(streamed.headers.get('request-id')).toBe(streamed.headers.get('x-kong-request-id'));

    // gw's own errors and mapped Bedrock errors carry it too: APIError.requestID.
    const error = (await client.messages.create({ model: MODEL, max_tokens: 16, messages: ask('x [scenario:throttle]') }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.requestID).toBe(error.headers?.get('x-kong-request-id'));
    expect(error.requestID).toMatch(/^[0-9a-f]{32}$/);
  });

  it('count_tokens', async () => {
    const counted = await client.messages.countTokens({ model: MODEL, messages: ask('count me please') });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });
});

describe('recorded Claude Code requests replayed through gw', () => {
  const captures = ['cc-2.0.37-print-json.full.json', 'cc-2.1.330-print-json.full.json', 'cc-2.0.37-tool-roundtrip.full.json'];
  interface Capture { requests: { url: string; headers: Record<string, string>; body: Record<string, unknown> }[] }

  it.each(captures)('%s reaches Bedrock as valid signed requests', async (file) => {
    const capture = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as Capture;
    for (const request of capture.requests) {
      const before = stack.emulator.received.length;
      const headers: Record<string, string> = { ...request.headers, 'x-api-key': 'sk-ant-replay' };
      for (const drop of ['host', 'content-length', 'connection']) delete headers[drop];
      const response = await fetch(`${stack.gwUrl}${request.url}`, { method: 'POST', headers, body: JSON.stringify(request.body) });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      const received = await eventually(() => stack.emulator.received[before], 'the emulator to receive the request');
      expect(received.signatureValid).toBe(true);
      const body = received.json as Record<string, unknown>;
      expect(body.model).toBeUndefined();
      expect(body.stream).toBeUndefined();
      expect(body.anthropic_version).toBe('bedrock-2023-05-31');
      expect(received.path).toMatch(/^\/model\/us\.anthropic\.claude-haiku-4-5-20251001-v1%3A0\/invoke(-with-response-stream)?$/);
    }
  });
});
