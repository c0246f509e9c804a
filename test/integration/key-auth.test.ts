/**
 * key-auth through the real gateway in-process (loadConfig + createGateway, like `gw start`): consumers
 * with keyauth_credentials, routes with key-auth, file-log, and consumer-scoped plugins that must win
 * over the route's and the global ones once key-auth identified the consumer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureGwOutput } from '../support/gw-output.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, formatProblem, loadConfig, type AnyPlugin, type Gateway } from '@gw/core';
import { definePlugin } from '@gw/plugin-api';
import fileLog from '@gw/plugin-file-log';
import keyAuth from '@gw/plugin-key-auth';

const ALICE_KEY = 'alice-secret-key-0001';
const BOB_KEY = 'bob-secret-key-0002';

/** Test plugin: answers with the label of the one config that applied (the most specific scope). */
const scopeTag = definePlugin<{ label: string }>({
  name: 'scope-tag',
  version: '1.0.0',
  priority: 800,
  configSchema: { type: 'object', required: ['label'], properties: { label: { type: 'string' } }, additionalProperties: false },
  responseHeaders({ config, response }) {
    response.headers['x-scope-tag'] = config.label;
  },
});

const registry = new Map<string, AnyPlugin>([fileLog, keyAuth, scopeTag].map((p) => [p.name, p]));

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** The upstream: answers with the url and headers it received. */
async function startUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ url: req.url ?? '', headers: req.headers } satisfies Seen);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function config(upstreamPort: number, dir: string): string {
  return `_format_version: "3.0"
consumers:
  - username: alice
    custom_id: team-a
    keyauth_credentials:
      - key: ${ALICE_KEY}
  - username: bob
    keyauth_credentials:
      - key: ${BOB_KEY}
    plugins:
      - name: file-log
        config:
          path: ${join(dir, 'bob.json')}
      - name: scope-tag
        config:
          label: consumer-bob
  - username: guest
services:
  - name: echo
    url: http://127.0.0.1:${upstreamPort}
    routes:
      - name: strict
        paths: [/strict]
        plugins:
          - name: key-auth
            config:
              key_names: [apikey, x-api-key]
              hide_credentials: true
              realm: gw
          - name: scope-tag
            config:
              label: route-strict
      - name: visible
        paths: [/visible]
        plugins:
          - name: key-auth
      - name: claude
        paths: [/claude]
        plugins:
          - name: key-auth
            config:
              key_names: [authorization]
              hide_credentials: true
      - name: preflight
        paths: [/preflight]
        plugins:
          - name: key-auth
            config:
              run_on_preflight: false
      - name: open
        paths: [/open]
        plugins:
          - name: key-auth
            config:
              anonymous: guest
plugins:
  - name: file-log
    config:
      path: ${join(dir, 'all.json')}
`;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

type LogLine = Record<string, any>;

function readLines(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}

/** Log lines land after the response is sent: wait for the one of this request. */
async function lineFor(path: string, requestId: string): Promise<{ line: LogLine; raw: string }> {
  for (let i = 0; i < 200; i++) {
    const raw = existsSync(path) ? readFileSync(path, 'utf8').split('\n').find((l) => l.includes(requestId)) : undefined;
    if (raw) return { line: JSON.parse(raw) as LogLine, raw };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no log line for ${requestId} in ${path}`);
}

describe('key-auth through the real gateway', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let gateway: Gateway;
  let port: number;
  let dir: string;
  const messages: string[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
    dir = mkdtempSync(join(tmpdir(), 'gw-key-auth-'));
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, config(upstream.port, dir));
    const loaded = await loadConfig([file], { env: {}, mode: 'expand', plugins: registry });
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => formatProblem(p)).join('\n'));
    const capture = captureGwOutput('key-auth-gateway');
    const say = (m: string) => {
      messages.push(m);
      capture(`${m}\n`);
    };
    const logger = { info: say, warn: say, error: say };
    gateway = await createGateway({ config: loaded.config, plugins: registry, logger });
    ({ port } = await gateway.listen(0, '127.0.0.1'));
  });

  afterAll(async () => {
    await gateway?.close({ drainMs: 2_000 });
    await upstream?.close();
  });

  it('answers 401 with the Kong body and WWW-Authenticate when no key is sent', async () => {
    const a = await send(port, '/strict/x');
    expect(a.status).toBe(401);
    expect(JSON.parse(a.body)).toEqual({ message: 'No API key found in request' });
    expect(a.headers['www-authenticate']).toBe('Key realm="gw"');
    const { line } = await lineFor(join(dir, 'all.json'), String(a.headers['x-kong-request-id']));
    expect(line.consumer).toBeNull();
    expect(line.source).toBe('kong');
    expect(line.response.status).toBe(401);
  });

  it('answers 401 Unauthorized for an unknown key, without echoing it', async () => {
    const a = await send(port, '/visible/x', { apikey: 'not-a-real-key' });
    expect(a.status).toBe(401);
    expect(JSON.parse(a.body)).toEqual({ message: 'Unauthorized' });
    expect(a.headers['www-authenticate']).toBe('Key');
    const { raw } = await lineFor(join(dir, 'all.json'), String(a.headers['x-kong-request-id']));
    expect(raw).not.toContain('not-a-real-key');
  });

  it('authenticates by header, hides the key upstream, sends consumer headers and logs the consumer', async () => {
    const a = await send(port, '/strict/x?keep=1', { 'X-API-Key': ALICE_KEY });
    expect(a.status).toBe(200);
    const seen = JSON.parse(a.body) as Seen;
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(seen.url).toBe('/x?keep=1');
    expect(seen.headers['x-consumer-username']).toBe('alice');
    expect(seen.headers['x-consumer-custom-id']).toBe('team-a');
    expect(a.headers['x-scope-tag']).toBe('route-strict');

    const { line, raw } = await lineFor(join(dir, 'all.json'), String(a.headers['x-kong-request-id']));
    expect(line.consumer).toMatchObject({ username: 'alice', custom_id: 'team-a' });
    expect(line.consumer.id).toBe(seen.headers['x-consumer-id']);
    expect(line.consumer.keyauth_credentials).toBeUndefined();
    expect(line.request.headers['x-api-key']).toBe('REDACTED');
    expect(raw).not.toContain(ALICE_KEY);
  });

  it('authenticates by query, removes it upstream with hide_credentials and redacts it in the log', async () => {
    const a = await send(port, `/strict/q?a=1&apikey=${ALICE_KEY}&b=2`);
    expect(a.status).toBe(200);
    expect((JSON.parse(a.body) as Seen).url).toBe('/q?a=1&b=2');
    const { line, raw } = await lineFor(join(dir, 'all.json'), String(a.headers['x-kong-request-id']));
    expect(line.consumer.username).toBe('alice');
    expect(line.request.querystring).toEqual({ a: '1', apikey: 'REDACTED', b: '2' });
    expect(line.request.uri).toBe('/strict/q?a=1&apikey=REDACTED&b=2');
    expect(raw).not.toContain(ALICE_KEY);
  });

  it('without hide_credentials the upstream gets the key but the log still does not', async () => {
    const a = await send(port, `/visible/q?apikey=${ALICE_KEY}`, { apikey: ALICE_KEY });
    expect(a.status).toBe(200);
    const seen = JSON.parse(a.body) as Seen;
    expect(seen.headers.apikey).toBe(ALICE_KEY);
    expect(seen.url).toBe(`/q?apikey=${ALICE_KEY}`);
    const { line, raw } = await lineFor(join(dir, 'all.json'), String(a.headers['x-kong-request-id']));
    expect(line.request.headers.apikey).toBe('REDACTED');
    expect(line.upstream_uri).toBe('/q?apikey=REDACTED');
    expect(raw).not.toContain(ALICE_KEY);
  });

  it("applies the consumer's plugins over the route's and the global ones", async () => {
    const a = await send(port, '/strict/x', { apikey: BOB_KEY });
    expect(a.status).toBe(200);
    expect(a.headers['x-scope-tag']).toBe('consumer-bob');
    const id = String(a.headers['x-kong-request-id']);
    const { line, raw } = await lineFor(join(dir, 'bob.json'), id);
    expect(line.consumer.username).toBe('bob');
    expect(raw).not.toContain(BOB_KEY);
    // The consumer-scoped file-log replaced the global one for bob's request.
    expect(readLines(join(dir, 'all.json')).some((l) => l.request.id === id)).toBe(false);
  });

  it('accepts Claude Code\'s `authorization: Bearer <key>` for key name authorization', async () => {
    const a = await send(port, '/claude/v1/messages', { authorization: `Bearer ${ALICE_KEY}` });
    expect(a.status).toBe(200);
    expect((JSON.parse(a.body) as Seen).headers.authorization).toBeUndefined();
    const { line, raw } = await lineFor(join(dir, 'all.json'), String(a.headers['x-kong-request-id']));
    expect(line.consumer.username).toBe('alice');
    expect(raw).not.toContain(ALICE_KEY);
  });

  it('lets a preflight OPTIONS through without a key only when run_on_preflight is false', async () => {
    expect((await send(port, '/preflight/x', {}, 'OPTIONS')).status).toBe(200);
    expect((await send(port, '/preflight/x')).status).toBe(401);
    expect((await send(port, '/visible/x', {}, 'OPTIONS')).status).toBe(401);
  });

  it('logs authenticated_entity {id, consumer_id}', async () => {
    const a = await send(port, '/visible/x', { apikey: ALICE_KEY });
    const { line } = await lineFor(join(dir, 'all.json'), String(a.headers['x-kong-request-id']));
    expect(line.authenticated_entity).toEqual({ id: expect.any(String), consumer_id: line.consumer.id });
    expect(line.authenticated_entity.id).not.toBe(ALICE_KEY);
  });

  it('falls back to the anonymous consumer without a valid key', async () => {
    for (const headers of [{}, { apikey: 'wrong' }] as Record<string, string>[]) {
      const a = await send(port, '/open/x', headers);
      expect(a.status).toBe(200);
      const seen = JSON.parse(a.body) as Seen;
      expect(seen.headers['x-consumer-username']).toBe('guest');
      expect(seen.headers['x-anonymous-consumer']).toBe('true');
      const { line } = await lineFor(join(dir, 'all.json'), String(a.headers['x-kong-request-id']));
      expect(line.consumer.username).toBe('guest');
      expect(line.authenticated_entity).toBeUndefined();
    }
  });

  it('a valid key still wins on an anonymous route', async () => {
    const a = await send(port, '/open/x', { apikey: ALICE_KEY });
    expect(a.status).toBe(200);
    expect((JSON.parse(a.body) as Seen).headers['x-consumer-username']).toBe('alice');
  });

  it('never tells the gateway logger a key', () => {
    expect(messages.join('\n')).not.toContain(ALICE_KEY);
    expect(messages.join('\n')).not.toContain(BOB_KEY);
  });
});

describe('key-auth config through loadConfig', () => {
  async function load(pluginConfig: string) {
    const dir = mkdtempSync(join(tmpdir(), 'gw-key-auth-cfg-'));
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, `_format_version: "3.0"\nplugins:\n  - name: key-auth\n${pluginConfig}`);
    return loadConfig([file], { env: {}, mode: 'expand', plugins: registry });
  }

  it("fills in Kong's defaults", async () => {
    const loaded = await load('');
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.config.plugins[0].config).toEqual({
      key_names: ['apikey'],
      hide_credentials: false,
      key_in_header: true,
      key_in_query: true,
      key_in_body: false,
      run_on_preflight: true,
    });
  });

  it('refuses key_in_body with a clear message at its path', async () => {
    const loaded = await load('    config:\n      key_in_body: true\n');
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'plugins[0].config.key_in_body: key_in_body is not supported yet by gw (it would buffer every request body); send the key in a header or the query string',
    ]);
  });

  it("refuses a key name that is not a header name, with Kong's message", async () => {
    const loaded = await load('    config:\n      key_names: ["bad name"]\n');
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "plugins[0].config.key_names[0]: bad header name, allowed characters are A-Z, a-z, 0-9, '_', and '-'",
    ]);
  });
});
