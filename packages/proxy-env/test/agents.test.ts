/**
 * The agents against a real CONNECT proxy on 127.0.0.1 (test/support/connect-proxy.ts) and TLS and plain
 * origins on 127.0.0.1: what the proxy saw, tunnel reuse, NO_PROXY, authentication, and failures.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startConnectProxy, startSilentListener, type ConnectProxy } from '../../../test/support/connect-proxy.js';
import { makePki, type TestPki } from '../../core/test/support/pki.js';
import { createForwardAgent, createOutboundAgents, forwardHead, parseProxyUrl, ProxyFailure, readProxyEnv, type ProxyServer } from '../src/index.js';

const PROXY_PASSWORD = 'agent-test-proxy-pass';

let pki: TestPki;
let tlsOrigin: https.Server;
let plainOrigin: http.Server;
let tlsPort: number;
let plainPort: number;
let proxy: ConnectProxy;
let authProxy: ConnectProxy;

const answer = (req: http.IncomingMessage, res: http.ServerResponse) => res.end(`origin saw ${req.method} ${req.url}`);

beforeAll(async () => {
  pki = makePki();
  tlsOrigin = https.createServer({ cert: pki.serverChain, key: pki.serverKey }, answer);
  plainOrigin = http.createServer(answer);
  await new Promise<void>((resolve) => tlsOrigin.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => plainOrigin.listen(0, '127.0.0.1', resolve));
  tlsPort = (tlsOrigin.address() as AddressInfo).port;
  plainPort = (plainOrigin.address() as AddressInfo).port;
  proxy = await startConnectProxy();
  authProxy = await startConnectProxy({ user: 'gw', password: PROXY_PASSWORD });
});
afterAll(async () => {
  for (const server of [tlsOrigin, plainOrigin]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await proxy.close();
  await authProxy.close();
});

function get(options: https.RequestOptions, secure = true): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request({ host: '127.0.0.1', path: '/hello', ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const settings = (env: Record<string, string>) => readProxyEnv(env).settings;
const server = (url: string) => parseProxyUrl('HTTPS_PROXY', url) as ProxyServer;

describe('outbound agents', () => {
  it('tunnel https through the proxy, the origin TLS checked with the request CA, and reuse the tunnel', async () => {
    const agents = createOutboundAgents(settings({ HTTPS_PROXY: proxy.url }));
    try {
      const before = proxy.connects().length;
      const first = await get({ port: tlsPort, agent: agents.httpsAgent, ca: pki.rootCa });
      const second = await get({ port: tlsPort, agent: agents.httpsAgent, ca: pki.rootCa });
      expect(first).toEqual({ status: 200, body: 'origin saw GET /hello' });
      expect(second.status).toBe(200);
      expect(proxy.connects().slice(before)).toEqual([{ method: 'CONNECT', target: `127.0.0.1:${tlsPort}`, authorization: undefined }]);
    } finally {
      agents.destroy();
    }
  });

  it('the origin certificate is still verified through the tunnel', async () => {
    const agents = createOutboundAgents(settings({ HTTPS_PROXY: proxy.url }));
    try {
      await expect(get({ port: tlsPort, agent: agents.httpsAgent })).rejects.toMatchObject({ code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
    } finally {
      agents.destroy();
    }
  });

  it('NO_PROXY targets go direct', async () => {
    const agents = createOutboundAgents(settings({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.0/8' }));
    try {
      const before = proxy.seen.length;
      expect((await get({ port: tlsPort, agent: agents.httpsAgent, ca: pki.rootCa })).status).toBe(200);
      expect((await get({ port: plainPort, agent: agents.httpAgent }, false)).status).toBe(200);
      expect(proxy.seen.length).toBe(before);
    } finally {
      agents.destroy();
    }
  });

  it('tunnel http:// targets with CONNECT too', async () => {
    const agents = createOutboundAgents(settings({ HTTP_PROXY: proxy.url }));
    try {
      const before = proxy.connects().length;
      expect(await get({ port: plainPort, agent: agents.agentFor(`http://127.0.0.1:${plainPort}`) }, false)).toEqual({ status: 200, body: 'origin saw GET /hello' });
      expect(proxy.connects().slice(before).map((s) => s.target)).toEqual([`127.0.0.1:${plainPort}`]);
    } finally {
      agents.destroy();
    }
  });

  it('send the proxy credentials from the URL', async () => {
    const agents = createOutboundAgents(settings({ HTTPS_PROXY: authProxy.url }));
    try {
      expect((await get({ port: tlsPort, agent: agents.httpsAgent, ca: pki.rootCa })).status).toBe(200);
      expect(authProxy.connects().at(-1)?.authorization).toBe(`Basic ${Buffer.from(`gw:${PROXY_PASSWORD}`).toString('base64')}`);
    } finally {
      agents.destroy();
    }
  });

  it('a refused tunnel is a ProxyFailure naming the status, never the password', async () => {
    const wrong = authProxy.url.replace(PROXY_PASSWORD, 'not-the-password');
    const agents = createOutboundAgents(settings({ HTTPS_PROXY: wrong }));
    try {
      const error = await get({ port: tlsPort, agent: agents.httpsAgent, ca: pki.rootCa }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProxyFailure);
      expect(error).toMatchObject({ reason: 'refused', status: 407, code: 'PROXY_STATUS_407' });
      expect((error as Error).message).toBe(`the proxy refused the tunnel: CONNECT answered 407 (proxy authentication failed) (proxy http://127.0.0.1:${authProxy.port} from HTTPS_PROXY)`);
      expect((error as Error).stack).not.toContain('not-the-password');
    } finally {
      agents.destroy();
    }
  });

  it('a proxy that is down fails at once; one that never answers, after the timeout', async () => {
    const down = createOutboundAgents(settings({ HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}` }));
    const silent = await startSilentListener();
    const hanging = createOutboundAgents(settings({ HTTPS_PROXY: `http://127.0.0.1:${silent.port}` }), { connectTimeoutMs: 200 });
    try {
      await expect(get({ port: tlsPort, agent: down.httpsAgent })).rejects.toMatchObject({ name: 'ProxyFailure', reason: 'unreachable', code: 'ECONNREFUSED' });
      await expect(get({ port: tlsPort, agent: hanging.httpsAgent })).rejects.toMatchObject({ name: 'ProxyFailure', reason: 'timeout' });
    } finally {
      down.destroy();
      hanging.destroy();
      await silent.close();
    }
  });
});

describe('the forward agent (absolute form, for http:// upstreams)', () => {
  it('sends the request to the proxy in absolute form, with Proxy-Authorization', async () => {
    const via = server(authProxy.url);
    const agent = createForwardAgent(via, { keepAlive: true });
    try {
      const head = forwardHead(via, '127.0.0.1', plainPort, '/hello?x=1');
      const reply = await get({ port: plainPort, agent, path: head.path, headers: { 'proxy-authorization': head.authorization! } }, false);
      expect(reply).toEqual({ status: 200, body: 'origin saw GET /hello?x=1' });
      expect(authProxy.seen.at(-1)).toEqual({ method: 'GET', target: `http://127.0.0.1:${plainPort}/hello?x=1`, authorization: via.authorization });
    } finally {
      agent.destroy();
    }
  });

  it('a proxy that is down is a ProxyFailure', async () => {
    const agent = createForwardAgent(server(`http://127.0.0.1:${await closedPort()}`));
    try {
      await expect(get({ port: plainPort, agent, path: `http://127.0.0.1:${plainPort}/` }, false)).rejects.toMatchObject({ name: 'ProxyFailure', reason: 'unreachable' });
    } finally {
      agent.destroy();
    }
  });
});
