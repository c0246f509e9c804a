import { afterEach, describe, expect, it } from 'vitest';
import { gatewayConfig, route, service } from '../support/config.js';
import { send, startUpstream, startGateway } from '../support/http.js';
import { routerInput } from '../../src/runtime/router-input.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function namedUpstream(name: string) {
  const up = await startUpstream((_req, res) => res.end(name));
  cleanups.push(up.close);
  return up;
}

describe('routes of a disabled service', () => {
  it('leave the router: the request falls through to the next matching route (Kong handler.lua)', async () => {
    const off = service({ port: (await namedUpstream('off')).port, name: 'off', enabled: false });
    const on = service({ port: (await namedUpstream('on')).port, name: 'on' });
    const config = gatewayConfig({
      services: [off, on],
      routes: [route(off, { name: 'specific', paths: ['/api/v1'] }), route(on, { name: 'catch-all', paths: ['/'] })],
    });
    const gw = await startGateway(config);
    cleanups.push(gw.close);
    const reply = await send(gw.port, { path: '/api/v1/items' });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('on');
  });

  it('keeps routes without a service and routes of enabled services', () => {
    const off = service({ port: 1, name: 'off', enabled: false });
    const on = service({ port: 2, name: 'on' });
    const routes = [route(off, { name: 'a', paths: ['/a'] }), route(on, { name: 'b', paths: ['/b'] }), route(null, { name: 'c', paths: ['/c'] })];
    const input = routerInput(gatewayConfig({ services: [off, on], routes }));
    expect(input.routes.map((r) => r.name)).toEqual(['b', 'c']);
    expect(input.services).toEqual([off, on]);
  });
});
