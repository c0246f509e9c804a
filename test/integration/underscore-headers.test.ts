/**
 * Header names with underscores, as nginx (and so Kong) treats them: dropped at the door by default
 * (`underscores_in_headers off`), kept as sent when allowed. Either way a header that looks like a
 * credential in any spelling never reaches the log in clear, key-auth reads keys where Kong's key-auth
 * does, and ai-proxy never forwards a client credential in any spelling when it sends the gateway's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { eventually, readLogLines, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { rawRequest } from '../../packages/core/test/support/raw-socket.js';

const CLIENT_SECRET = 'sk-underscore-client-secret-7Yq';
const ALICE_KEY = 'sk-underscore-alice-key-Zp41';
const GATEWAY_KEY = 'sk-underscore-gateway-key-Qe88';

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** Records what it received; answers like the Anthropic Messages API. */
async function recordingUpstream(): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const body = JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function config(upstreamPort: number, logPath: string): string {
  return `_format_version: "3.0"
consumers:
  - username: alice
    keyauth_credentials: [{ key: ${ALICE_KEY} }]
services:
  - name: plain
    url: http://127.0.0.1:${upstreamPort}
    routes:
      - name: plain
        paths: [/plain]
      - name: hyphen-key
        paths: [/hyphen]
        plugins:
          - name: key-auth
            config: { key_names: [x-api-key] }
      - name: underscore-key
        paths: [/underscore]
        plugins:
          - name: key-auth
            config: { key_names: [x_api_key] }
      - name: llm
        paths: [/llm]
        plugins:
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              auth: { header_name: x-api-key, header_value: ${GATEWAY_KEY} }
              model:
                provider: anthropic
                name: claude-x
                options: { anthropic_version: "2023-06-01", upstream_url: "http://127.0.0.1:${upstreamPort}/v1/messages" }
plugins:
  - name: file-log
    config: { path: ${logPath} }
`;
}

const messages = JSON.stringify({ model: 'claude-x', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });

/** A request written by hand: Node's client would send the header names as given too, but this shows the bytes. */
function send(port: number, path: string, headers: string[], body?: string) {
  const head = [`${body === undefined ? 'GET' : 'POST'} ${path} HTTP/1.1`, 'Host: gw', 'Connection: close', ...headers];
  if (body !== undefined) head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
  return rawRequest(port, [`${head.join('\r\n')}\r\n\r\n${body ?? ''}`]);
}

