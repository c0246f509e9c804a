import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TryRecord, UpstreamRequest } from '@gw/plugin-api';
import { createAgents, type Agents } from '../../src/proxy/agents.js';
import { forward } from '../../src/proxy/forward.js';
import { sendOnce, UpstreamFailure } from '../../src/proxy/send.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Agents whose connections never leave the "connecting" state: name resolution never answers. */
function stuckAgents(): Agents {
  const agent = new http.Agent({ keepAlive: true });
  (agent as unknown as { createConnection: unknown }).createConnection = (opts: net.NetConnectOpts) =>
    net.connect({ ...(opts as net.TcpNetConnectOpts), host: 'never.invalid', lookup: () => {} });
  cleanups.push(() => agent.destroy());
  return { http: agent, https: agent as never, httpsFor: () => agent as never, destroy: () => agent.destroy() };
}

function request(port: number, fields: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { method: 'GET', scheme: 'http', host: '127.0.0.1', port, path: '/', query: '', headers: { host: 'upstream.test' }, body: undefined, ...fields };
}

const timeouts = { connectTimeout: 60_000, writeTimeout: 60_000, readTimeout: 60_000, tlsVerify: true };

describe('service timeouts', () => {
  it('connect_timeout: a connection that never comes up fails as a retryable connect timeout', async () => {
    const agents = stuckAgents();
    const tries: TryRecord[] = [];
    let prepared = 0;
    const failure = await forward({
      agents,
      retries: 2,
      ...timeouts,
      connectTimeout: 30,
      signal: new AbortController().signal,
      prepare: async () => {
        prepared++;
        return request(9);
      },
      bodyFor: () => undefined,
      onStreamStart: () => {},
      onTry: (_u, record) => tries.push(record),
    }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'GW_ERR_UPSTREAM_TIMEOUT', status: 504 });
    expect(prepared).toBe(3); // the upstream phase ran before every try
    expect(tries.map((t) => [t.state, t.code])).toEqual([
      ['failed', 504],
      ['failed', 504],
      ['failed', 504],
    ]);
  });

  it('write_timeout: an upstream that stops reading the body times out the write, not retried', async () => {
    const server = net.createServer((socket) => socket.pause()); // accepts, never reads
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const sockets: net.Socket[] = [];
    server.on('connection', (s) => sockets.push(s));
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    const agents = createAgents();
    cleanups.push(() => agents.destroy());
    const port = (server.address() as net.AddressInfo).port;
    const body = new Uint8Array(64 * 1024 * 1024); // far more than socket buffers hold
    const err = await sendOnce({ agents, upstream: request(port, { method: 'POST' }), body, ...timeouts, writeTimeout: 100, signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect((err as UpstreamFailure).kind).toBe('write-timeout');
    expect((err as UpstreamFailure).beforeRequest).toBe(false);
  });

  it('read_timeout applies between body bytes too, after the head arrived', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      res.write('first'); // then silence
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }));
    const agents = createAgents();
    cleanups.push(() => agents.destroy());
    const sent = await sendOnce({ agents, upstream: request((server.address() as net.AddressInfo).port), body: undefined, ...timeouts, readTimeout: 100, signal: new AbortController().signal });
    const got: string[] = [];
    sent.response.on('data', (c: Buffer) => got.push(c.toString()));
    await new Promise<void>((resolve) => sent.response.on('close', () => resolve()));
    expect(got).toEqual(['first']);
    expect(sent.response.complete).toBe(false);
    expect(sent.lateFailure?.kind).toBe('read-timeout');
  });

  it('a failure after the head is visible on what forward returned (the body error mapping reads it)', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200);
      res.write('first'); // then silence
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }));
    const agents = createAgents();
    cleanups.push(() => agents.destroy());
    const sent = await forward({
      agents,
      retries: 0,
      ...timeouts,
      readTimeout: 100,
      signal: new AbortController().signal,
      prepare: () => request((server.address() as net.AddressInfo).port),
      bodyFor: () => undefined,
      onStreamStart: () => {},
      onTry: () => {},
    });
    sent.response.resume();
    await new Promise<void>((resolve) => sent.response.on('close', () => resolve()));
    expect(sent.lateFailure?.kind).toBe('read-timeout');
  });
});
