/**
 * ai-proxy publishes the AI call on the AI_CALL channel for the plugins that count or limit by it. A
 * plugin that runs its log handler before ai-proxy's (as Kong's ai-rate-limiting-advanced does, priority
 * 905) reads final usage there: the emulator's counts, with or without `log_statistics`, and a cut
 * stream's estimate marked as such.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { aiCallWatcher } from './support/ai-call-watcher.js';
import { eventually, setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, INPUT_COST, MODEL, OUTPUT_COST, bedrockConfig, clientUsage, deckEnv } from './support/bedrock.js';

const { plugin: watcher, calls } = aiCallWatcher();

function watched(logPath: string): string {
  return `${bedrockConfig(logPath)}  - name: ai-call-watcher\n    config: {}\n`;
}

const body = (text: string, stream: boolean) =>
  JSON.stringify({ model: MODEL, max_tokens: 64, stream, messages: [{ role: 'user', content: text }] });

function send(url: string, text: string, stream: boolean): Promise<{ id: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/anything/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ id: String(res.headers['x-kong-request-id']), body: text }));
    });
    req.on('error', reject);
    req.end(body(text, stream));
  });
}

/** message_start's id and model, message_delta's stop reason, from an SSE answer. */
function streamedMessage(sse: string): { id: string; model: string; stop_reason: string } {
  const events = sse.split('\n').filter((line) => line.startsWith('data:')).map((line) => JSON.parse(line.slice(5)) as Record<string, any>);
  const start = events.find((e) => e.type === 'message_start')!.message as { id: string; model: string };
  const delta = events.find((e) => e.type === 'message_delta')!.delta as { stop_reason: string };
  return { id: start.id, model: start.model, stop_reason: delta.stop_reason };
}

describe('AI_CALL channel (real gateway, Bedrock emulator)', () => {
  let emulator: Emulator;
  let gw: RunningGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulator.port}` });
    const dir = tempDir();
    gw = await startGateway(watched(join(dir, 'claude.json')), { dir, env: deckEnv, plugins: [watcher] });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await emulator?.close();
  });

  for (const stream of [false, true]) {
    it(`${stream ? 'a stream' : 'a oneshot answer'}: the call and its final usage, priced by the config`, async () => {
      const { id, body: answer } = await send(gw.url, 'hello [scenario:text]', stream);
      const entry = await eventually(() => calls.get(id), `AI_CALL for ${id}`);
      expect(entry.call).toEqual({
        provider: 'bedrock',
        format: 'anthropic',
        routeType: 'llm/v1/chat',
        model: MODEL,
        clientModel: MODEL,
        stream,
      });
      const expected = clientUsage(answer, stream);
      expect(entry.usage.tokens.input).toBe(expected.input_tokens);
      expect(entry.usage.tokens.output).toBe(expected.output_tokens);
      expect(entry.usage.tokens.output).toBeGreaterThan(0);
      expect(entry.usage.estimated).toEqual({ input: false, output: false });
      expect(entry.usage.complete).toBe(true);
      const cost = (entry.usage.tokens.input * INPUT_COST + entry.usage.tokens.output * OUTPUT_COST) / 1e6;
      expect(entry.usage.costUsd).toBeCloseTo(cost, 12);
      // What metrics and traces read: the answer's own id, model and stop reason, and its timings.
      const message = stream ? streamedMessage(answer) : (JSON.parse(answer) as { id: string; model: string; stop_reason: string });
      expect(entry.usage.responseId).toBe(message.id);
      expect(entry.usage.responseModel).toBe(message.model);
      expect(entry.usage.finishReasons).toEqual([message.stop_reason]);
      expect(entry.usage.latencyMs).toBeGreaterThanOrEqual(0);
      expect(entry.usage.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
      expect(entry.usage.timeToFirstTokenMs!).toBeLessThanOrEqual(entry.usage.latencyMs!);
    });
  }

  it('an upstream error is not complete', async () => {
    const { id } = await send(gw.url, 'x [scenario:validation]', false);
    const entry = await eventually(() => calls.get(id), `AI_CALL for ${id}`);
    expect(entry.usage.complete).toBe(false);
  });
  it('a client that hangs up mid-stream: not complete, the output count marked as gw\'s estimate', async () => {
    const id = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${gw.url}/anything/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test' } }, (res) => {
        res.once('data', () => {
          resolve(String(res.headers['x-kong-request-id']));
          req.destroy();
        });
      });
      req.on('error', () => {});
      req.once('response', () => {});
      req.end(body('long answer [scenario:slow]', true));
      setTimeout(() => reject(new Error('no first byte')), 10_000).unref();
    });
    const entry = await eventually(() => calls.get(id), `AI_CALL for ${id}`);
    expect(entry.usage.complete).toBe(false);
    expect(entry.usage.estimated.output).toBe(true);
    expect(entry.usage.tokens.output).toBeGreaterThanOrEqual(1);
  });
});
