/**
 * The `afterTry` hook: a plugin sees every upstream try (its head or its failure) before anything of it
 * reaches the client, and may ask for another try (the upstream phase runs again) or stop gw's own retries.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, type TryDecision, type UpstreamTry } from '@gw/plugin-api';
import { gatewayConfig, plugin, route, service } from '../support/config.js';
import { logCapture } from '../support/log-capture.js';
import { send, startGateway, startUpstream, type Upstream } from '../support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function upstream(handler: Parameters<typeof startUpstream>[0]): Promise<Upstream> {
  const up = await startUpstream(handler);
  cleanups.push(up.close);
  return up;
}

/**
 * A failover plugin in miniature: sends try n to `ports[n]`, reads the body in access (so a retry can
 * resend it), and answers every try with `decide(attempt)`.
 */
function failover(ports: number[], decide: (attempt: UpstreamTry) => TryDecision | Promise<TryDecision>, options: { readBody?: boolean; readTimeout?: number } = {}) {
  const seen: UpstreamTry[] = [];
  const def = definePlugin<Record<string, unknown>, undefined, { n?: number }>({
    name: 'failover',
    version: '1.0.0',
    priority: 700,
    configSchema: { type: 'object' },
    async access({ ctx }) {
      if (options.readBody !== false) await ctx.request.body(1 << 20);
    },
    upstream({ local, upstream: up }) {
      local.n = (local.n ?? -1) + 1;
      up.port = ports[Math.min(local.n, ports.length - 1)]!;
      if (options.readTimeout !== undefined) up.timeouts = { read: options.readTimeout };
    },
    afterTry({ attempt }) {
      seen.push(attempt);
      return decide(attempt);
    },
  });
  return { def, seen };
}

async function gatewayWith(plugins: ReturnType<typeof failover>['def'][], svcFields: { port: number; retries?: number; read_timeout?: number }) {
  const capture = logCapture();
  const svc = service(svcFields);
  const gw = await startGateway(
    gatewayConfig({ services: [svc], routes: [route(svc, { paths: ['/'] })], plugins: [...plugins.map((p) => plugin(p.name)), plugin('capture')] }),
    [...plugins, capture.def],
  );
  cleanups.push(gw.close);
  return { gw, capture };
}

