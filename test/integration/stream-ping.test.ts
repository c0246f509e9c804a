/**
 * Keep-alive pings on a Bedrock stream, end to end: the emulator pauses before every event (`slow`), gw
 * fills each silence longer than `stream_ping_interval` with an Anthropic `ping` event, and the real
 * @anthropic-ai/sdk still assembles the exact message (it must skip pings, as it does for Anthropic's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, bedrockConfig, deckEnv } from './support/bedrock.js';

describe('stream keep-alive pings (real gateway, emulator, Anthropic SDK)', () => {
  let emulator: Emulator;
  let gw: RunningGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}` });
    const dir = tempDir();
    // The emulator waits 200 ms before each event; pings after 50 ms of silence.
    const yaml = bedrockConfig(join(dir, 'log.json')).replace('      llm_format: anthropic\n', '      llm_format: anthropic\n      stream_ping_interval: 0.05\n');
    expect(yaml).toContain('stream_ping_interval: 0.05');
    gw = await startGateway(yaml, { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await emulator?.close();
  });

  const request = (text: string) => ({ model: MODEL, max_tokens: 256, stream: true, messages: [{ role: 'user' as const, content: text }] });

  it('sends pings between slow events, never before message_start', async () => {
    const response = await fetch(`${gw.url}/anything/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(request('hello [scenario:slow]')),
    });
    expect(response.status).toBe(200);
    const events = [...(await response.text()).matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe('message_start');
    expect(events.at(-1)).toBe('message_stop');
    const pings = events.filter((e) => e === 'ping').length;
    // Every 200 ms gap after message_start holds at least one 50 ms silence.
    expect(pings).toBeGreaterThanOrEqual(events.length - pings - 1);
  });

  it('the Anthropic SDK reads through the pings', async () => {
    const client = new Anthropic({ baseURL: `${gw.url}/anything`, apiKey: 'sk-ant-test', maxRetries: 0 });
    const slow = await client.messages.stream(request('hello [scenario:slow]')).finalMessage();
    const fast = await client.messages.stream(request('hello [scenario:text]')).finalMessage();
    expect(slow.stop_reason).toBe('end_turn');
    expect(slow.content).toEqual(fast.content);
  });
});
