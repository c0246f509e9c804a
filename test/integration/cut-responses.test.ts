/**
 * The log tells a complete response from a cut one, through the real gateway and file-log:
 *  - an upstream that promises 1,000 bytes (Content-Length) and closes after 10: `cut.by: upstream`, on a
 *    plain route and on an ai-proxy route (oneshot);
 *  - a client that hangs up after 5 of 200 stream deltas: `cut.by: client`, and ai.proxy usage marked as
 *    gw's estimate from the deltas relayed, beside what Bedrock had reported;
 *  - a gateway that stops with a stream in flight past its drain time: `cut.by: gateway`;
 *  - a normal stream: no cut, no estimate, and Bedrock's request id in ai.proxy.meta.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { join } from 'node:path';
import { encodeChunk, startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type LogLine, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, bedrockConfig, deckEnv, post } from './support/bedrock.js';
import { chunk, startRawUpstream, within, type RawUpstream } from './support/raw-upstream.js';

const STREAM_HEAD =
  'HTTP/1.1 200 OK\r\ncontent-type: application/vnd.amazon.eventstream\r\ntransfer-encoding: chunked\r\n' +
  'x-amzn-requestid: 5e1d0c2b-0000-4000-8000-0000000000cc\r\n\r\n';
const DELTAS = 200;
const frame = (event: unknown) => chunk(encodeChunk(event));

/** A Bedrock stream of 200 one-word deltas, one every `ms`, reporting 12 input tokens and (at the end) 200 output tokens. */
function slowStream(socket: import('node:net').Socket, ms: number): void {
  socket.write(STREAM_HEAD);
  socket.write(frame({ type: 'message_start', message: { id: 'msg_cut', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } }));
  socket.write(frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    if (sent < DELTAS) {
      socket.write(frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `word${sent} ` } }));
      sent++;
      return;
    }
    clearInterval(timer);
    socket.write(frame({ type: 'content_block_stop', index: 0 }));
    socket.write(frame({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: DELTAS } }));
    socket.write(frame({ type: 'message_stop' }));
    socket.write('0\r\n\r\n');
  }, ms);
  socket.once('close', () => clearInterval(timer));
}

/** Promises 1,000 bytes, sends 10, then closes the connection. */
function shortBody(socket: import('node:net').Socket): void {
  socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"id":"msg');
  setTimeout(() => socket.destroy(), 30);
}

/** Reads a streamed response until `deltas` content_block_delta events arrived, then hangs up. */
function readDeltasThenHangUp(url: string, body: string, deltas: number): Promise<{ id: string; seen: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        const seen = text.split('event: content_block_delta').length - 1;
        if (seen >= deltas) {
          req.destroy();
          resolve({ id: String(res.headers['x-kong-request-id']), seen });
        }
      });
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(body);
  });
}

const streamBody = (content: string, stream = true) => JSON.stringify({ model: MODEL, max_tokens: 256, stream, messages: [{ role: 'user', content }] });

