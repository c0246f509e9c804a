import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, validateAnthropicBody, verifySigV4 } from '@gw/bedrock-emulator';
import type { UpstreamRequest } from '@gw/plugin-api';
import plugin from '../../src/index.js';
import type { AiProxyConfig } from '../../src/config/types.js';
import { aiProxyConfig } from '../support/config.js';
import type { AiLocal, AiState } from '../../src/phases/state.js';
import { readFixture, type Capture, type CapturedRequest } from '../support/fixtures.js';
import { fakeContext } from './fake-context.js';

// What gw's upstream client will do with the UpstreamRequest: send exactly these bytes and headers.
function send(upstream: UpstreamRequest): Promise<{ status: number; contentType: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        method: upstream.method,
        host: upstream.host,
        port: upstream.port,
        path: upstream.query === '' ? upstream.path : `${upstream.path}?${upstream.query}`,
        headers: upstream.headers as Record<string, string>,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    // Piece by piece, as gw writes a body in pieces.
    const pieces = upstream.body === undefined ? [] : upstream.body instanceof Uint8Array ? [upstream.body] : upstream.body;
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

/**
 * A loopback Bedrock stand-in that checks what arrives with the emulator's independent SigV4 verifier and
 * its Bedrock body rules (the emulator's own server is used by the end-to-end tests).
 */
interface Received {
  url: string;
  signature: { ok: boolean; message?: string };
  problem: string | undefined;
}
const received: Received[] = [];
let server: Server;
let upstreamUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
      const signature = verifySigV4({ method: req.method ?? 'GET', url, headers, body }, { credentials: [DEFAULT_CREDENTIALS], region: 'us-west-2' });
      const json = JSON.parse(body.toString('utf8')) as { input?: { invokeModel?: { body: string } } };
      const invoke = url.endsWith('/count-tokens') ? JSON.parse(Buffer.from(json.input!.invokeModel!.body, 'base64').toString('utf8')) : json;
      const problem = validateAnthropicBody(invoke);
      received.push({ url, signature, problem });
      res.writeHead(signature.ok && problem === undefined ? 200 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function config(): AiProxyConfig {
  return aiProxyConfig({
    auth: { aws_access_key_id: DEFAULT_CREDENTIALS.accessKeyId, aws_secret_access_key: DEFAULT_CREDENTIALS.secretAccessKey },
    model: {
      provider: 'bedrock',
      name: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      options: { max_tokens: 8192, upstream_url: upstreamUrl, bedrock: { aws_region: 'us-west-2' } },
    },
  });
}

async function proxy(request: CapturedRequest, path = '/anything/v1/messages') {
  const cfg = config();
  const state = (await plugin.init!(cfg, { logger: console, configDir: '.', pluginId: 'p' })) as AiState;
  const local: AiLocal = {};
  const fake = fakeContext({ path, query: 'beta=true', headers: request.headers, body: JSON.stringify(request.body) });
  await plugin.access!({ ctx: fake.ctx, config: cfg, state, local });
  await plugin.upstream!({ ctx: fake.ctx, config: cfg, state, local, upstream: fake.upstream });
  return send(fake.upstream);
}

const fullCaptures = ['claude-code/cc-2.0.37-print-json.full.json', 'claude-code/cc-2.0.37-tool-roundtrip.full.json', 'claude-code/cc-2.1.330-print-json.full.json'];
const requests = fullCaptures.flatMap((file) => readFixture<Capture>(file).requests.map((request) => [`${file} #${request.seq}`, request] as const));

describe('Claude Code captures through ai-proxy, checked on the wire', () => {
  it.each(requests)('%s: signature and Bedrock body accepted', async (_name, request) => {
    const before = received.length;
    const response = await proxy(request);
    const got = received[before];
    expect(got.signature).toEqual({ ok: true, accessKeyId: 'AKIDEXAMPLE' });
    expect(got.problem).toBeUndefined();
    expect(got.url).toBe(`/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/${request.body?.stream === true ? 'invoke-with-response-stream' : 'invoke'}`);
    expect(response.status).toBe(200);
  });

  it('count_tokens reaches CountTokens with a valid wrapped body', async () => {
    const before = received.length;
    const response = await proxy(requests[0][1], '/anything/v1/messages/count_tokens');
    expect(received[before]).toMatchObject({ url: '/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens', signature: { ok: true }, problem: undefined });
    expect(response.status).toBe(200);
  });

  it('a wrong secret is caught by the verifier (the check can fail)', async () => {
    const cfg = config();
    cfg.auth = { aws_access_key_id: 'AKIDEXAMPLE', aws_secret_access_key: 'wrong' };
    const state = (await plugin.init!(cfg, { logger: console, configDir: '.', pluginId: 'p' })) as AiState;
    const local: AiLocal = {};
    const fake = fakeContext({ path: '/v1/messages', body: JSON.stringify({ max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }) });
    await plugin.access!({ ctx: fake.ctx, config: cfg, state, local });
    await plugin.upstream!({ ctx: fake.ctx, config: cfg, state, local, upstream: fake.upstream });
    const before = received.length;
    expect((await send(fake.upstream)).status).toBe(400);
    expect(received[before].signature.ok).toBe(false);
  });
});
