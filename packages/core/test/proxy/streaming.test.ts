import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayConfig, route, service } from '../support/config.js';
import { deferred, startGateway, startUpstream } from '../support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function gatewayTo(port: number) {
  const svc = service({ port });
  const gw = await startGateway(gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })] }));
  cleanups.push(gw.close);
  return gw;
}

describe('streaming without buffering', () => {
  it('delivers each upstream chunk to the client before the upstream sends the next', async () => {
    const clientGotFirst = deferred();
    const up = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      await clientGotFirst.promise; // only continues once the client saw chunk one through the gateway
      res.end('data: two\n\n');
    });
    cleanups.push(up.close);
    const gw = await gatewayTo(up.port);

    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port: gw.port, path: '/sse', agent: false }, resolve).on('error', reject),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const [first] = (await once(res, 'data')) as [Buffer];
    expect(first.toString()).toBe('data: one\n\n');
    clientGotFirst.resolve();
    let rest = '';
    for await (const chunk of res) rest += (chunk as Buffer).toString();
    expect(rest).toBe('data: two\n\n');
  });

  it('streams the request body to the upstream as it arrives', async () => {
    const upstreamGotFirst = deferred<string>();
    const upstreamBody = deferred<string>();
    const up = await startUpstream((req, res) => {
      let all = '';
      req.once('data', (c: Buffer) => upstreamGotFirst.resolve(c.toString()));
      req.on('data', (c: Buffer) => (all += c.toString()));
      req.on('end', () => {
        upstreamBody.resolve(all);
        res.end('done');
      });
    });
    cleanups.push(up.close);
    const gw = await gatewayTo(up.port);

    const req = http.request({ host: '127.0.0.1', port: gw.port, method: 'POST', path: '/upload', agent: false, headers: { 'transfer-encoding': 'chunked' } });
    const response = new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    req.write('first-part;');
    expect(await upstreamGotFirst.promise).toBe('first-part;'); // arrived while the client still holds the rest
    req.end('second-part');
    expect(await upstreamBody.promise).toBe('first-part;second-part');
    const res = await response;
    expect(res.statusCode).toBe(200);
    res.resume();
  });
});
