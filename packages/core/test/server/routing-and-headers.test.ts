import { afterEach, describe, expect, it } from 'vitest';
import { gatewayConfig, route, service } from '../support/config.js';
import { send, startEcho, startGateway, type EchoBody, type RunningGateway, type Upstream } from '../support/http.js';
import { GW_VERSION } from '../../src/server/version.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(routeFields: Parameters<typeof route>[1] = { paths: ['/echo'] }, serviceFields: { path?: string } = {}) {
  const echo: Upstream = await startEcho();
  cleanups.push(echo.close);
  const svc = service({ port: echo.port, name: 'echo', ...serviceFields });
  const gw: RunningGateway = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { name: 'r', ...routeFields })] }));
  cleanups.push(gw.close);
  return { echo, gw, svc };
}

describe('routing', () => {
  it('proxies a matching request with the upstream path joined per strip_path', async () => {
    const { gw } = await setup({ paths: ['/echo'] }, { path: '/base' });
    const reply = await send(gw.port, { path: '/echo/a/b?x=1&y' });
    expect(reply.status).toBe(200);
    const echoed = JSON.parse(reply.body) as EchoBody;
    expect(echoed.url).toBe('/base/a/b?x=1&y');
    expect(echoed.method).toBe('GET');
    expect(reply.headers['x-upstream']).toBe('echo');
  });

  it("matches a host:port route on the Host header's port, or the port the request arrived on when it has none (Kong)", async () => {
    const { gw, svc } = await setup({ paths: ['/echo'] });
    await gw.gateway.reload(
      gatewayConfig({
        services: [svc],
        routes: [route(svc, { name: 'here', hosts: [`api.example.test:${gw.port}`] }), route(svc, { name: 'elsewhere', hosts: ['other.example.test:9999'] })],
      }),
    );
    expect((await send(gw.port, { path: '/x', headers: { host: 'api.example.test' } })).status).toBe(200);
    expect((await send(gw.port, { path: '/x', headers: { host: `api.example.test:${gw.port}` } })).status).toBe(200);
    expect((await send(gw.port, { path: '/x', headers: { host: 'api.example.test:1234' } })).status).toBe(404);
    expect((await send(gw.port, { path: '/x', headers: { host: 'other.example.test:9999' } })).status).toBe(200);
    expect((await send(gw.port, { path: '/x', headers: { host: 'other.example.test' } })).status).toBe(404);
  });

  it('answers 404 in Kong format when no route matches', async () => {
    const { gw } = await setup();
    const reply = await send(gw.port, { path: '/nowhere' });
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body)).toEqual({ message: 'no Route matched with those values' });
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('sends POST bodies through', async () => {
    const { gw } = await setup();
    const reply = await send(gw.port, { method: 'POST', path: '/echo', body: 'hello body', headers: { 'content-type': 'text/plain' } });
    const echoed = JSON.parse(reply.body) as EchoBody;
    expect(echoed.body).toBe('hello body');
    expect(echoed.headers['content-length']).toBe('10');
  });
});

describe('headers', () => {
  it('strips hop-by-hop headers, including those named in Connection, towards the upstream', async () => {
    const { gw } = await setup();
    const reply = await send(gw.port, {
      path: '/echo',
      headers: { connection: 'keep-alive, x-private', 'x-private': 'secret-hop', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-connection': 'x', 'x-end': 'kept' },
    });
    const h = (JSON.parse(reply.body) as EchoBody).headers;
    expect(h['x-private']).toBeUndefined();
    expect(h['keep-alive']).toBeUndefined();
    expect(h.te).toBeUndefined();
    expect(h['proxy-connection']).toBeUndefined();
    expect(h['x-end']).toBe('kept');
  });

  it('sets X-Forwarded-*, X-Real-IP, Via and the request id like Kong', async () => {
    const { gw } = await setup();
    const reply = await send(gw.port, {
      path: '/echo/p?q=1',
      headers: { host: 'api.example.test:9999', 'x-forwarded-for': '10.0.0.1', 'x-forwarded-prefix': '/evil', via: '1.0 client-proxy' },
    });
    const h = (JSON.parse(reply.body) as EchoBody).headers;
    expect(h['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('api.example.test');
    // Kong's server_port: the port the request arrived on, not the one the Host header claims.
    expect(h['x-forwarded-port']).toBe(String(gw.port));
    expect(h['x-forwarded-path']).toBe('/echo/p');
    expect(h['x-forwarded-prefix']).toBeUndefined();
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h.via).toBe(`1.0 client-proxy, 1.1 gw/${GW_VERSION}`);
    expect(h['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(reply.headers['x-kong-request-id']).toBe(h['x-kong-request-id']);
    expect(reply.headers.via).toBe(`1.1 gw/${GW_VERSION}`);
  });

  it('sends the service host as Host unless preserve_host', async () => {
    const plain = await setup();
    const r1 = await send(plain.gw.port, { path: '/echo', headers: { host: 'client.example' } });
    expect((JSON.parse(r1.body) as EchoBody).headers.host).toBe(`127.0.0.1:${plain.echo.port}`);

    const preserved = await setup({ paths: ['/echo'], preserve_host: true });
    const r2 = await send(preserved.gw.port, { path: '/echo', headers: { host: 'client.example' } });
    expect((JSON.parse(r2.body) as EchoBody).headers.host).toBe('client.example');
  });

  it('strips hop-by-hop headers from the upstream response', async () => {
    const { startUpstream } = await import('../support/http.js');
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { connection: 'x-hop', 'x-hop': 'no', 'x-keep': 'yes', 'content-length': '2' });
      res.end('ok');
    });
    cleanups.push(up.close);
    const svc = service({ port: up.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })] }));
    cleanups.push(gw.close);
    const reply = await send(gw.port, { path: '/' });
    expect(reply.body).toBe('ok');
    expect(reply.headers['x-hop']).toBeUndefined();
    expect(reply.headers['x-keep']).toBe('yes');
  });
});
