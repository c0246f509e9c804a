// Scenario selection, slow/hang/cut handling and the routes around the model operations.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, SCENARIOS, startBedrockEmulator } from '../src/index.js';
import type { Emulator } from '../src/index.js';
import { decodeEventStream } from '../src/eventstream.js';
import { MODEL, anthropicBody, signedFetch } from './fixtures.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const sign = { ...DEFAULT_CREDENTIALS[0], region: 'us-east-1' };
const invokePath = (op = 'invoke') => `/model/${encodeURIComponent(MODEL)}/${op}`;
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
};

describe('scenario selection', () => {
  it('lists every scenario and refuses unknown ones', async () => {
    expect(SCENARIOS).toContain('text');
    expect(SCENARIOS).toContain('hang');
    await expect(startBedrockEmulator({ defaultScenario: 'nope' })).rejects.toThrow(/unknown scenario "nope"/);
    emulator = await startBedrockEmulator();
    expect(() => emulator!.queue('nope')).toThrow(/unknown scenario/);
    const res = await signedFetch(emulator.url, invokePath(), anthropicBody('[scenario:nope] x'), sign);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
  });

  it('uses defaultScenario when nothing else applies', async () => {
    emulator = await startBedrockEmulator({ defaultScenario: 'echo' });
    const res = await signedFetch(emulator.url, invokePath(), anthropicBody('parrot this'), sign);
    expect(((await res.json()) as { content: { text: string }[] }).content[0].text).toBe('parrot this');
    expect(emulator.received[0]).toMatchObject({ scenario: 'echo', operation: 'invoke', json: JSON.parse(anthropicBody('parrot this')) });
  });

  it('keeps the marker of the turn that started a tool round trip', async () => {
    emulator = await startBedrockEmulator();
    const body = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      messages: [
        { role: 'user', content: '[scenario:tool_use] go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'echo gw-tool-ok' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'gw-tool-ok' }] }, { type: 'text', text: 'reminder' }] },
      ],
    });
    const res = await signedFetch(emulator.url, invokePath(), body, sign);
    const message = (await res.json()) as { content: { type: string; text: string }[] };
    expect(message.content).toEqual([{ type: 'text', text: 'The command printed: gw-tool-ok' }]);
  });

  it('stops at max_tokens like the model would', async () => {
    emulator = await startBedrockEmulator();
    const res = await signedFetch(emulator.url, invokePath(), anthropicBody('probe', { max_tokens: 1 }), sign);
    const message = (await res.json()) as { stop_reason: string; content: { text: string }[] };
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content[0].text.length).toBeLessThanOrEqual(4);
  });

  it('reports token counts in the non-streaming response headers', async () => {
    emulator = await startBedrockEmulator();
    const res = await signedFetch(emulator.url, invokePath(), anthropicBody('[scenario:cache] x'), sign);
    const message = (await res.json()) as { usage: Record<string, number> };
    expect(Number(res.headers.get('x-amzn-bedrock-input-token-count'))).toBe(message.usage.input_tokens);
    expect(Number(res.headers.get('x-amzn-bedrock-output-token-count'))).toBe(message.usage.output_tokens);
    expect(Number(res.headers.get('x-amzn-bedrock-cache-read-input-token-count'))).toBe(message.usage.cache_read_input_tokens);
    expect(res.headers.get('x-amzn-bedrock-invocation-latency')).toMatch(/^\d+$/);
  });
});

describe('slow, hang and cut', () => {
  it('slow streams the complete message', async () => {
    emulator = await startBedrockEmulator();
    emulator.queue({ name: 'slow', delayMs: 5 });
    const res = await signedFetch(emulator.url, invokePath('invoke-with-response-stream'), anthropicBody('x'), sign);
    const events = decodeEventStream(new Uint8Array(await res.arrayBuffer())).map((m) => (m.event as { type: string }).type);
    expect(events.at(-1)).toBe('message_stop');
  });

  it('hang never answers, and close() still ends the connection', async () => {
    emulator = await startBedrockEmulator();
    const pending = signedFetch(emulator.url, invokePath(), anthropicBody('[scenario:hang] x'), sign);
    await until(() => emulator!.received.length === 1);
    expect(emulator.received[0].scenario).toBe('hang');
    await emulator.close();
    emulator = undefined;
    await expect(pending).rejects.toThrow();
  });

  it('stream-only failures answer a non-streaming fallback normally (as Claude Code expects)', async () => {
    emulator = await startBedrockEmulator();
    for (const name of ['cut', 'truncated', 'exception_mid_stream', 'exception_first']) {
      const res = await signedFetch(emulator.url, invokePath(), anthropicBody(`[scenario:${name}] x`), sign);
      expect(res.status, name).toBe(200);
      expect(((await res.json()) as { type: string }).type).toBe('message');
    }
  });
});

describe('DEFAULT_CREDENTIALS', () => {
  it('is the default accepted list and also the pair itself', async () => {
    expect(DEFAULT_CREDENTIALS).toHaveLength(1);
    expect(DEFAULT_CREDENTIALS.accessKeyId).toBe(DEFAULT_CREDENTIALS[0].accessKeyId);
    expect(DEFAULT_CREDENTIALS.secretAccessKey).toBe(DEFAULT_CREDENTIALS[0].secretAccessKey);
    emulator = await startBedrockEmulator({ credentials: [DEFAULT_CREDENTIALS] });
    const pairShape = { accessKeyId: DEFAULT_CREDENTIALS.accessKeyId, secretAccessKey: DEFAULT_CREDENTIALS.secretAccessKey };
    expect((await signedFetch(emulator.url, invokePath(), anthropicBody('x'), { ...pairShape, region: 'us-east-1' })).status).toBe(200);
  });
});

describe('other routes', () => {
  it('answers unknown operations with a signed 404 and records them', async () => {
    emulator = await startBedrockEmulator();
    const res = await signedFetch(emulator.url, '/inference-profiles?type=SYSTEM_DEFINED', '', sign, 'GET');
    expect(res.status).toBe(404);
    expect(emulator.received[0]).toMatchObject({ method: 'GET', operation: 'other', signatureValid: true, path: '/inference-profiles' });
  });

  it('accepts temporary credentials only with their session token', async () => {
    const temp = { accessKeyId: 'ASIATEMP', secretAccessKey: 'temp-secret', sessionToken: 'session-1' };
    emulator = await startBedrockEmulator({ credentials: [temp], region: 'eu-west-1' });
    const ok = await signedFetch(emulator.url, invokePath(), anthropicBody('x'), { ...temp, region: 'eu-west-1' });
    expect(ok.status).toBe(200);
    const noToken = await signedFetch(emulator.url, invokePath(), anthropicBody('x'), { ...temp, sessionToken: undefined, region: 'eu-west-1' });
    expect(noToken.status).toBe(403);
    const body = await noToken.text();
    expect(body).toContain('The security token included in the request is invalid.');
    expect(body).not.toContain('temp-secret');
    const wrongRegion = await signedFetch(emulator.url, invokePath(), anthropicBody('x'), { ...temp, region: 'us-east-1' });
    expect(wrongRegion.status).toBe(403);
  });
});
