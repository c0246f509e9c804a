import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/index.js';
import { gatewayConfig, route, service } from '../support/config.js';
import { holdingUpstream, send, startGateway } from '../support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function getJson(port: number, path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

async function setup() {
  const { up, release, arrived } = await holdingUpstream(cleanups);
  const svc = service({ port: up.port });
  const config = (paths: string[]) => gatewayConfig({ services: [svc], routes: [route(svc, { paths, strip_path: false })] });
  const initial = config(['/']);
  const gw = await startGateway(initial);
  cleanups.push(gw.close);
  const status = await gw.gateway.listenStatus(0, '127.0.0.1');
  return { gw, status, config, initial, release, arrived };
}

describe('status listener (Kong status_listen)', () => {
  it('counts proxied requests and connections, and reports in-flight ones', async () => {
    const { gw, status, release, arrived } = await setup();
    const before = await getJson(status.port, '/status');
    expect(before.status).toBe(200);
    expect(before.body.server.total_requests).toBe(0);

    expect((await send(gw.port, { path: '/a' })).status).toBe(200);
    expect((await send(gw.port, { path: '/b' })).status).toBe(200);
    const held = send(gw.port, { path: '/hold' });
    await arrived.promise;

    const during = await getJson(status.port, '/status');
    expect(during.body.server).toMatchObject({ total_requests: 3, requests_in_flight: 1 });
    expect(during.body.server.connections_accepted).toBeGreaterThanOrEqual(3);
    expect(during.body.server.connections_active).toBeGreaterThanOrEqual(1);
    expect(during.body.memory.rss_bytes).toBeGreaterThan(0);
    release.resolve();
    expect((await held).status).toBe(200);
    // Status requests are not proxy traffic.
    expect((await getJson(status.port, '/status')).body.server.total_requests).toBe(3);
  });

  it('reports full collections run once idle after a burst that grew memory (idleGcMs)', async () => {
    const { up } = await holdingUpstream(cleanups);
    const svc = service({ port: up.port });
    const gateway = await createGateway({ config: gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })] }), plugins: new Map(), idleGcMs: 50 });
    cleanups.push(() => gateway.close({ drainMs: 0 }));
    const { port } = await gateway.listen(0, '127.0.0.1');
    const status = await gateway.listenStatus(0, '127.0.0.1');
    expect((await getJson(status.port, '/status')).body.memory.idle_collections).toBe(0);
    // 48 MB more in buffers (kept alive: growth is what makes a collection worth running).
    let burst: Buffer[] | undefined = Array.from({ length: 48 }, () => Buffer.alloc(2 ** 20, 1));
    expect((await send(port, { path: '/a' })).status).toBe(200);
    let collections = 0;
    for (let i = 0; i < 100 && collections === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      collections = (await getJson(status.port, '/status')).body.memory.idle_collections;
    }
    expect(burst.length).toBe(48);
    burst = undefined;
    expect(collections).toBeGreaterThan(0);
  });

  it('changes configuration_hash on a reload that changes the config, and only then', async () => {
    const { gw, status, config, initial } = await setup();
    const first = (await getJson(status.port, '/status')).body.configuration_hash;
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    await gw.gateway.reload(structuredClone(initial));
    expect((await getJson(status.port, '/status')).body.configuration_hash).toBe(first);
    await gw.gateway.reload(config(['/other']));
    expect((await getJson(status.port, '/status')).body.configuration_hash).not.toBe(first);
  });

  it('is ready while serving and answers 503 on /status/ready once draining', async () => {
    const { gw, status, release, arrived } = await setup();
    expect(await getJson(status.port, '/status/ready')).toEqual({ status: 200, body: { message: 'ready' } });
    const held = send(gw.port, { path: '/hold' });
    await arrived.promise;
    const closed = gw.gateway.close({ drainMs: 5_000 });
    const draining = await getJson(status.port, '/status/ready');
    expect(draining.status).toBe(503);
    expect(draining.body.message).toMatch(/draining/);
    release.resolve();
    expect((await held).status).toBe(200);
    await closed;
    // Closed with the gateway.
    await expect(getJson(status.port, '/status')).rejects.toThrow();
  });

  it('answers unknown paths with a JSON 404 and never proxies them', async () => {
    const { status } = await setup();
    expect(await getJson(status.port, '/anything')).toEqual({ status: 404, body: { message: 'Not found' } });
  });
});
