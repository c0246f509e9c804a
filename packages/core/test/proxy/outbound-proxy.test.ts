/**
 * Upstream calls through the outbound proxy (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read by @gw/proxy-env),
 * from a decK file through the real gateway, a real CONNECT proxy on 127.0.0.1 (TooTallNate's `proxy`)
 * and a TLS upstream on 127.0.0.1 that requires a client certificate: the service's upstream TLS applies
 * inside the tunnel, tunnels are reused, NO_PROXY goes direct, and a proxy that fails answers 502/504 in time.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProxyEnv, type ProxySettings } from '@gw/proxy-env';
import { loadConfig, formatProblem } from '../../src/config/index.js';
import type { GatewayConfig } from '../../src/config/model.js';
import { makePki, type TestPki } from '../support/pki.js';
import { send, startEcho, startGateway, type EchoBody, type Upstream } from '../support/http.js';
import { writeFiles } from '../config/helpers.js';
import { testRegistry } from '../config/test-registry.js';
import { closedPort, startConnectProxy, startSilentListener, type ConnectProxy } from '../../../../test/support/connect-proxy.js';

const PROXY_PASSWORD = 'core-outbound-proxy-pw';

let pki: TestPki;
let upstream: https.Server;
let port: number;
let echo: Upstream;
let proxy: ConnectProxy;
let authProxy: ConnectProxy;

beforeAll(async () => {
  pki = makePki();
  upstream = https.createServer({ cert: pki.serverChain, key: pki.serverKey, ca: pki.clientCa, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.end(`client ${String(peer.subject?.CN ?? 'none')} ${req.url}`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  port = (upstream.address() as AddressInfo).port;
  echo = await startEcho();
  proxy = await startConnectProxy();
  authProxy = await startConnectProxy({ user: 'gw', password: PROXY_PASSWORD });
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  await echo.close();
  await proxy.close();
  await authProxy.close();
});

const indent = (pem: string, n: number) => pem.trim().split('\n').map((l) => ' '.repeat(n) + l).join('\n');

/** The mTLS upstream behind /tls (client certificate, the test root as its CA) and the echo upstream behind /plain. */
function deckFile(tlsFields: string[] = [], retries = 0, connectTimeout = 60_000): string {
  return `_format_version: "3.0"
certificates:
  - id: 4e3ad2e4-0bc4-4638-8e34-c84a417ba39b
    cert: |
${indent(pki.clientCert, 6)}
    key: |
${indent(pki.clientKey, 6)}
ca_certificates:
  - id: cce8c384-721f-4f58-85dd-50834e3e733a
    cert: |
${indent(pki.rootCa, 6)}
services:
  - name: tls
    url: https://127.0.0.1:${port}
    client_certificate: 4e3ad2e4-0bc4-4638-8e34-c84a417ba39b
    ca_certificates: [cce8c384-721f-4f58-85dd-50834e3e733a]
${tlsFields.map((l) => `    ${l}`).join('\n')}
    retries: ${retries}
    connect_timeout: ${connectTimeout}
    routes:
      - {name: tls, paths: [/tls]}
  - name: plain
    url: http://127.0.0.1:${echo.port}/base
    retries: ${retries}
    routes:
      - {name: plain, paths: [/plain]}
`;
}

async function configOf(text: string): Promise<GatewayConfig> {
  const result = await loadConfig(writeFiles({ 'kong.yaml': text }), { plugins: testRegistry(), env: {} });
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.config;
}

function settings(env: Record<string, string>): ProxySettings {
  const read = readProxyEnv(env);
  expect(read.problems).toEqual([]);
  return read.settings!;
}

/** Requests through a gateway started with `outboundProxy`; closed afterwards. */
async function withGateway<T>(outboundProxy: ProxySettings, run: (port: number) => Promise<T>, config?: GatewayConfig): Promise<T> {
  const gw = await startGateway(config ?? (await configOf(deckFile())), [], { outboundProxy });
  try {
    return await run(gw.port);
  } finally {
    await gw.close();
  }
}

