import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, type LogRecord } from '@gw/plugin-api';
import { consumer, gatewayConfig, plugin, route, service } from '../support/config.js';
import { send, startEcho, startGateway } from '../support/http.js';
import { applySerializeOp, makeSerializeOp, parseDottedKey } from '../../src/log/serialize-values.js';
import { parseQuery } from '../../src/log/record.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('serialize values', () => {
  it('parses dotted keys with escaped dots', () => {
    expect(parseDottedKey('ai.proxy.usage')).toEqual(['ai', 'proxy', 'usage']);
    expect(parseDottedKey('a\\.b.c')).toEqual(['a.b', 'c']);
    expect(() => parseDottedKey('a..b')).toThrow();
  });

  it('applies set, add and replace like kong.log.set_serialize_value', () => {
    const rec: Record<string, unknown> = { request: { id: 'x' } };
    applySerializeOp(rec, makeSerializeOp('ai.proxy.meta.model', 'm'));
    applySerializeOp(rec, makeSerializeOp('ai.proxy.meta.model', 'other', 'add'));
    applySerializeOp(rec, makeSerializeOp('request.id', 'y', 'replace'));
    applySerializeOp(rec, makeSerializeOp('missing.thing', 1, 'replace'));
    applySerializeOp(rec, makeSerializeOp('request.extra', 1, 'replace'));
    expect(rec).toEqual({ request: { id: 'y' }, ai: { proxy: { meta: { model: 'm' } } } });
    applySerializeOp(rec, makeSerializeOp('ai.proxy', undefined));
    expect(rec).toEqual({ request: { id: 'y' }, ai: {} });
  });

  it('parses query strings like ngx.req.get_uri_args', () => {
    expect(parseQuery('beta=true&a=1&a=2&flag&sp=a+b%20c')).toEqual({ beta: 'true', a: ['1', '2'], flag: true, sp: 'a b c' });
    expect(parseQuery('')).toEqual({});
  });
});

