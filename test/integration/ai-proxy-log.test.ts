/**
 * A Claude Code request (the captured 2.1.330 one, replayed) through the real gateway to the Bedrock
 * emulator leaves a Kong-shaped `ai.proxy` record (docs/reference/kong.md#the-aiproxy-log-value), in
 * stream and oneshot mode; a client that hangs up mid-stream is logged and the upstream stream is cut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type LogLine, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, INPUT_COST, MODEL, OUTPUT_COST, bedrockConfig, clientUsage, deckEnv, post, startRelay, type Relay } from './support/bedrock.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixture = JSON.parse(
  readFileSync(resolve(repoRoot, 'test/fixtures/claude-code/cc-2.1.330-print-json.full.json'), 'utf8'),
) as { requests: { url: string; headers: Record<string, string>; body: Record<string, unknown> }[] };

/** Request 0 as Claude Code sent it, minus what the client library sets per connection; a fresh API key. */
function claudeCodeRequest(overrides: Record<string, unknown> = {}) {
  const captured = fixture.requests[0]!;
  const headers: Record<string, string> = { ...captured.headers, 'x-api-key': 'sk-ant-replayed' };
  for (const name of ['host', 'content-length', 'connection', 'accept-encoding']) delete headers[name];
  return { url: captured.url, headers, body: JSON.stringify({ ...captured.body, ...overrides }) };
}

