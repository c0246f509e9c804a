/**
 * The admin API over HTTP on a real gateway: Kong's DB-less endpoints and shapes, every body form POST
 * /config takes, check_hash, flatten_errors, the token, and secrets that never come out.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin } from '@gw/plugin-api';
import { loadConfig } from '../../src/config/load.js';
import { createGateway, type Gateway } from '../../src/server/gateway.js';
import { createLifecycle, type Lifecycle } from '../../src/lifecycle/controller.js';
import { createAdminApp } from '../../src/admin/admin-app.js';
import { adminListenRefusal } from '../../src/admin/auth.js';
import type { AnyPlugin } from '../../src/runtime/registry.js';
import { recordingLogger, send, startEcho, type Upstream } from '../support/http.js';

/** Values that must never come out of the admin API. */
const SECRETS = { header: 'hdr-secret-7Qx2-never-shown', nested: 'nested-secret-Kp9w-never-shown', key: 'consumer-key-Zr4m-never-shown', vault: 'vault-value-Lm3n-never-shown' };
const TOKEN = 'admin-token-for-tests-0123456789';

/** A plugin whose schema marks secrets the ways JSON Schema can nest them. */
const stamp = definePlugin<Record<string, unknown>>({
  name: 'stamp',
  version: '1.2.3',
  priority: 5,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    definitions: { credential: { type: 'object', properties: { token: { type: 'string', 'x-secret': true }, label: { type: 'string' } } } },
    properties: {
      header_value: { type: 'string', 'x-secret': true },
      note: { type: 'string' },
      upstreams: { type: 'array', items: { $ref: '#/definitions/credential' } },
      extra: { anyOf: [{ type: 'null' }, { type: 'object', properties: { password: { type: 'string', 'x-secret': true } } }] },
    },
  },
});

function deck(upstream: number, version: string): string {
  return `_format_version: "3.0"
services:
  - name: echo
    url: http://127.0.0.1:${upstream}/base
    tags: [team-a]
    routes:
      - name: r-${version}
        paths: [/${version}]
        tags: [team-a, ${version}]
      - name: other
        paths: [/other]
    plugins:
      - name: stamp
        config:
          header_value: ${SECRETS.header}
          note: "{vault://env/stamp-note}"
          upstreams: [{ token: ${SECRETS.nested}, label: first }]
          extra: { password: ${SECRETS.nested} }
consumers:
  - username: alice
    keyauth_credentials:
      - key: ${SECRETS.key}
plugins:
  - name: stamp
    route: other
    consumer: alice
    config: { note: global }
`;
}

let upstream: Upstream;
let gateway: Gateway;
let lifecycle: Lifecycle;
let admin: string;
const logger = recordingLogger();
const registry = new Map<string, AnyPlugin>([[stamp.name, stamp as AnyPlugin]]);
const env = { STAMP_NOTE: SECRETS.vault };
let proxyPort: number;

beforeAll(async () => {
  upstream = await startEcho();
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-admin-'));
  const file = path.join(dir, 'kong.yaml');
  writeFileSync(file, deck(upstream.port, 'v1'));
  const loaded = await loadConfig([file], { env, plugins: registry });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  gateway = await createGateway({ config: loaded.config, plugins: registry, logger });
  proxyPort = (await gateway.listen(0, '127.0.0.1')).port;
  lifecycle = createLifecycle({ gateway, plugins: registry, initial: loaded, files: [file], logger, env: () => env });
  const app = createAdminApp({ lifecycle, plugins: registry, token: TOKEN, status: { fetch: (r) => gateway.status(r) }, logger, configuration: { admin_listen: ['127.0.0.1:0'] } });
  const { port } = await gateway.listenAdmin(0, '127.0.0.1', app.fetch);
  admin = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await lifecycle.drain(1000);
  await upstream.close();
});

