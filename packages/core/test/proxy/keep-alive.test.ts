import { afterEach, describe, expect, it } from 'vitest';
import { gatewayConfig, route, service } from '../support/config.js';
import { send, startGateway, startUpstream } from '../support/http.js';
import { withoutHopByHop, hostHeader, appendListHeader } from '../../src/proxy/headers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('upstream connections', () => {
  it('reuses one kept-alive upstream connection for sequential requests', async () => {
    let connections = 0;
    const up = await startUpstream((_q, s) => s.end('ok'));
    up.server.on('connection', () => connections++);
    cleanups.push(up.close);
    const svc = service({ port: up.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })] }));
    cleanups.push(gw.close);
    for (let i = 0; i < 3; i++) expect((await send(gw.port, { path: '/' })).body).toBe('ok');
    expect(connections).toBe(1);
  });
});

describe('header helpers', () => {
  it('drops hop-by-hop headers and those listed in Connection', () => {
    expect(withoutHopByHop({ connection: 'close, X-Foo', 'x-foo': '1', 'transfer-encoding': 'chunked', upgrade: 'h2c', trailer: 'x', a: 'b', n: 5 })).toEqual({ a: 'b', n: '5' });
  });
  it('formats Host like Kong (default ports omitted)', () => {
    expect(hostHeader('example.com', 80, 'http')).toBe('example.com');
    expect(hostHeader('example.com', 443, 'https')).toBe('example.com');
    expect(hostHeader('example.com', 8443, 'https')).toBe('example.com:8443');
    expect(hostHeader('::1', 8080, 'http')).toBe('[::1]:8080');
  });
  it('appends to list headers', () => {
    const h: Record<string, string | string[] | undefined> = { via: ['1.0 a', '1.0 b'] };
    appendListHeader(h, 'via', '1.1 gw');
    appendListHeader(h, 'x-new', 'v');
    expect(h).toEqual({ via: '1.0 a, 1.0 b, 1.1 gw', 'x-new': 'v' });
  });
});
