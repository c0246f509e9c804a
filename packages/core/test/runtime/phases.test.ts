import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { definePlugin, GatewayError, type LogRecord } from '@gw/plugin-api';
import { consumer, plugin } from '../support/config.js';
import { deferred, send, startEcho, startUpstream, type EchoBody } from '../support/http.js';
import { pluginRunner, type Cleanups } from '../support/run.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const run = pluginRunner(cleanups);

/** Authenticates the consumer whose key is in x-api-key (as key-auth does), noting each run in `seen`. */
function keyAuthLike(seen: string[] = []) {
  return definePlugin({
    name: 'auth',
    version: '1.0.0',
    priority: 1250,
    configSchema: {},
    access({ ctx }) {
      seen.push('auth');
      const key = ctx.request.headers['x-api-key'];
      const c = typeof key === 'string' ? ctx.findConsumerByKey(key) : undefined;
      if (c) ctx.authenticate(c, 'cred-1');
    },
  });
}

describe('phases', () => {
  it('runs access in priority order and lets consumer-scoped configs apply after authenticate', async () => {
    const seen: string[] = [];
    const alice = consumer('alice', ['alice-key']);
    const auth = keyAuthLike(seen);
    const tagger = definePlugin<{ tag: string }>({
      name: 'tagger',
      version: '1.0.0',
      priority: 800,
      configSchema: {},
      access({ config }) {
        seen.push(`tagger:${config.tag}`);
      },
      upstream({ config, upstream }) {
        upstream.headers['x-tag'] = config.tag;
      },
    });
    const gw = await run([auth, tagger], (_svc, r) => [plugin('auth'), plugin('tagger', { tag: 'route' }, { route: r }), plugin('tagger', { tag: 'alice' }, { consumer: alice })], undefined, [alice]);

    const anon = JSON.parse((await send(gw.port, { path: '/' })).body) as EchoBody;
    expect(anon.headers['x-tag']).toBe('route');
    const authed = JSON.parse((await send(gw.port, { path: '/', headers: { 'x-api-key': 'alice-key' } })).body) as EchoBody;
    expect(authed.headers['x-tag']).toBe('alice');
    expect(seen).toEqual(['auth', 'tagger:route', 'auth', 'tagger:alice']);
  });

  it('takes the error format of the consumer-scoped plugin list after authenticate', async () => {
    const alice = consumer('alice', ['alice-key']);
    const auth = keyAuthLike();
    // Declares Anthropic errors for its requests but never calls setErrorFormat itself.
    const llm = definePlugin({
      name: 'llm',
      version: '1.0.0',
      priority: 800,
      configSchema: {},
      errorFormat: () => 'anthropic',
      access() {
        throw new GatewayError('GW_ERR_BAD_REQUEST', { message: 'no such model' });
      },
    });
    const gw = await run([auth, llm], () => [plugin('auth'), plugin('llm', {}, { consumer: alice })], undefined, [alice]);
    const reply = await send(gw.port, { path: '/', headers: { 'x-api-key': 'alice-key' } });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'no such model' } });
  });

  it('answers with the Response an access handler returns and skips the upstream', async () => {
    let upstreamHits = 0;
    const up = await startUpstream((_q, s) => {
      upstreamHits++;
      s.end();
    });
    cleanups.push(up.close);
    const calls: string[] = [];
    const stop = definePlugin({
      name: 'stop',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      access: () => new Response('teapot', { status: 418, headers: { 'x-from': 'plugin' } }),
      responseHeaders: () => void calls.push('responseHeaders'),
      log: ({ record }) => void calls.push(`log ${record.source} ${record.response.status}`),
    });
    const gw = await run([stop], () => [plugin('stop')], up.port);
    const reply = await send(gw.port, { path: '/' });
    expect(reply.status).toBe(418);
    expect(reply.body).toBe('teapot');
    expect(reply.headers['x-from']).toBe('plugin');
    await gw.close();
    expect(upstreamHits).toBe(0);
    expect(calls).toEqual(['log kong 418']);
  });

  it('renders a GatewayError in the format the request chose (anthropic)', async () => {
    const deny = definePlugin({
      name: 'deny',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      access({ ctx }) {
        ctx.setErrorFormat('anthropic');
        throw new GatewayError('GW_ERR_AI_MODEL_MISMATCH', { params: { model: 'm-1' }, headers: { 'retry-after': '3' } });
      },
    });
    const gw = await run([deny], () => [plugin('deny')]);
    const reply = await send(gw.port, { path: '/v1/messages', method: 'POST', body: '{}' });
    expect(reply.status).toBe(400);
    expect(reply.headers['retry-after']).toBe('3');
    expect(JSON.parse(reply.body)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'cannot use own model - must be: m-1' } });
  });

  it('turns other plugin errors into 500 GW_ERR_PLUGIN_FAILED without leaking the message to the client', async () => {
    const broken = definePlugin({
      name: 'broken',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      access() {
        throw new TypeError('boom internals');
      },
    });
    const gw = await run([broken], () => [plugin('broken')]);
    const reply = await send(gw.port, { path: '/' });
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body)).toEqual({ message: 'An unexpected error occurred' });
    expect(gw.logger.lines.some((l) => l.startsWith('error') && l.includes('broken') && l.includes('access'))).toBe(true);
  });

  it('lets the upstream phase rewrite the target and body, re-running before each retry', async () => {
    let upstreamCalls = 0;
    const echo = await startEcho();
    cleanups.push(echo.close);
    const rewrite = definePlugin({
      name: 'rewrite',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      async access({ ctx, local }) {
        local.body = new TextDecoder().decode(await ctx.request.body(1024));
      },
      upstream({ upstream, local }) {
        upstreamCalls++;
        // first try goes to a dead port on purpose, the retry to the echo server
        upstream.port = upstreamCalls === 1 ? 1 : echo.port;
        upstream.path = '/rewritten';
        upstream.query = 'a=b';
        upstream.headers['x-added'] = 'yes';
        upstream.body = new TextEncoder().encode(`${String(local.body)}+more`);
      },
    });
    const gw = await run([rewrite], () => [plugin('rewrite')], echo.port);
    const reply = await send(gw.port, { path: '/orig', method: 'POST', body: 'client' });
    const echoed = JSON.parse(reply.body) as EchoBody;
    expect(echoed.url).toBe('/rewritten?a=b');
    expect(echoed.body).toBe('client+more');
    expect(echoed.headers['content-length']).toBe('11');
    expect(echoed.headers['x-added']).toBe('yes');
    expect(echoed.headers.host).toBe(`127.0.0.1:${echo.port}`);
    expect(upstreamCalls).toBe(2);
  });

  it('sends a body given as pieces in order as one body, with their total length, on every try', async () => {
    let tries = 0;
    const echo = await startEcho();
    cleanups.push(echo.close);
    const client = Buffer.from('{"keep":"these bytes","drop":1}');
    const pieces = definePlugin({
      name: 'pieces',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      upstream({ upstream }) {
        tries++;
        upstream.port = tries === 1 ? 1 : echo.port; // the retry must send the pieces again
        upstream.body = [Buffer.from('['), client.subarray(0, 21), new Uint8Array(0), new TextEncoder().encode('}]')];
      },
    });
    const gw = await run([pieces], () => [plugin('pieces')], echo.port);
    const echoed = JSON.parse((await send(gw.port, { path: '/', method: 'POST', body: 'ignored' })).body) as EchoBody;
    expect(echoed.body).toBe('[{"keep":"these bytes"}]');
    expect(echoed.headers['content-length']).toBe('24');
    expect(echoed.headers['transfer-encoding']).toBeUndefined();
    expect(tries).toBe(2);
  });

  it('enforces body(limit) for chunked bodies with 413', async () => {
    const reader = definePlugin({
      name: 'reader',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      async access({ ctx }) {
        await ctx.request.body(8);
      },
    });
    const gw = await run([reader], () => [plugin('reader')]);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: gw.port, method: 'POST', path: '/', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write('0123456789');
      req.end('more');
    });
    expect(status).toBe(413);
    const small = await send(gw.port, { path: '/', method: 'POST', body: 'tiny' });
    expect((JSON.parse(small.body) as EchoBody).body).toBe('tiny');
  });

  it('catches log handler errors and keeps serving', async () => {
    const records: LogRecord[] = [];
    const bad = definePlugin({ name: 'bad-log', version: '1.0.0', priority: 20, configSchema: {}, log: () => Promise.reject(new Error('disk full')) });
    const good = definePlugin({ name: 'good-log', version: '1.0.0', priority: 10, configSchema: {}, log: ({ record }) => void records.push(record) });
    const gw = await run([bad, good], () => [plugin('bad-log'), plugin('good-log')]);
    expect((await send(gw.port, { path: '/' })).status).toBe(200);
    await gw.close();
    expect(records).toHaveLength(1);
    expect(gw.logger.lines.some((l) => l.includes('bad-log') && l.includes('disk full'))).toBe(true);
  });

  it('renders upstream failures in the format a plugin chose', async () => {
    const claim = definePlugin({
      name: 'claim',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      access: ({ ctx }) => ctx.setErrorFormat('anthropic'),
    });
    const gw = await run([claim], () => [plugin('claim')], 1);
    const reply = await send(gw.port, { path: '/v1/messages', method: 'POST', body: '{}' });
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body)).toEqual({ type: 'error', error: { type: 'api_error', message: 'An invalid response was received from the upstream server' } });
  });

  it('aborts ctx.signal when the client goes away during the access phase', async () => {
    const sawAbort = deferred();
    const entered = deferred();
    const records: LogRecord[] = [];
    const waiter = definePlugin({
      name: 'waiter',
      version: '1.0.0',
      priority: 10,
      configSchema: {},
      async access({ ctx }) {
        entered.resolve();
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        sawAbort.resolve();
      },
      log: ({ record }) => void records.push(record),
    });
    const gw = await run([waiter], () => [plugin('waiter')]);
    const req = http.request({ host: '127.0.0.1', port: gw.port, path: '/', agent: false });
    req.on('error', () => {});
    req.end();
    await entered.promise;
    req.destroy();
    await sawAbort.promise;
    await gw.close();
    expect(records).toHaveLength(1);
    expect(records[0].client_aborted).toBe(true);
    expect(records[0].response.status).toBe(499);
  });

  it('gives each request one context whose methods live on a shared prototype, and one reused argument per plugin', async () => {
    const alice = consumer('alice', ['alice-key']);
    const seen: { ctx: unknown; local: unknown; args: unknown; consumer: string | undefined; phase: string }[] = [];
    const watcher = definePlugin({
      name: 'watcher',
      version: '1.0.0',
      priority: 800,
      configSchema: {},
      access(args) {
        args.local.mark = 'set in access';
        seen.push({ ctx: args.ctx, local: args.local, args, consumer: args.ctx.consumer?.username, phase: 'access' });
      },
      upstream(args) {
        seen.push({ ctx: args.ctx, local: args.local, args, consumer: args.ctx.consumer?.username, phase: `upstream ${String(args.local.mark)}` });
      },
      responseHeaders(args) {
        seen.push({ ctx: args.ctx, local: args.local, args, consumer: args.ctx.consumer?.username, phase: `response ${args.response.status}` });
      },
      log(args) {
        seen.push({ ctx: args.ctx, local: args.local, args, consumer: args.ctx.consumer?.username, phase: `log ${args.record.response.status}` });
      },
    });
    const gw = await run([keyAuthLike(), watcher], () => [plugin('auth'), plugin('watcher')], undefined, [alice]);
    await send(gw.port, { path: '/', headers: { 'x-api-key': 'alice-key' } });
    await send(gw.port, { path: '/' });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((s) => `${s.phase} ${s.consumer ?? '-'}`)).toEqual([
      'access alice', 'upstream set in access alice', 'response 200 alice', 'log 200 alice',
      'access -', 'upstream set in access -', 'response 200 -', 'log 200 -',
    ]);
    for (const request of [seen.slice(0, 4), seen.slice(4)]) {
      for (const s of request) {
        expect(s.ctx).toBe(request[0].ctx);
        expect(s.local).toBe(request[0].local);
        expect(s.args).toBe(request[0].args);
      }
    }
    const [first, second] = [seen[0].ctx as object, seen[4].ctx as object];
    expect(first).not.toBe(second);
    expect(Object.getPrototypeOf(first)).toBe(Object.getPrototypeOf(second));
    // No closures per request: every own member is data.
    expect(Object.values(first).filter((v) => typeof v === 'function')).toEqual([]);
  });
});
