import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '@gw/plugin-api';
import { DEFAULT_HEADER_POLICY, parseHeaderPolicy, type HeaderPolicy } from '../../src/proxy/header-policy.js';
import { gatewayConfig, plugin, route, service } from '../support/config.js';
import { send, startEcho, startGateway, type EchoBody } from '../support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const NONE: HeaderPolicy = {
  server: false,
  via: false,
  proxyLatency: false,
  upstreamLatency: false,
  responseLatency: false,
  upstreamStatus: false,
  requestId: false,
  adminLatency: false,
  upstreamRequestId: false,
};

describe("Kong's headers and headers_upstream settings", () => {
  it("defaults to Kong's: server and latency tokens and the request id, upstream status off", () => {
    expect(DEFAULT_HEADER_POLICY).toEqual({ ...NONE, server: true, via: true, proxyLatency: true, upstreamLatency: true, responseLatency: true, adminLatency: true, requestId: true, upstreamRequestId: true });
  });

  it('reads off, groups and single names, case-insensitively, as Kong does', () => {
    expect(parseHeaderPolicy('off', 'off')).toEqual(NONE);
    expect(parseHeaderPolicy(' Via , X-Kong-Upstream-Status', 'off')).toEqual({ ...NONE, via: true, upstreamStatus: true });
    expect(parseHeaderPolicy('latency_tokens', 'x-kong-request-id')).toEqual({ ...NONE, proxyLatency: true, upstreamLatency: true, responseLatency: true, adminLatency: true, upstreamRequestId: true });
    expect(parseHeaderPolicy('SERVER_TOKENS,x-kong-request-id', 'off')).toEqual({ ...NONE, server: true, via: true, requestId: true });
    expect(parseHeaderPolicy('X-Kong-Admin-Latency', 'off')).toEqual({ ...NONE, adminLatency: true });
    // Kong Enterprise's admin request id: accepted (a kong.conf value works unchanged), nothing to add in gw.
    expect(parseHeaderPolicy('X-Kong-Admin-Request-Id', 'off')).toEqual(NONE);
  });

  it('refuses what Kong would not accept, naming the setting and the value', () => {
    expect(() => parseHeaderPolicy('via, x-powered-by')).toThrow(/^headers: unknown value 'x-powered-by'/);
    expect(() => parseHeaderPolicy(undefined, 'via')).toThrow(/^headers_upstream: unknown value 'via'/);
  });
});

async function setup(policy: HeaderPolicy, withPlugin: boolean) {
  const echo = await startEcho();
  cleanups.push(echo.close);
  const svc = service({ port: echo.port, name: 'echo' });
  // A plugin with a log phase takes the response path that builds a header map (not the raw pass-through).
  const logger = definePlugin({ name: 'logs', version: '1.0.0', priority: 9, configSchema: {}, log() {} });
  const config = gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/echo'] })], plugins: withPlugin ? [plugin('logs')] : [] });
  const gw = await startGateway(config, withPlugin ? [logger] : [], { headerPolicy: policy });
  cleanups.push(gw.close);
  return gw;
}

const KONG = ['via', 'server', 'x-kong-request-id', 'x-kong-proxy-latency', 'x-kong-upstream-latency', 'x-kong-response-latency', 'x-kong-upstream-status'];

describe.each([false, true])('a gateway with a header policy (plugin with a log phase: %s)', (withPlugin) => {
  it('adds none of its own headers when both settings are off, and keeps the forwarding ones', async () => {
    const gw = await setup(parseHeaderPolicy('off', 'off'), withPlugin);
    const reply = await send(gw.port, { path: '/echo/x' });
    expect(reply.status).toBe(200);
    for (const name of KONG) expect(reply.headers[name]).toBeUndefined();
    const seen = (JSON.parse(reply.body) as EchoBody).headers;
    expect(seen.via).toBeUndefined();
    expect(seen['x-kong-request-id']).toBeUndefined();
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-real-ip']).toBe('127.0.0.1');
    // gw's own responses too.
    const missing = await send(gw.port, { path: '/nowhere' });
    expect(missing.status).toBe(404);
    for (const name of KONG) expect(missing.headers[name]).toBeUndefined();
  });

  it('adds exactly what is listed, X-Kong-Upstream-Status included', async () => {
    const gw = await setup(parseHeaderPolicy('Via, X-Kong-Upstream-Status', 'X-Kong-Request-Id'), withPlugin);
    const reply = await send(gw.port, { path: '/echo/x' });
    expect(reply.headers.via).toMatch(/gw\//);
    expect(reply.headers['x-kong-upstream-status']).toBe('200');
    for (const name of ['server', 'x-kong-request-id', 'x-kong-proxy-latency', 'x-kong-upstream-latency']) expect(reply.headers[name]).toBeUndefined();
    const seen = (JSON.parse(reply.body) as EchoBody).headers;
    expect(seen.via).toMatch(/gw\//);
    expect(seen['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });
});