describe('afterTry', () => {
  it('retries past a 429 head: the client gets the second upstream, none of the first', async () => {
    let firstClosed = false;
    const bodies: string[] = [];
    const first = await upstream((req, res) => {
      req.on('data', (c: Buffer) => bodies.push(`a:${c.toString()}`));
      req.socket.on('close', () => (firstClosed = true));
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.write('{"message":"slow down"'); // the body never ends: gw must not wait for it
    });
    const second = await upstream((req, res) => {
      req.on('data', (c: Buffer) => bodies.push(`b:${c.toString()}`));
      req.on('end', () => res.end('from b'));
    });
    const plugin429 = failover([first.port, second.port], (a) => (a.response?.status === 429 ? 'retry' : 'stop'));
    const { gw, capture } = await gatewayWith([plugin429.def], { port: first.port });
    const reply = await send(gw.port, { method: 'POST', path: '/v1', body: 'prompt' });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('from b');
    expect(reply.headers['retry-after']).toBeUndefined();
    expect(bodies).toEqual(['a:prompt', 'b:prompt']);
    expect(plugin429.seen.map((a) => [a.number, a.response?.status, a.upstream.port])).toEqual([[0, 429, first.port], [1, 200, second.port]]);
    const record = await capture.next();
    expect(record.tries.map((t) => [t.port, t.state, t.code])).toEqual([[first.port, 'next', 429], [second.port, undefined, undefined]]);
    expect(record.upstream_status).toBe('200');
    await expect.poll(() => firstClosed).toBe(true);
  });

  it('relays the last try when the plugin stops retrying, with its own status and body', async () => {
    const throttled = await upstream((_req, res) => res.writeHead(429, { 'content-type': 'text/plain' }).end('throttled'));
    const plugin = failover([throttled.port], (a) => (a.number < 2 ? 'retry' : 'stop'));
    const { gw, capture } = await gatewayWith([plugin.def], { port: throttled.port });
    const reply = await send(gw.port, { method: 'POST', path: '/', body: 'x' });
    expect(reply.status).toBe(429);
    expect(reply.body).toBe('throttled');
    expect(plugin.seen).toHaveLength(3);
    expect((await capture.next()).tries).toHaveLength(3);
  });

  it("'stop' on a connection failure overrides service.retries; 'retry' goes beyond them", async () => {
    const down = await closedPort();
    const ok = await upstream((_req, res) => res.end('ok'));
    const stop = failover([down, ok.port], () => 'stop');
    const a = await gatewayWith([stop.def], { port: down, retries: 5 });
    const refused = await send(a.gw.port, { path: '/' });
    expect(refused.status).toBe(502);
    expect(stop.seen.map((t) => [t.failure?.kind, t.failure?.beforeRequest])).toEqual([['connect', true]]);
    expect((await a.capture.next()).tries).toHaveLength(1);

    const retry = failover([down, down, ok.port], (t) => (t.failure === undefined ? undefined : 'retry'));
    const b = await gatewayWith([retry.def], { port: down, retries: 0 });
    const answered = await send(b.gw.port, { path: '/' });
    expect(answered.status).toBe(200);
    expect((await b.capture.next()).tries.map((t) => t.state)).toEqual(['failed', 'failed', undefined]);
  });

  it('leaves a failure to service.retries when the plugin says nothing', async () => {
    const down = await closedPort();
    const quiet = failover([down], () => undefined);
    const { gw, capture } = await gatewayWith([quiet.def], { port: down, retries: 2 });
    expect((await send(gw.port, { path: '/' })).status).toBe(502);
    expect((await capture.next()).tries).toHaveLength(3);
    expect(quiet.seen).toHaveLength(3);
  });

  it('sees a read timeout (the try timeouts a plugin set) as a timeout after the request was sent', async () => {
    const silent = await upstream(() => {});
    const ok = await upstream((_req, res) => res.end('ok'));
    const plugin = failover([silent.port, ok.port], (t) => (t.failure?.kind === 'timeout' ? 'retry' : 'stop'), { readTimeout: 100 });
    const { gw } = await gatewayWith([plugin.def], { port: silent.port, read_timeout: 60_000 });
    const reply = await send(gw.port, { method: 'POST', path: '/', body: 'x' });
    expect(reply.status).toBe(200);
    expect(plugin.seen[0]!.failure).toMatchObject({ kind: 'timeout', beforeRequest: false });
  });

  it('waits for an async decision', async () => {
    const failing = await upstream((_req, res) => res.writeHead(503).end());
    const ok = await upstream((_req, res) => res.end('ok'));
    const plugin = failover([failing.port, ok.port], async (t) => {
      await new Promise((r) => setTimeout(r, 20));
      return t.response?.status === 503 ? 'retry' : undefined;
    });
    const { gw } = await gatewayWith([plugin.def], { port: failing.port });
    expect((await send(gw.port, { method: 'POST', path: '/', body: 'x' })).body).toBe('ok');
  });

  it('never retries once a streamed client body went upstream', async () => {
    const failing = await upstream((req, res) => req.on('data', () => {}).on('end', () => res.writeHead(503).end('first')));
    const ok = await upstream((_req, res) => res.end('ok'));
    const plugin = failover([failing.port, ok.port], () => 'retry', { readBody: false });
    const { gw, capture } = await gatewayWith([plugin.def], { port: failing.port });
    const reply = await send(gw.port, { method: 'POST', path: '/', body: 'streamed' });
    expect(reply.status).toBe(503);
    expect(reply.body).toBe('first');
    expect((await capture.next()).tries).toHaveLength(1);
  });

  it('fails the request when a hook throws, and drops the response', async () => {
    let closed = false;
    const up = await upstream((req, res) => {
      req.socket.on('close', () => (closed = true));
      res.writeHead(200);
      res.write('never relayed');
    });
    const plugin = failover([up.port], () => {
      throw new Error('boom');
    });
    const { gw } = await gatewayWith([plugin.def], { port: up.port });
    const reply = await send(gw.port, { path: '/' });
    expect(reply.status).toBe(500);
    expect(reply.body).not.toContain('never relayed');
    expect(gw.logger.lines.join('\n')).toContain('plugin failover failed in afterTry: Error: boom');
    await expect.poll(() => closed).toBe(true);
  });

  it("lets 'stop' of one plugin win over 'retry' of another", async () => {
    const failing = await upstream((_req, res) => res.writeHead(503).end('kept'));
    const ok = await upstream((_req, res) => res.end('ok'));
    const retrying = failover([failing.port, ok.port], () => 'retry');
    const stopping = definePlugin({ name: 'stopper', version: '1.0.0', priority: 600, configSchema: { type: 'object' }, afterTry: () => 'stop' as const });
    const { gw } = await gatewayWith([retrying.def, stopping as unknown as ReturnType<typeof failover>['def']], { port: failing.port });
    const reply = await send(gw.port, { method: 'POST', path: '/', body: 'x' });
    expect(reply.status).toBe(503);
    expect(reply.body).toBe('kept');
  });
});
