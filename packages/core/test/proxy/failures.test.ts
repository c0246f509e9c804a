import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayConfig, plugin, route, service } from '../support/config.js';
import { logCapture } from '../support/log-capture.js';
import { deferred, send, startGateway, startUpstream } from '../support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});


/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('upstream failures', () => {
  it('answers 502 when the upstream is down, after service.retries more tries', async () => {
    const capture = logCapture();
    const svc = service({ port: await closedPort(), retries: 3 });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })], plugins: [plugin('capture')] }), [capture.def]);
    cleanups.push(gw.close);
    const reply = await send(gw.port, { path: '/x' });
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body)).toEqual({ message: 'An invalid response was received from the upstream server' });
    const record = await capture.next();
    expect(record.tries).toHaveLength(4);
    expect(record.tries.every((t) => t.state === 'failed' && t.code === 502)).toBe(true);
    expect(record.source).toBe('kong');
    expect(record.response.status).toBe(502);
  });

  it('answers 504 when the upstream does not answer within read_timeout, without retrying', async () => {
    const capture = logCapture();
    const hits: number[] = [];
    const up = await startUpstream(() => {
      hits.push(1); // never answers
    });
    cleanups.push(up.close);
    const svc = service({ port: up.port, read_timeout: 150, retries: 2 });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })], plugins: [plugin('capture')] }), [capture.def]);
    cleanups.push(gw.close);
    const reply = await send(gw.port, { path: '/slow' });
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.body)).toEqual({ message: 'The upstream server is timed out' });
    const record = await capture.next();
    expect(record.tries).toHaveLength(1);
    expect(record.tries[0].code).toBe(504);
    expect(hits).toHaveLength(1);
  });

  it('retries a refused connection and succeeds on a later try', async () => {
    // A server that refuses (closes) the first connection at accept time and answers the second.
    let connections = 0;
    const up = await startUpstream((_req, res) => res.end('second time lucky'));
    cleanups.push(up.close);
    up.server.prependListener('connection', (socket: net.Socket) => {
      if (++connections === 1) socket.destroy();
    });
    const capture = logCapture();
    const svc = service({ port: up.port, retries: 2 });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })], plugins: [plugin('capture')] }), [capture.def]);
    cleanups.push(gw.close);
    const reply = await send(gw.port, { path: '/' });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('second time lucky');
    const record = await capture.next();
    expect(record.tries.length).toBe(2);
    expect(record.tries[0].state).toBe('failed');
    expect(record.tries[1].state).toBeUndefined();
  });

  it('aborts the upstream request at once when the client disconnects, and logs client_aborted', async () => {
    const capture = logCapture();
    const upstreamClosed = deferred();
    const upstreamGotRequest = deferred();
    const up = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      upstreamGotRequest.resolve();
      res.on('close', () => upstreamClosed.resolve());
    });
    cleanups.push(up.close);
    const svc = service({ port: up.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })], plugins: [plugin('capture')] }), [capture.def]);
    cleanups.push(gw.close);

    const client = net.connect(gw.port, '127.0.0.1');
    client.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    await upstreamGotRequest.promise;
    await new Promise<void>((r) => client.once('data', () => r()));
    client.destroy();
    await upstreamClosed.promise; // the gateway closed its upstream request
    const record = await capture.next();
    expect(record.client_aborted).toBe(true);
    expect(record.response.status).toBe(200);
    expect(record.source).toBe('upstream');
  });

  it('cuts the client connection when the upstream breaks after the head, without calling it a client abort', async () => {
    const capture = logCapture();
    const up = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('0123456789', () => req.socket.destroy());
    });
    cleanups.push(up.close);
    const svc = service({ port: up.port });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })], plugins: [plugin('capture')] }), [capture.def]);
    cleanups.push(gw.close);
    await expect(send(gw.port, { path: '/' })).rejects.toThrow();
    const record = await capture.next();
    expect(record.client_aborted).toBeUndefined();
    expect(record.response.status).toBe(200);
    expect(record.upstream_status).toBe('200');
    expect(record.cut).toEqual({ by: 'upstream', reason: 'closed', at: expect.any(Number), bytes: expect.any(Number) });
    // The head and the 10 bytes had reached the client connection.
    expect(record.cut!.bytes).toBeGreaterThan(10);
    expect(record.cut!.bytes).toBe(record.response.size);
    expect(record.client_aborted).toBeUndefined();
  });

  it('names a read timeout after the head as the reason of the cut', async () => {
    const capture = logCapture();
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('0123456789'); // then silence
    });
    cleanups.push(up.close);
    const svc = service({ port: up.port, read_timeout: 100 });
    const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })], plugins: [plugin('capture')] }), [capture.def]);
    cleanups.push(gw.close);
    await expect(send(gw.port, { path: '/' })).rejects.toThrow();
    const record = await capture.next();
    expect(record.cut).toMatchObject({ by: 'upstream', reason: 'read-timeout' });
    expect(record.cut!.at).toBeGreaterThanOrEqual(100);
  });
});
