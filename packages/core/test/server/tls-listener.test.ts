import https from 'node:https';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayConfig, plugin, route, service } from '../support/config.js';
import { send, startEcho, startGateway, type EchoBody } from '../support/http.js';
import { logCapture } from '../support/log-capture.js';

const cert = readFileSync(new URL('../fixtures/tls/cert.pem', import.meta.url));
const key = readFileSync(new URL('../fixtures/tls/key.pem', import.meta.url));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** GET over TLS, trusting only the test certificate; `servername` is the SNI sent (name check skipped). */
function getTls(port: number, path: string, servername?: string): Promise<{ status: number; body: string }> {
  const sni = servername === undefined ? {} : { servername, checkServerIdentity: () => undefined };
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path, ca: cert, agent: false, ...sni }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

describe('TLS listener (Kong proxy_listen … ssl)', () => {
  it('serves the same routes over TLS, as scheme https: X-Forwarded-Proto/Port, https-only routes, the log record', async () => {
    const echo = await startEcho();
    cleanups.push(echo.close);
    const capture = logCapture();
    const svc = service({ port: echo.port });
    const config = gatewayConfig({
      services: [svc],
      routes: [route(svc, { name: 'any', paths: ['/any'] }), route(svc, { name: 'secure', paths: ['/secure'], protocols: ['https'] })],
      plugins: [plugin('capture')],
    });
    const gw = await startGateway(config, [capture.def]);
    cleanups.push(gw.close);
    const tls = await gw.gateway.listenTls(0, '127.0.0.1', { cert, key });

    const reply = await getTls(tls.port, '/any/x');
    expect(reply.status).toBe(200);
    const headers = (JSON.parse(reply.body) as EchoBody).headers;
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers['x-forwarded-port']).toBe(String(tls.port));
    const record = await capture.next();
    expect(record.request.url).toBe(`https://127.0.0.1:${tls.port}/any/x`);
    expect(record.request.tls).toEqual({ version: expect.stringMatching(/^TLSv1\.[23]$/), cipher: expect.any(String), client_verify: 'NONE' });
    expect(record.request.tls!.cipher.length).toBeGreaterThan(0);

    // A route for https only: served on the TLS listener; over http, Kong's 426 with an Upgrade hint.
    expect((await getTls(tls.port, '/secure/x')).status).toBe(200);
    const upgrade = await send(gw.port, { path: '/secure/x' });
    expect(upgrade.status).toBe(426);
    expect(JSON.parse(upgrade.body)).toEqual({ message: 'Please use HTTPS protocol' });
    expect(upgrade.headers.upgrade).toBe('TLS/1.2, HTTP/1.1');
    expect((await send(gw.port, { path: '/nowhere' })).status).toBe(404);
    // The plain listener still works, and its records carry no tls.
    expect((await send(gw.port, { path: '/any/x' })).status).toBe(200);
    let plain = await capture.next(1);
    for (let n = 2; !plain.request.url.startsWith(`http://127.0.0.1:${gw.port}/any/`); n++) plain = await capture.next(n);
    expect(plain.request.tls).toBeUndefined();
  });

  it('drains and closes the TLS listener with the gateway', async () => {
    const echo = await startEcho();
    cleanups.push(echo.close);
    const svc = service({ port: echo.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })] }));
    const tls = await gw.gateway.listenTls(0, '127.0.0.1', { cert, key });
    expect((await getTls(tls.port, '/')).status).toBe(200);
    await gw.close();
    await expect(getTls(tls.port, '/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('redirects an https-only route asked over http when https_redirect_status_code says so (Kong: no port)', async () => {
    const echo = await startEcho();
    cleanups.push(echo.close);
    const svc = service({ port: echo.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/s'], protocols: ['https'], https_redirect_status_code: 308 })] }));
    cleanups.push(gw.close);
    const reply = await send(gw.port, { path: '/s/a?b=1', headers: { host: 'api.example.test:8000' } });
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe('https://api.example.test/s/a?b=1');
    expect(reply.body).toBe('');
  });

  it('matches routes with snis on the name from the TLS handshake', async () => {
    const echo = await startEcho();
    cleanups.push(echo.close);
    const svc = service({ port: echo.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/n'], protocols: ['https'], snis: ['localhost'] })] }));
    cleanups.push(gw.close);
    const tls = await gw.gateway.listenTls(0, '127.0.0.1', { cert, key });
    expect((await getTls(tls.port, '/n', 'localhost')).status).toBe(200);
    expect((await getTls(tls.port, '/n', 'other.example.test')).status).toBe(404);
  });
});