describe('log record', () => {
  it('has the Kong basic serializer shape, redacts credentials, and carries serialize values set in the log phase', async () => {
    const echo = await startEcho();
    cleanups.push(echo.close);
    const svc = service({ port: echo.port, name: 'echo' });
    const r = route(svc, { paths: ['/echo'], name: 'echo-route' });
    const bob = consumer('bob', ['bob-secret-key']);
    const written: LogRecord[] = [];

    const keyAuth = definePlugin({
      name: 'key-auth',
      version: '1.0.0',
      priority: 1250,
      configSchema: {},
      access({ ctx }) {
        const c = ctx.findConsumerByKey(String(ctx.request.headers['x-api-key']));
        if (c) ctx.authenticate(c, 'cred-bob');
        ctx.redactHeader('X-Custom-Secret');
        ctx.setSerializeValue('early.value', 1);
      },
    });
    // Like ai-proxy: publishes analytics from its log handler, before the file-log writer runs.
    const aiLike = definePlugin({
      name: 'ai-like',
      version: '1.0.0',
      priority: 770,
      configSchema: {},
      log({ ctx }) {
        ctx.setSerializeValue('ai.proxy.usage.total_tokens', 42);
      },
    });
    const fileLike = definePlugin({
      name: 'file-like',
      version: '1.0.0',
      priority: 9,
      configSchema: {},
      log({ record }) {
        written.push(JSON.parse(JSON.stringify(record)) as LogRecord);
      },
    });
    const gw = await startGateway(
      gatewayConfig({ services: [svc], routes: [r], consumers: [bob], plugins: [plugin('key-auth'), plugin('ai-like'), plugin('file-like')] }),
      [keyAuth, aiLike, fileLike],
    );
    const body = 'x'.repeat(100);
    const reply = await send(gw.port, {
      method: 'POST',
      path: '/echo/v1/messages?beta=true',
      body,
      headers: {
        authorization: 'Bearer top-secret',
        'x-api-key': 'bob-secret-key',
        cookie: 'session=abc',
        'x-amz-security-token': 'tok',
        'x-custom-secret': 'mine',
        'x-visible': 'shown',
      },
    });
    expect(reply.status).toBe(200);
    await gw.close();

    expect(written).toHaveLength(1);
    const rec = written[0];
    const text = JSON.stringify(rec);
    for (const secret of ['top-secret', 'bob-secret-key', 'session=abc', '"tok"', 'mine']) expect(text).not.toContain(secret);

    expect(rec.request).toMatchObject({
      id: reply.headers['x-kong-request-id'],
      method: 'POST',
      uri: '/echo/v1/messages?beta=true',
      url: `http://127.0.0.1:${gw.port}/echo/v1/messages?beta=true`,
      querystring: { beta: 'true' },
    });
    expect(rec.request.headers).toMatchObject({
      authorization: 'REDACTED',
      'x-api-key': 'REDACTED',
      cookie: 'REDACTED',
      'x-amz-security-token': 'REDACTED',
      'x-custom-secret': 'REDACTED',
      'x-visible': 'shown',
    });
    expect(rec.request.size).toBeGreaterThan(body.length);
    expect(rec.upstream_uri).toBe('/v1/messages?beta=true');
    expect(rec.upstream_status).toBe('200');
    expect(rec.response.status).toBe(200);
    expect(rec.response.headers['content-type']).toBe('application/json');
    const contentLength = Number(rec.response.headers['content-length']);
    expect(rec.response.size).toBeGreaterThan(contentLength);
    expect(rec.source).toBe('upstream');
    expect(rec.client_ip).toBe('127.0.0.1');
    expect(typeof rec.started_at).toBe('number');
    expect(Object.keys(rec.latencies).sort()).toEqual(['kong', 'proxy', 'receive', 'request']);
    expect(rec.latencies.proxy).toBeGreaterThanOrEqual(0);
    expect(rec.tries).toHaveLength(1);
    expect(rec.tries[0]).toMatchObject({ ip: '127.0.0.1', port: echo.port, balancer_latency: 0 });
    expect(rec.route).toMatchObject({ id: r.id, name: 'echo-route', paths: ['/echo'] });
    expect(rec.service).toMatchObject({ id: svc.id, name: 'echo', port: echo.port, retries: 5 });
    expect(rec.consumer).toEqual({ id: bob.id, username: 'bob', created_at: 1 });
    expect(rec.authenticated_entity).toEqual({ id: 'cred-bob', consumer_id: bob.id });
    expect(rec.client_aborted).toBeUndefined();
    expect(rec.early).toEqual({ value: 1 });
    expect(rec.ai).toEqual({ proxy: { usage: { total_tokens: 42 } } });
  });

  it('logs gw-produced responses with source kong and no upstream', async () => {
    const written: LogRecord[] = [];
    const fileLike = definePlugin({ name: 'file-like', version: '1.0.0', priority: 9, configSchema: {}, log: ({ record }) => void written.push(record) });
    const svc = service({ port: 1 });
    const r = route(svc, { paths: ['/'] });
    const terminate = definePlugin({ name: 'terminate', version: '1.0.0', priority: 2, configSchema: {}, access: () => new Response('bye', { status: 403 }) });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [r], plugins: [plugin('file-like'), plugin('terminate')] }), [fileLike, terminate]);
    await send(gw.port, { path: '/x' });
    await gw.close();
    expect(written[0]).toMatchObject({ source: 'kong', upstream_uri: '', upstream_status: '', tries: [], response: { status: 403 } });
    expect(written[0].latencies.proxy).toBe(-1);
  });

  it('shares one frozen route and service per config, and gives a serialize value under them a copy of its own', async () => {
    const echo = await startEcho();
    cleanups.push(echo.close);
    const svc = service({ port: echo.port, name: 'echo' });
    const r = route(svc, { paths: ['/echo'], name: 'echo-route', tags: ['a'] });
    const records: LogRecord[] = [];
    const tagger = definePlugin({
      name: 'tagger',
      version: '1.0.0',
      priority: 800,
      configSchema: {},
      access({ ctx }) {
        if (ctx.request.headers['x-tag'] === 'early') ctx.setSerializeValue('route.tag', 'early');
      },
      log({ ctx }) {
        if (ctx.request.headers['x-tag'] === 'late') ctx.setSerializeValue('service.tags.extra', 'late');
      },
    });
    const keeper = definePlugin({ name: 'keeper', version: '1.0.0', priority: 9, configSchema: {}, log: ({ record }) => void records.push(record) });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [r], plugins: [plugin('tagger'), plugin('keeper')] }), [tagger, keeper]);
    for (const tag of ['none', 'early', 'late', 'none']) expect((await send(gw.port, { path: '/echo', headers: { 'x-tag': tag } })).status).toBe(200);
    await gw.close();

    const [plain, early, late, again] = records;
    expect(plain.route).toBe(again.route);
    expect(plain.service).toBe(again.service);
    expect(Object.isFrozen(plain.route)).toBe(true);
    expect(Object.isFrozen((plain.route as { paths: string[] }).paths)).toBe(true);
    expect(plain.route).toEqual({ ...r });
    expect(plain.service).toEqual({ ...svc });
    expect(early.route).toEqual({ ...r, tag: 'early' });
    expect(early.service).toBe(plain.service);
    expect(late.service).toEqual({ ...svc, tags: { extra: 'late' } });
    expect(late.route).toBe(plain.route);
    // The config's entities and the shared copies are untouched.
    expect(r).not.toHaveProperty('tag');
    expect(svc.tags).toBeUndefined();
    expect(again.route).toEqual({ ...r });
  });
});