const auth = { 'kong-admin-token': TOKEN };
async function get(p: string): Promise<{ status: number; body: Record<string, any>; text: string }> {
  const response = await fetch(`${admin}${p}`, { headers: auth });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {}, text };
}
async function post(p: string, body: BodyInit, headers: Record<string, string> = {}) {
  const response = await fetch(`${admin}${p}`, { method: 'POST', body, headers: { ...auth, ...headers } });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined, text };
}
const expectNoSecret = (text: string) => {
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
};

describe('admin API', () => {
  it('refuses to listen off loopback without a token; wants the token in Kong-Admin-Token or Bearer, compared whole', async () => {
    expect(adminListenRefusal('0.0.0.0', undefined)).toMatch(/without a token: set --admin-token or GW_ADMIN_TOKEN/);
    expect(adminListenRefusal('0.0.0.0', '')).toBeDefined();
    expect(adminListenRefusal('0.0.0.0', TOKEN)).toBeUndefined();
    expect(adminListenRefusal('127.0.0.1', undefined)).toBeUndefined();
    expect(adminListenRefusal('::1', undefined)).toBeUndefined();

    const denied = { message: 'Invalid credentials. Token or User credentials required' };
    for (const headers of [{}, { 'kong-admin-token': 'wrong' }, { 'kong-admin-token': TOKEN.slice(0, -1) }, { 'kong-admin-token': `${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
      const response = await fetch(`${admin}/config`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(denied);
    }
    expect((await fetch(`${admin}/`, { method: 'POST', body: 'x' })).status).toBe(401);
    expect((await fetch(`${admin}/services`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const ok = await fetch(`${admin}/services`, { headers: auth });
    expect(ok.status).toBe(200);
    // Kong's defaults (server_tokens, latency_tokens) on every answer, refusals included.
    for (const response of [ok, await fetch(`${admin}/`)]) {
      expect(response.headers.get('server')).toMatch(/^gw\/\d+\.\d+\.\d+/);
      expect(response.headers.get('x-kong-admin-latency')).toMatch(/^\d+$/);
    }
  });

  it('GET / tells the node, version, plugins and configuration hash; GET /status is the status API', async () => {
    const root = await get('/');
    expect(root.body).toMatchObject({
      tagline: 'Welcome to gw',
      edition: 'community',
      plugins: { available_on_server: { stamp: { version: '1.2.3', priority: 5 } }, enabled_in_cluster: ['stamp'] },
      configuration: { database: 'off', role: 'traditional', admin_listen: ['127.0.0.1:0'] },
    });
    expect(root.body.configuration_hash).toMatch(/^[0-9a-f]{32}$/);
    const status = await get('/status');
    expect(status.body.configuration_hash).toBe(root.body.configuration_hash);
    expect(status.body.server).toMatchObject({ connections_active: expect.any(Number) as number });
  });

  it("serves the entities in Kong's shapes, by id or name, nested, paginated, filtered by tags; writes are 405", async () => {
    const services = await get('/services');
    expect(services.body.next).toBeNull();
    const [svc] = services.body.data as Record<string, unknown>[];
    expect(Object.keys(svc).sort()).toEqual(
      ['ca_certificates', 'client_certificate', 'connect_timeout', 'created_at', 'enabled', 'host', 'id', 'name', 'path', 'port', 'protocol', 'read_timeout', 'retries', 'tags', 'tls_verify', 'tls_verify_depth', 'updated_at', 'write_timeout'],
    );
    expect(svc).toMatchObject({ name: 'echo', protocol: 'http', host: '127.0.0.1', port: upstream.port, path: '/base', client_certificate: null, tags: ['team-a'] });
    expect((await get(`/services/${String(svc.id)}`)).body).toEqual(svc);
    expect((await get('/services/echo')).body).toEqual(svc);
    expect(await get('/services/nope')).toMatchObject({ status: 404, body: { message: 'Not found' } });

    const route = (await get('/routes/r-v1')).body;
    expect(route).toMatchObject({ name: 'r-v1', paths: ['/v1'], service: { id: svc.id }, sources: null, destinations: null, strip_path: true });
    expect((await get('/routes/r-v1/service')).body).toEqual(svc);
    expect((await get('/services/echo/routes')).body.data.map((r: { name: string }) => r.name)).toEqual(['r-v1', 'other']);
    expect((await get('/routes/other/plugins')).body.data).toHaveLength(1);
    expect((await get('/consumers/alice/plugins')).body.data).toHaveLength(1);
    expect((await get('/consumers/alice')).body).toMatchObject({ username: 'alice', custom_id: null });
    const credential = (await get('/key-auths')).body.data[0] as { id: string };
    expect((await get(`/key-auths/${credential.id}`)).body).toMatchObject({ id: credential.id, key: 'REDACTED' });
    // Not by the key: no oracle for keys.
    expect((await get(`/key-auths/${SECRETS.key}`)).status).toBe(404);

    const first = await get('/routes?size=1');
    expect(first.body.data).toHaveLength(1);
    expect(first.body.next).toMatch(/^\/routes\?offset=[\w-]+&size=1$/);
    const second = await get(String(first.body.next));
    expect(second.body).toMatchObject({ next: null });
    expect([...first.body.data, ...second.body.data].map((r: { name: string }) => r.name)).toEqual(['r-v1', 'other']);
    expect((await get('/routes?tags=team-a,v1')).body.data.map((r: { name: string }) => r.name)).toEqual(['r-v1']);
    expect((await get('/routes?tags=v1/v2')).body.data).toHaveLength(1);
    expect((await get('/routes?size=0')).status).toBe(400);

    expect(await post('/services', JSON.stringify({ name: 'x' }), { 'content-type': 'application/json' })).toMatchObject({
      status: 405,
      body: { code: 12, name: 'operation unsupported', message: "cannot create 'services' entities when not using a database" },
    });
    const del = await fetch(`${admin}/routes/other`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(405);
    expect(await del.json()).toMatchObject({ message: "cannot remove 'routes' entities when not using a database" });
    const patch = await fetch(`${admin}/plugins/x`, { method: 'PATCH', headers: auth });
    expect(await patch.json()).toMatchObject({ message: "cannot update 'plugins' entities when not using a database" });
    const groups = await get('/consumer_groups');
    expect(groups.status).toBe(200);
    expect(groups.body).toEqual({ data: [], next: null });
  });

  it('never shows a secret: x-secret fields of entity and plugin schemas, key-auth keys, vault values', async () => {
    const texts = await Promise.all(['/config', '/plugins', '/key-auths', '/consumers/alice/key-auth', '/services/echo/plugins', '/'].map(async (p) => (await get(p)).text));
    for (const text of texts) expectNoSecret(text);
    const plugin = (await get('/services/echo/plugins')).body.data[0] as { config: Record<string, unknown> };
    expect(plugin.config).toEqual({ header_value: 'REDACTED', note: 'REDACTED', upstreams: [{ token: 'REDACTED', label: 'first' }], extra: { password: 'REDACTED' } });
    expect((await get('/key-auths')).body.data[0]).toMatchObject({ key: 'REDACTED', consumer: { id: expect.any(String) as string }, ttl: null });
    // The proxy still uses them.
    expect((await send(proxyPort, { path: '/v1/x' })).status).toBe(200);
  });

  it('GET /config is the running config as a decK file that loads again', async () => {
    const { body } = await get('/config');
    expect(typeof body.config).toBe('string');
    const text = body.config as string;
    expect(text).toMatch(/^_format_version: "3.0"\nservices:\n {2}- name: echo\n/);
    expect(text).not.toMatch(/created_at|updated_at/);
    // Posting it back is accepted, and (secrets aside) it is the same configuration.
    const reposted = await post('/config', JSON.stringify({ config: text }), { 'content-type': 'application/json' });
    expect(reposted.status).toBe(201);
    expect((await get('/routes')).body.data.map((r: { name: string }) => r.name)).toEqual(['r-v1', 'other']);
    // Restore the secrets for the tests after this one.
    expect((await post('/config', deck(upstream.port, 'v1'), { 'content-type': 'application/yaml' })).status).toBe(201);
  });

  it('POST /config takes every body form Kong takes, answers 201 with the entities, and 304 with check_hash on the same config', async () => {
    const forms: Array<[string, () => { body: BodyInit; headers?: Record<string, string> }]> = [
      ['YAML body', () => ({ body: deck(upstream.port, 'v2'), headers: { 'content-type': 'application/yaml' } })],
      ['text without a content type', () => ({ body: new Blob([deck(upstream.port, 'v3')]) })],
      ['JSON body', () => ({ body: JSON.stringify({ _format_version: '3.0', services: [{ name: 'echo', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'r-v4', paths: ['/v4'] }] }] }), headers: { 'content-type': 'application/json' } })],
      ['config= in JSON', () => ({ body: JSON.stringify({ config: deck(upstream.port, 'v5') }), headers: { 'content-type': 'application/json' } })],
      ['config= urlencoded', () => ({ body: new URLSearchParams({ config: deck(upstream.port, 'v6') }) })],
      ['config= multipart file', () => {
        const form = new FormData();
        form.set('config', new Blob([deck(upstream.port, 'v7')]), 'kong.yml');
        return { body: form };
      }],
    ];
    for (const [what, make] of forms) {
      const version = `v${forms.findIndex(([w]) => w === what) + 2}`;
      const { body, headers } = make();
      const answer = await post('/config', body, headers);
      expect(answer.status, what).toBe(201);
      expect(Object.values(answer.body!.routes as Record<string, { name: string }>).map((r) => r.name), what).toContain(`r-${version}`);
      expect((await send(proxyPort, { path: `/${version}/x` })).status, what).toBe(200);
      expectNoSecret(answer.text);
    }
    const hash = (await get('/')).body.configuration_hash as string;
    const same = new FormData();
    same.set('config', new Blob([deck(upstream.port, 'v7')]), 'kong.yml');
    expect((await post('/config?check_hash=1', same)).status).toBe(304);
    expect((await post('/config', JSON.stringify({ config: deck(upstream.port, 'v7'), check_hash: 1 }), { 'content-type': 'application/json' })).status).toBe(304);
    expect((await get('/')).body.configuration_hash).toBe(hash);
    // Kong's check_hash takes only "1".
    expect((await post('/config?check_hash=true', deck(upstream.port, 'v7'), { 'content-type': 'application/yaml' })).status).toBe(201);
    expect(await post('/config', '', { 'content-type': 'application/yaml' })).toMatchObject({ status: 400, body: { message: 'expected a declarative configuration' } });
  });

  it('refuses a bad config with every problem at once (Kong shape; flattened by entity with flatten_errors) and keeps serving the old one', async () => {
    expect((await post('/config', deck(upstream.port, 'v8'), { 'content-type': 'application/yaml' })).status).toBe(201);
    const hash = (await get('/')).body.configuration_hash as string;
    const bad = `_format_version: "3.0"
services:
  - name: svc
    id: 6b3a1d2e-0c1f-4d5e-9a8b-7c6d5e4f3a2b
    url: 42
    tags: [ok, 3]
    routes:
      - name: r
        paths: [nope]
        plugins:
          - name: stamp
            config: { header_value: ${SECRETS.header}, bogus: true }
consumers:
  - username: bob
    keyauth_credentials:
      - key: ${SECRETS.key}
        extra: 1
plugins:
  - name: not-a-plugin
`;
    const plain = await post('/config', bad, { 'content-type': 'application/yaml' });
    expect(plain.status).toBe(400);
    expect(plain.body).toMatchObject({ code: 14, name: 'invalid declarative configuration' });
    expect(plain.body!.fields).toEqual({
      services: [{ url: 'expected a string', tags: [null, 'expected a string'], routes: [{ paths: ['must start with "/" or "~/"'], plugins: [{ config: { bogus: 'unknown field' } }] }] }],
      consumers: [{ keyauth_credentials: [{ extra: 'unknown field' }] }],
      plugins: [{ name: "unknown plugin 'not-a-plugin'" }],
    });
    expect(plain.body!.problems).toEqual([
      'config:5:10 services[0].url: expected a string',
      'config:6:16 services[0].tags[1]: expected a string',
      'config:9:17 services[0].routes[0].paths[0]: must start with "/" or "~/"',
      expect.stringMatching(/^config:12:\d+ services\[0\]\.routes\[0\]\.plugins\[0\]\.config\.bogus: unknown field$/) as string,
      'config:17:9 consumers[0].keyauth_credentials[0].extra: unknown field',
      "config:19:11 plugins[0].name: unknown plugin 'not-a-plugin'",
    ]);

    const flat = await post('/config?flatten_errors=1', bad, { 'content-type': 'application/yaml' });
    expect(flat.status).toBe(400);
    expect(flat.body!.fields).toEqual({});
    expect(flat.body!.flattened_errors).toEqual([
      {
        entity_type: 'service',
        entity_name: 'svc',
        entity_id: '6b3a1d2e-0c1f-4d5e-9a8b-7c6d5e4f3a2b',
        entity: { name: 'svc', id: '6b3a1d2e-0c1f-4d5e-9a8b-7c6d5e4f3a2b', url: 42, tags: ['ok', 3] },
        errors: [
          { type: 'field', field: 'url', message: 'expected a string' },
          { type: 'field', field: 'tags.2', message: 'expected a string' },
        ],
      },
      {
        entity_type: 'route',
        entity_name: 'r',
        entity: { name: 'r', paths: ['nope'], service: { id: '6b3a1d2e-0c1f-4d5e-9a8b-7c6d5e4f3a2b' } },
        errors: [{ type: 'field', field: 'paths.1', message: 'must start with "/" or "~/"' }],
      },
      {
        entity_type: 'plugin',
        entity_name: 'stamp',
        entity: { name: 'stamp', config: { header_value: 'REDACTED', bogus: true } },
        errors: [{ type: 'field', field: 'config.bogus', message: 'unknown field' }],
      },
      { entity_type: 'keyauth_credential', entity: { key: 'REDACTED', extra: 1 }, errors: [{ type: 'field', field: 'extra', message: 'unknown field' }] },
      { entity_type: 'plugin', entity_name: 'not-a-plugin', entity: { name: 'not-a-plugin' }, errors: [{ type: 'field', field: 'name', message: "unknown plugin 'not-a-plugin'" }] },
    ]);
    expectNoSecret(plain.text);
    expectNoSecret(flat.text);
    // A file-level problem belongs to no entity: it stays in `fields`.
    const noVersion = await post('/config?flatten_errors=yes', 'services: []\n', { 'content-type': 'application/yaml' });
    expect(noVersion.body).toMatchObject({ fields: { '@entity': expect.stringContaining("add _format_version") as string }, flattened_errors: [] });
    // Kong also takes its older formats; gw takes decK's 3.0.
    const old = await post('/config', '_format_version: "1.1"\nservices: []\n', { 'content-type': 'application/yaml' });
    expect(old.body).toMatchObject({ fields: { _format_version: expect.stringContaining("cannot apply '1.1' config format version") as string } });

    expect((await get('/')).body.configuration_hash).toBe(hash);
    expect((await send(proxyPort, { path: '/v8/x' })).status).toBe(200);
    expect(logger.lines.filter((l) => l.includes('admin API: configuration refused: ')).length).toBeGreaterThanOrEqual(3);
    for (const line of logger.lines) expectNoSecret(line);
  });
});
