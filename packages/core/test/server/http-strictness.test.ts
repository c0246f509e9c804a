/**
 * Request heads Node's parser lets through but nginx (and so Kong) refuses: a repeated Host (or another
 * header nginx keeps one of), an HTTP/2.0 request line on an HTTP/1 connection, and HTTP/0.9. None of
 * them reaches the upstream; each is answered and the connection closed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayConfig, route, service } from '../support/config.js';
import { startEcho, startGateway } from '../support/http.js';
import { bodyOf, headersOf, rawRequest } from '../support/raw-socket.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function gateway() {
  const echo = await startEcho();
  cleanups.push(echo.close);
  let upstreamRequests = 0;
  echo.server.on('request', () => upstreamRequests++);
  const svc = service({ port: echo.port });
  const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })] }));
  cleanups.push(gw.close);
  return { port: gw.port, upstreamRequests: () => upstreamRequests };
}

describe('HTTP strictness (raw sockets, real gateway)', () => {
  it.each([
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n'],
    ['Host twice in different cases', 'GET / HTTP/1.1\r\nhost: a.example\r\nHOST: a.example\r\n\r\n'],
    ['two Authorization headers', 'GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer one\r\nAuthorization: Bearer two\r\n\r\n'],
    ['two If-None-Match headers', 'GET / HTTP/1.1\r\nHost: a\r\nIf-None-Match: "x"\r\nIf-None-Match: "y"\r\n\r\n'],
    ['an HTTP/0.9 request line (no version)', 'GET /\r\n\r\n'],
    ['an HTTP/0.9 request line (spelled out)', 'GET / HTTP/0.9\r\nHost: a\r\n\r\n'],
  ])('answers 400 and closes the connection on %s, and sends nothing upstream', async (_what, head) => {
    const gw = await gateway();
    const reply = await rawRequest(gw.port, [head]);
    expect(reply.status, reply.text).toBe(400);
    expect(headersOf(reply.text).connection).toBe('close');
    expect(JSON.parse(bodyOf(reply.text))).toEqual({ message: 'Bad request' });
    expect(reply.closedByServer).toBe(true);
    expect(gw.upstreamRequests()).toBe(0);
  });

  it('answers an HTTP/2.0 request line on an HTTP/1 connection with 505, as nginx does, and closes', async () => {
    const gw = await gateway();
    const reply = await rawRequest(gw.port, ['GET / HTTP/2.0\r\nHost: a\r\n\r\n']);
    expect(reply.status, reply.text).toBe(505);
    expect(headersOf(reply.text).connection).toBe('close');
    expect(JSON.parse(bodyOf(reply.text))).toEqual({ message: 'HTTP Version Not Supported' });
    expect(reply.closedByServer).toBe(true);
    expect(gw.upstreamRequests()).toBe(0);
  });

  it('still proxies what nginx accepts: HTTP/1.0 without Host, repeated headers nginx joins', async () => {
    const gw = await gateway();
    const old = await rawRequest(gw.port, ['GET /x HTTP/1.0\r\n\r\n']);
    expect(old.status, old.text).toBe(200);
    const joined = await rawRequest(gw.port, ['GET /y HTTP/1.1\r\nHost: a\r\nAccept: text/plain\r\nAccept: application/json\r\nConnection: close\r\n\r\n']);
    expect(joined.status, joined.text).toBe(200);
    expect(JSON.parse(bodyOf(joined.text)).headers.accept).toBe('text/plain, application/json');
    expect(gw.upstreamRequests()).toBe(2);
  });
});
