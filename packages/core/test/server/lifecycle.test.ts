import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, type LogRecord } from '@gw/plugin-api';
import { gatewayConfig, plugin, route, service } from '../support/config.js';
import { holdingUpstream, send, startGateway } from '../support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A plugin whose instances tag requests with their config and record their lifecycle. */
function tracer(events: string[], logs: LogRecord[]) {
  return definePlugin<{ v: string }, { v: string }>({
    name: 'tracer',
    version: '1.0.0',
    priority: 10,
    configSchema: {},
    init: (config) => ({ v: config.v }),
    close: (state) => void events.push(`close ${state.v}`),
    upstream: ({ state, upstream }) => void (upstream.headers['x-version'] = state.v),
    log: ({ state, record }) => {
      events.push(`log ${state.v}`);
      logs.push(record);
    },
  });
}

function get(port: number, path: string, agent: http.Agent | false = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('gateway lifecycle', () => {
  it('reloads atomically: an in-flight request finishes on the old config, whose plan closes after it', async () => {
    const events: string[] = [];
    const logs: LogRecord[] = [];
    const { up, release, arrived } = await holdingUpstream(cleanups);
    const svc = service({ port: up.port });
    const config = (v: string, paths: string[]) => gatewayConfig({ services: [svc], routes: [route(svc, { paths, strip_path: false })], plugins: [plugin('tracer', { v })] });
    const gw = await startGateway(config('v1', ['/']), [tracer(events, logs)]);
    cleanups.push(gw.close);

    const inflight = get(gw.port, '/hold');
    await arrived.promise;
    expect(gw.gateway.inFlight).toBe(1);
    await gw.gateway.reload(config('v2', ['/hold', '/new']));
    expect(events).toEqual([]); // v1 still has a request in flight

    expect(await get(gw.port, '/new')).toEqual({ status: 200, body: 'v2' });
    release.resolve();
    expect(await inflight).toEqual({ status: 200, body: 'v1' });
    await gw.gateway.close();
    expect(events).toEqual(['log v2', 'log v1', 'close v1', 'close v2']);
  });

  it('rejects a reload whose config is broken and keeps serving the old one', async () => {
    const { up } = await holdingUpstream(cleanups);
    const svc = service({ port: up.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })] }));
    cleanups.push(gw.close);
    await expect(gw.gateway.reload(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })], plugins: [plugin('nope')] }))).rejects.toThrow(/nope/);
    expect((await send(gw.port, { path: '/' })).status).toBe(200);
  });

  it('close drains in-flight requests, then stops', async () => {
    const events: string[] = [];
    const logs: LogRecord[] = [];
    const { up, release, arrived } = await holdingUpstream(cleanups);
    const svc = service({ port: up.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'], strip_path: false })], plugins: [plugin('tracer', { v: 'v1' })] }), [tracer(events, logs)]);

    const keepAlive = new http.Agent({ keepAlive: true });
    cleanups.push(async () => keepAlive.destroy());
    const inflight = get(gw.port, '/hold', keepAlive);
    await arrived.promise;
    const closed = gw.gateway.close({ drainMs: 10_000 });
    await expect(get(gw.port, '/')).rejects.toThrow(); // no new connections
    release.resolve();
    expect(await inflight).toEqual({ status: 200, body: 'v1' });
    await closed;
    expect(events).toEqual(['log v1', 'close v1']);
    expect(gw.gateway.inFlight).toBe(0);
  });

  it('close cuts requests still running after drainMs; they are logged as cut by the gateway before plugins close', async () => {
    const events: string[] = [];
    const logs: LogRecord[] = [];
    const { up, arrived } = await holdingUpstream(cleanups);
    const svc = service({ port: up.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'], strip_path: false })], plugins: [plugin('tracer', { v: 'v1' })] }), [tracer(events, logs)]);

    const inflight = get(gw.port, '/hold').catch((err: Error) => err);
    await arrived.promise;
    await gw.gateway.close({ drainMs: 50 });
    expect(await inflight).toBeInstanceOf(Error);
    expect(events).toEqual(['log v1', 'close v1']);
    // The client did not leave: gw cut it at shutdown.
    expect(logs[0].client_aborted).toBeUndefined();
    expect(logs[0].cut).toEqual({ by: 'gateway', reason: 'shutdown', at: expect.any(Number), bytes: 0 });
  });
});
