/**
 * Every response carries `request-id` (the header Anthropic's API answers with, which its SDKs expose as
 * `_request_id`) with gw's request id, the X-Kong-Request-Id: proxied and gw's own alike. An upstream that
 * sends its own keeps it. It follows Kong's `headers` setting for X-Kong-Request-Id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '@gw/plugin-api';
import { parseHeaderPolicy } from '../../src/proxy/header-policy.js';
import { gatewayConfig, plugin, route, service } from '../support/config.js';
import { send, startGateway, startUpstream } from '../support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A plugin with a response phase (headers go through the map path), or that answers itself on /own. */
const touch = definePlugin({
  name: 'touch',
  version: '1.0.0',
  priority: 10,
  configSchema: {},
  access: ({ ctx }) => (ctx.request.path.endsWith('/own') ? new Response('mine', { status: 202 }) : undefined),
  responseHeaders: ({ response }) => void (response.headers['x-touched'] = '1'),
});

async function gateway(options: { headers?: string } = {}) {
  const up = await startUpstream((req, res) => {
    if (req.url?.includes('upstream-id')) res.setHeader('request-id', 'req_from_upstream');
    res.end('ok');
  });
  cleanups.push(up.close);
  const svc = service({ port: up.port });
  const config = gatewayConfig({
    services: [svc],
    routes: [route(svc, { paths: ['/plain'] }), route(svc, { id: '00000000-0000-4000-8000-00000000beef', paths: ['/touched'] })],
    plugins: [plugin('touch', {}, { route: { id: '00000000-0000-4000-8000-00000000beef' } as never })],
  });
  const gw = await startGateway(config, [touch], options.headers === undefined ? {} : { headerPolicy: parseHeaderPolicy(options.headers) });
  cleanups.push(gw.close);
  return gw;
}

describe('request-id on every response', () => {
  it.each([
    ['a proxied response with no plugin', '/plain/x', 200],
    ['a proxied response through a response plugin', '/touched/x', 200],
    ["gw's own error", '/nowhere', 404],
    ["a plugin's own answer", '/touched/own', 202],
  ])('%s carries gw\'s request id', async (_what, path, status) => {
    const gw = await gateway();
    const reply = await send(gw.port, { path });
    expect(reply.status).toBe(status);
    expect(reply.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(reply.headers['request-id']).toBe(reply.headers['x-kong-request-id']);
  });

  it("keeps the upstream's own request-id (plain and through a plugin)", async () => {
    const gw = await gateway();
    for (const path of ['/plain/upstream-id', '/touched/upstream-id']) {
      const reply = await send(gw.port, { path });
      expect(reply.headers['request-id']).toBe('req_from_upstream');
      expect(reply.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('follows the headers setting for X-Kong-Request-Id: off sends neither', async () => {
    const gw = await gateway({ headers: 'off' });
    for (const path of ['/plain/x', '/touched/x', '/nowhere', '/touched/own']) {
      const reply = await send(gw.port, { path });
      expect(reply.headers['request-id'], path).toBeUndefined();
      expect(reply.headers['x-kong-request-id'], path).toBeUndefined();
    }
    // Without X-Kong-Request-Id in the list, the same.
    const latencies = await gateway({ headers: 'latency_tokens' });
    expect((await send(latencies.port, { path: '/plain/x' })).headers['request-id']).toBeUndefined();
  });
});