describe('ai-proxy log record for Claude Code → Bedrock (real gateway)', () => {
  let emulator: Emulator;
  let relay: Relay;
  let gw: RunningGateway;
  let logPath: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    // Every upstream byte passes a relay, so the test sees what the gateway does with the connection.
    relay = await startRelay(emulator.port);
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: relay.url });
    const dir = tempDir();
    logPath = join(dir, 'claude.json');
    gw = await startGateway(bedrockConfig(logPath), { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await relay?.close();
    await emulator?.close();
  });

  const lineFor = (id: string) =>
    eventually(() => readLogLines(logPath).find((l) => l.request.id === id), `the log line of ${id}`);

  function checkAiRecord(line: LogLine, mode: 'stream' | 'oneshot', usage: ReturnType<typeof clientUsage>, responseModel: string) {
    const operation = mode === 'stream' ? 'invoke-with-response-stream' : 'invoke';
    const bedrockPath = `/model/${encodeURIComponent(MODEL)}/${operation}`;
    expect(line.upstream_uri).toBe(bedrockPath);
    expect(line.source).toBe('upstream');
    expect(line.upstream_status).toBe('200');
    expect(line.request.uri).toBe('/anything/v1/messages?beta=true');
    expect(line.request.headers['x-api-key']).toBe('REDACTED');

    const ai = line.ai.proxy;
    expect(ai.meta).toMatchObject({ request_model: MODEL, response_model: responseModel, provider_name: 'bedrock', request_mode: mode });
    expect(typeof ai.meta.plugin_id).toBe('string');
    expect(ai.meta.plugin_id.length).toBeGreaterThan(0);
    expect(ai.meta.llm_latency).toBeGreaterThanOrEqual(0);

    // The emulator's counts, as the client saw them, are what the log reports and prices.
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBeGreaterThan(0);
    const prompt = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
    expect(ai.usage.prompt_tokens).toBe(prompt);
    expect(ai.usage.completion_tokens).toBe(usage.output_tokens);
    expect(ai.usage.total_tokens).toBe(ai.usage.prompt_tokens + ai.usage.completion_tokens);
    expect(usage.cache_read_input_tokens + usage.cache_creation_input_tokens).toBe(0); // no cache prices configured
    expect(ai.usage.cost).toBeCloseTo((usage.input_tokens * INPUT_COST + usage.output_tokens * OUTPUT_COST) / 1e6, 12);
    expect(ai.usage.time_to_first_token).toBeGreaterThanOrEqual(0);
    expect(ai.usage.time_per_token).toBeCloseTo(ai.meta.llm_latency / ai.usage.completion_tokens, 9);
    if (mode === 'oneshot') expect(ai.usage.time_to_first_token).toBe(ai.meta.llm_latency);

    const target = ai.tried_targets[0];
    expect(target).toMatchObject({ provider: 'bedrock', model: MODEL, host: '127.0.0.1', port: Number(new URL(relay.url).port) });
    expect(target.upstream_uri).toBe(bedrockPath);
    expect(line.tries.at(-1)).toMatchObject({ ip: '127.0.0.1', port: target.port });
  }

  it('logs meta, usage, cost and the target of a streamed Claude Code request', async () => {
    const { url, headers, body } = claudeCodeRequest();
    const answer = await post(gw.url + url, headers, body);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers['content-type']).toContain('text/event-stream');
    expect(emulator.received.at(-1)?.operation).toBe('invoke-stream');
    const line = await lineFor(String(answer.headers['x-kong-request-id']));
    const start = answer.text.split('\n').find((l) => l.includes('"message_start"'))!;
    checkAiRecord(line, 'stream', clientUsage(answer.text, true), JSON.parse(start.slice(5)).message.model);
    expect(line.response.size).toBeGreaterThan(answer.text.length);
  });

  it('logs the same for the non-streaming variant (stream: false)', async () => {
    const { url, headers, body } = claudeCodeRequest({ stream: false });
    const answer = await post(gw.url + url, headers, body);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers['content-type']).toContain('application/json');
    // The answer passes unchanged, with the upstream's length: no chunked framing.
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(answer.text)));
    expect(answer.headers['transfer-encoding']).toBeUndefined();
    expect(emulator.received.at(-1)?.operation).toBe('invoke');
    const line = await lineFor(String(answer.headers['x-kong-request-id']));
    checkAiRecord(line, 'oneshot', clientUsage(answer.text, false), JSON.parse(answer.text).model);
  });

  it('logs client_aborted when the client hangs up mid-stream, and closes the upstream stream', async () => {
    const { url, headers } = claudeCodeRequest();
    const body = JSON.stringify({ model: MODEL, max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'go slowly [scenario:slow]' }] });
    // Upstream connections are pooled: remember how far each one had got before this request.
    const chunksBefore = relay.connections.map((c) => c.fromUpstream.length);
    const receivedBefore = emulator.received.length;
    const requestId = await new Promise<string>((resolvePromise, reject) => {
      const req = http.request(gw.url + url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.once('data', () => {
          req.destroy(); // first bytes in: the user pressed Ctrl-C
          resolvePromise(String(res.headers['x-kong-request-id']));
        });
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end(body);
    });

    const line = await lineFor(requestId);
    expect(line.client_aborted).toBe(true);
    expect(line.ai.proxy.meta.request_mode).toBe('stream');
    expect(line.ai.proxy.error).toBeUndefined(); // the client left: not an upstream failure
    expect(emulator.received.slice(receivedBefore).map((r) => r.scenario)).toEqual(['slow']);

    // The gateway dropped its upstream connection before the emulator finished the stream: no final
    // chunk of the chunked body ever passed the relay. (A finished stream would end with "0\r\n\r\n"
    // and its connection would go back to the pool instead of closing.)
    const used = await eventually(() => {
      const i = relay.connections.findIndex((c, n) => c.fromUpstream.length > (chunksBefore[n] ?? 0));
      return i >= 0 && relay.connections[i]!.gatewayClosed ? relay.connections[i]!.fromUpstream.slice(chunksBefore[i] ?? 0) : undefined;
    }, 'the gateway closing its upstream connection');
    const streamed = Buffer.concat(used).toString('latin1');
    expect(streamed.startsWith('HTTP/1.1 200')).toBe(true);
    expect(streamed.endsWith('0\r\n\r\n')).toBe(false);
  });

  it('logs an error when the upstream connection drops mid-stream, and the client sees the cut', async () => {
    const { url, headers } = claudeCodeRequest();
    const body = JSON.stringify({ model: MODEL, max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'go [scenario:cut]' }] });
    const answer = await new Promise<{ id: string; text: string; aborted: boolean }>((resolvePromise, reject) => {
      const req = http.request(gw.url + url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        const done = (aborted: boolean) => resolvePromise({ id: String(res.headers['x-kong-request-id']), text, aborted });
        res.on('end', () => done(false));
        res.on('aborted', () => done(true));
        res.on('error', () => done(true));
      });
      req.on('error', reject);
      req.end(body);
    });
    // Events had been sent, so the status was 200: the client learns of the cut from the broken body.
    expect(answer.text).toContain('event: message_start');
    expect(answer.text).not.toContain('message_stop');
    expect(answer.aborted).toBe(true);

    const line = await lineFor(answer.id);
    expect(line.client_aborted).toBeUndefined();
    expect(line.ai.proxy.error).toMatchObject({ status: 502, type: 'api_error', events_sent: expect.any(Number) });
    expect(line.ai.proxy.error.message).toMatch(/upstream stream ended/);
  });
});