describe('https upstreams through HTTPS_PROXY', () => {
  it('go through a CONNECT tunnel with the service client certificate and CA, and reuse it', async () => {
    const before = proxy.connects().length;
    const replies = await withGateway(settings({ HTTPS_PROXY: proxy.url }), async (gw) => [await send(gw, { path: '/tls/one' }), await send(gw, { path: '/tls/two' })]);
    expect(replies.map((r) => [r.status, r.body])).toEqual([
      [200, 'client gw-test-client /one'],
      [200, 'client gw-test-client /two'],
    ]);
    // Two requests, one tunnel: the second rode the kept-alive TLS connection inside it.
    expect(proxy.connects().slice(before)).toEqual([{ method: 'CONNECT', target: `127.0.0.1:${port}`, authorization: undefined }]);
  });

  it('check the upstream certificate inside the tunnel (tls_verify_depth, tls_verify)', async () => {
    const s = settings({ HTTPS_PROXY: proxy.url });
    expect((await withGateway(s, (gw) => send(gw, { path: '/tls' }), await configOf(deckFile(['tls_verify_depth: 0'])))).status).toBe(502);
    expect((await withGateway(s, (gw) => send(gw, { path: '/tls' }), await configOf(deckFile(['tls_verify_depth: 1'])))).status).toBe(200);
  });

  it('go direct when NO_PROXY names the host', async () => {
    const before = proxy.seen.length;
    const reply = await withGateway(settings({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }), async (gw) => [await send(gw, { path: '/tls' }), await send(gw, { path: '/plain' })]);
    expect(reply.map((r) => r.status)).toEqual([200, 200]);
    expect(proxy.seen.length).toBe(before);
  });

  it('send the proxy credentials from the URL', async () => {
    const reply = await withGateway(settings({ HTTPS_PROXY: authProxy.url }), (gw) => send(gw, { path: '/tls' }));
    expect(reply.status).toBe(200);
    expect(authProxy.connects().at(-1)?.authorization).toBe(`Basic ${Buffer.from(`gw:${PROXY_PASSWORD}`).toString('base64')}`);
  });

  it('a proxy refusing the tunnel is a 502 that says so, tried once, without the password', async () => {
    const before = authProxy.connects().length;
    const wrong = authProxy.url.replace(PROXY_PASSWORD, 'wrong-proxy-password');
    const reply = await withGateway(settings({ HTTPS_PROXY: wrong }), (gw) => send(gw, { path: '/tls' }), await configOf(deckFile([], 3)));
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body)).toEqual({
      message: 'could not reach the upstream server through the outbound proxy: the proxy refused the tunnel: CONNECT answered 407 (proxy authentication failed)',
    });
    expect(reply.body).not.toContain('wrong-proxy-password');
    // retries: 3, but the proxy's answer would be the same.
    expect(authProxy.connects().length - before).toBe(1);
  });

  it('a proxy that is down is a 502 at once, after the retries', async () => {
    const started = Date.now();
    const reply = await withGateway(settings({ HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}` }), (gw) => send(gw, { path: '/tls' }), await configOf(deckFile([], 2)));
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body).message).toBe('could not reach the upstream server through the outbound proxy: the proxy is unreachable (ECONNREFUSED)');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a proxy that never answers is a 504 after connect_timeout', async () => {
    const silent = await startSilentListener();
    try {
      const reply = await withGateway(settings({ HTTPS_PROXY: `http://127.0.0.1:${silent.port}` }), (gw) => send(gw, { path: '/tls' }), await configOf(deckFile([], 0, 300)));
      expect(reply.status).toBe(504);
      expect(JSON.parse(reply.body).message).toBe('The upstream server is timed out');
    } finally {
      await silent.close();
    }
  });
});

describe('http upstreams through HTTP_PROXY', () => {
  it('are sent to the proxy in absolute form, path, query and body intact', async () => {
    const before = authProxy.seen.length;
    const reply = await withGateway(settings({ HTTP_PROXY: authProxy.url }), (gw) =>
      send(gw, { method: 'POST', path: '/plain/x?y=1', headers: { 'content-type': 'text/plain' }, body: 'hello' }),
    );
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body) as EchoBody;
    expect([seen.method, seen.url, seen.body]).toEqual(['POST', '/base/x?y=1', 'hello']);
    // The proxy took it off the request: the upstream never sees the proxy's credentials.
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    expect(authProxy.seen.slice(before)).toEqual([
      { method: 'POST', target: `http://127.0.0.1:${echo.port}/base/x?y=1`, authorization: `Basic ${Buffer.from(`gw:${PROXY_PASSWORD}`).toString('base64')}` },
    ]);
  });

  it('HTTPS_PROXY alone leaves http upstreams direct', async () => {
    const before = proxy.seen.length;
    expect((await withGateway(settings({ HTTPS_PROXY: proxy.url }), (gw) => send(gw, { path: '/plain' }))).status).toBe(200);
    expect(proxy.seen.length).toBe(before);
  });
});