describe('cut responses in the log (real gateway, file-log)', () => {
  let raw: RawUpstream;
  let emulator: Emulator;
  let gw: RunningGateway;
  let logPath: string;
  let dir: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    raw = await startRawUpstream((socket, request) => {
      const text = request.body.toString();
      if (request.head.startsWith('GET /short') || text.includes('[short]')) shortBody(socket);
      else slowStream(socket, text.includes('[fast]') ? 1 : 20);
    });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: raw.url });
    dir = tempDir();
    logPath = join(dir, 'log.json');
    // The ai-proxy route on /anything (Bedrock = the raw upstream), a plain route /short to the raw upstream,
    // and a second ai-proxy route /emulated whose Bedrock is the emulator (through its endpoint option).
    const yaml = bedrockConfig(logPath, { port: raw.port })
      .replace('paths: [/echo]', 'paths: [/short]\n        strip_path: false')
      .replace('plugins:\n  - name: ai-proxy', `  - name: emulated
    url: http://127.0.0.1:9
    routes:
      - name: emulated
        paths: [/emulated]
        plugins:
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              logging: { log_statistics: true }
              auth: { aws_access_key_id: "${AWS_KEYS.accessKeyId}", aws_secret_access_key: "${AWS_KEYS.secretAccessKey}" }
              model: { provider: bedrock, name: ${MODEL}, options: { upstream_url: "http://127.0.0.1:${emulator.port}", bedrock: { aws_region: us-east-1 } } }
plugins:
  - name: ai-proxy`);
    gw = await startGateway(yaml, { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await raw?.close();
    await emulator?.close();
  });

  const lineFor = (id: string) => eventually(() => readLogLines(logPath).find((l) => l.request.id === id), `the log line of ${id}`);

  function expectCut(line: LogLine, by: string, reason: string) {
    expect(line.cut).toEqual({ by, reason, at: expect.any(Number), bytes: expect.any(Number) });
    expect(line.cut.at).toBeGreaterThanOrEqual(0);
    expect(line.cut.at).toBeLessThanOrEqual(line.latencies.request);
    expect(line.cut.bytes).toBeGreaterThan(0);
    expect(line.cut.bytes).toBeLessThanOrEqual(line.response.size);
  }

  it('(a) plain route: 10 of 1,000 promised bytes, then the upstream closed: cut by upstream', async () => {
    const answer = await new Promise<{ id: string; aborted: boolean; body: string }>((resolve, reject) => {
      http.get(`${gw.url}/short`, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('aborted', () => resolve({ id: String(res.headers['x-kong-request-id']), aborted: true, body }));
        res.on('end', () => resolve({ id: String(res.headers['x-kong-request-id']), aborted: false, body }));
        res.on('error', () => {});
      }).on('error', reject);
    });
    expect(answer).toMatchObject({ aborted: true, body: '{"id":"msg' });
    const line = await lineFor(answer.id);
    expect(line.response.status).toBe(200);
    expect(line.upstream_status).toBe('200');
    expect(line.client_aborted).toBeUndefined();
    expectCut(line, 'upstream', 'closed');
  });

  it('(a) ai-proxy oneshot: the same cut, an ai.proxy error, and usage marked as estimated', async () => {
    const answer = await new Promise<{ id: string; aborted: boolean }>((resolve, reject) => {
      const body = streamBody('hi [short]', false);
      const req = http.request(`${gw.url}/anything/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
        res.resume();
        res.on('aborted', () => resolve({ id: String(res.headers['x-kong-request-id']), aborted: true }));
        res.on('end', () => resolve({ id: String(res.headers['x-kong-request-id']), aborted: false }));
        res.on('error', () => {});
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.aborted).toBe(true);
    const line = await lineFor(answer.id);
    expect(line.response.status).toBe(200);
    expectCut(line, 'upstream', 'closed');
    const ai = line.ai.proxy;
    expect(ai.error).toMatchObject({ status: 502, type: 'api_error' });
    // Nothing was reported (no usage in the 10 bytes, no token-count headers): both counts are gw's.
    expect(ai.usage).toMatchObject({ prompt_tokens_estimated: true, completion_tokens_estimated: true, reported: { prompt_tokens: 0, completion_tokens: 0 } });
    expect(ai.usage.prompt_tokens).toBeGreaterThan(0);
    expect(ai.usage.completion_tokens).toBeGreaterThan(0);
    expect(ai.usage.total_tokens).toBe(ai.usage.prompt_tokens + ai.usage.completion_tokens);
  });

  it('(b) a client that hangs up after 5 of 200 deltas: cut by client, completion estimated from the deltas relayed', async () => {
    const { id } = await readDeltasThenHangUp(`${gw.url}/anything/v1/messages`, streamBody('go'), 5);
    const line = await lineFor(id);
    expect(line.client_aborted).toBe(true);
    expect(line.response.status).toBe(200);
    expectCut(line, 'client', 'disconnected');
    const usage = line.ai.proxy.usage;
    // Bedrock had reported 12 input tokens (message_start) and a provisional output count of 1.
    expect(usage.prompt_tokens).toBe(12);
    expect(usage.prompt_tokens_estimated).toBeUndefined();
    expect(usage.completion_tokens_estimated).toBe(true);
    expect(usage.reported).toEqual({ prompt_tokens: 12, completion_tokens: 1 });
    expect(usage.relayed_deltas).toBeGreaterThanOrEqual(5);
    expect(usage.relayed_deltas).toBeLessThan(DELTAS);
    expect(usage.completion_tokens).toBeGreaterThanOrEqual(usage.relayed_deltas);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(line.ai.proxy.meta.upstream_request_id).toBe('5e1d0c2b-0000-4000-8000-0000000000cc');
  });

  it('a whole stream: no cut, Bedrock’s counts as reported, no estimate', async () => {
    const answer = await post(`${gw.url}/anything/v1/messages`, { 'content-type': 'application/json' }, streamBody('go [fast]'));
    expect(answer.text).toContain('event: message_stop');
    const line = await lineFor(String(answer.headers['x-kong-request-id']));
    expect(line.cut).toBeUndefined();
    expect(line.client_aborted).toBeUndefined();
    const usage = line.ai.proxy.usage;
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: DELTAS });
    for (const key of ['prompt_tokens_estimated', 'completion_tokens_estimated', 'reported', 'relayed_deltas']) expect(usage[key], key).toBeUndefined();
  });

  it('a whole stream from the emulator: Bedrock’s x-amzn-requestid in ai.proxy.meta beside gw’s request id', async () => {
    const answer = await post(`${gw.url}/emulated/v1/messages`, { 'content-type': 'application/json' }, streamBody('hello [scenario:text]'));
    expect(answer.status).toBe(200);
    const upstreamId = String(answer.headers['x-amzn-requestid']);
    expect(upstreamId).toMatch(/^[0-9a-f-]{36}$/);
    const line = await lineFor(String(answer.headers['x-kong-request-id']));
    expect(line.cut).toBeUndefined();
    expect(line.ai.proxy.meta.upstream_request_id).toBe(upstreamId);
    expect(line.ai.proxy.usage.completion_tokens_estimated).toBeUndefined();
  });

  it('a stream still running when the gateway stops past its drain time: cut by gateway', async () => {
    const secondLog = join(dir, 'second.json');
    const second = await startGateway(bedrockConfig(secondLog), { dir: tempDir(), env: deckEnv });
    const body = streamBody('go');
    const started = new Promise<string>((resolve, reject) => {
      const req = http.request(`${second.url}/anything/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
        res.once('data', () => resolve(String(res.headers['x-kong-request-id'])));
        res.on('error', () => {});
      });
      req.on('error', () => {});
      req.end(body);
      setTimeout(() => reject(new Error('no stream')), 5_000);
    });
    const id = await started;
    await within(second.gateway.close({ drainMs: 100 }), 10_000, 'the gateway closing');
    const line = await eventually(() => readLogLines(secondLog).find((l) => l.request.id === id), 'the log line');
    expect(line.client_aborted).toBeUndefined();
    expectCut(line, 'gateway', 'shutdown');
    expect(line.ai.proxy.usage.completion_tokens_estimated).toBe(true);
  });
});