describe('header names with underscores (real gateway)', () => {
  let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
  beforeAll(async () => {
    upstream = await recordingUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
  });

  async function gateway(underscoresInHeaders: boolean): Promise<{ gw: RunningGateway; logPath: string }> {
    const dir = tempDir();
    const logPath = join(dir, 'access.json');
    const gw = await startGateway(config(upstream.port, logPath), { dir, gateway: { underscoresInHeaders } });
    return { gw, logPath };
  }

  async function finish(gw: RunningGateway, logPath: string, count: number) {
    const lines = await eventually(() => readLogLines(logPath).length >= count && readLogLines(logPath), 'log lines');
    await gw.close();
    const text = readFileSync(logPath, 'utf8');
    for (const secret of [CLIENT_SECRET, ALICE_KEY, GATEWAY_KEY]) expect(text.includes(secret), `log file contains ${secret}`).toBe(false);
    for (const secret of [CLIENT_SECRET, ALICE_KEY, GATEWAY_KEY]) expect(gw.messages.join('\n').includes(secret), `messages contain ${secret}`).toBe(false);
    return lines;
  }

  it('drops them by default, as nginx does: neither the upstream, a plugin nor the log sees them', async () => {
    const { gw, logPath } = await gateway(false);
    upstream.seen.length = 0;
    const plain = await send(gw.port, '/plain/a', [`X_Api_Key: ${CLIENT_SECRET}`, 'X-Trace_Id: abc', 'X-Kept: yes']);
    expect(plain.status).toBe(200);
    expect(upstream.seen[0]!.headers['x_api_key']).toBeUndefined();
    expect(upstream.seen[0]!.headers['x-trace_id']).toBeUndefined();
    expect(upstream.seen[0]!.headers['x-kept']).toBe('yes');
    // key-auth with an underscored key name still finds the hyphenated spelling (nginx's header lookup).
    expect((await send(gw.port, '/underscore/b', [`X-Api-Key: ${ALICE_KEY}`])).status).toBe(200);
    // The underscored spelling never arrives: no key.
    expect((await send(gw.port, '/underscore/c', [`X_Api_Key: ${ALICE_KEY}`])).status).toBe(401);
    const lines = await finish(gw, logPath, 3);
    expect(lines[0].request.headers['x_api_key']).toBeUndefined();
    expect(lines[0].request.headers['x-kept']).toBe('yes');
  });

  it('with underscores allowed: forwarded as sent, and redacted in the log whatever their spelling', async () => {
    const { gw, logPath } = await gateway(true);
    upstream.seen.length = 0;
    const plain = await send(gw.port, '/plain/a', [`X_Api_Key: ${CLIENT_SECRET}`, `Proxy_Authorization: Basic ${CLIENT_SECRET}`, 'X-Trace_Id: abc']);
    expect(plain.status).toBe(200);
    // nginx with underscores_in_headers on passes them on unchanged.
    expect(upstream.seen[0]!.headers['x_api_key']).toBe(CLIENT_SECRET);
    expect(upstream.seen[0]!.headers['x-trace_id']).toBe('abc');
    const lines = await finish(gw, logPath, 1);
    expect(lines[0].request.headers['x_api_key']).toBe('REDACTED');
    expect(lines[0].request.headers['proxy_authorization']).toBe('REDACTED');
    expect(lines[0].request.headers['x-trace_id']).toBe('abc');
  });

  it("with underscores allowed: key-auth reads keys where Kong's does, and every spelling it could read is redacted", async () => {
    const { gw, logPath } = await gateway(true);
    // key_names [x-api-key]: Kong's key-auth looks up `x-api-key` in ngx.req.get_headers(), which a header
    // sent as X_Api_Key (kept as `x_api_key`) doesn't match: no key.
    expect((await send(gw.port, '/hyphen/a', [`X_Api_Key: ${ALICE_KEY}`])).status).toBe(401);
    expect((await send(gw.port, '/hyphen/b', [`X-Api-Key: ${ALICE_KEY}`])).status).toBe(200);
    // key_names [x_api_key]: the lookup finds either spelling.
    expect((await send(gw.port, '/underscore/c', [`X_Api_Key: ${ALICE_KEY}`])).status).toBe(200);
    expect((await send(gw.port, '/underscore/d', [`X-Api-Key: ${ALICE_KEY}`])).status).toBe(200);
    const lines = await finish(gw, logPath, 4);
    expect(lines.map((l) => l.request.headers['x_api_key'] ?? l.request.headers['x-api-key'])).toEqual(['REDACTED', 'REDACTED', 'REDACTED', 'REDACTED']);
    expect(lines.map((l) => l.consumer?.username ?? null)).toEqual([null, 'alice', 'alice', 'alice']);
  });

  it('with underscores allowed: ai-proxy sending the gateway key forwards no client credential in any spelling', async () => {
    const { gw, logPath } = await gateway(true);
    upstream.seen.length = 0;
    const reply = await send(gw.port, '/llm/v1/messages', [`X_Api_Key: ${CLIENT_SECRET}`, `Authorization_: x`, `authorization: Bearer ${CLIENT_SECRET}`, 'anthropic-version: 2023-06-01'], messages);
    expect(reply.status, reply.text).toBe(200);
    const sent = upstream.seen[0]!.headers;
    expect(sent['x-api-key']).toBe(GATEWAY_KEY);
    expect(sent['x_api_key']).toBeUndefined();
    expect(sent.authorization).toBeUndefined();
    const lines = await finish(gw, logPath, 1);
    expect(lines[0].request.headers['x_api_key']).toBe('REDACTED');
  });
});
