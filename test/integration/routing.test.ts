/**
 * Kong's routing rules that only show through the real server: the Host header's
 * port, X-Forwarded-Port from the connection, repeated header lines, ties between equal routes in a
 * decK file, and path_handling v1 under Kong 3.x.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@gw/core';
import { registry, startGateway, tempDir, type RunningGateway } from './support/gateway.js';

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
}

let upstream: http.Server;
let upstreamPort: number;
let gw: RunningGateway;

/** Answers with the request it received, as JSON. */
async function startMirror(): Promise<void> {
  upstream = http.createServer((req, res) => {
    req.resume();
    const body = JSON.stringify({ url: req.url ?? '', headers: req.headers } satisfies Seen);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamPort = (upstream.address() as AddressInfo).port;
}

function send(path: string, headers: Record<string, string | string[]>): Promise<{ status: number; route: string | undefined; seen?: Seen }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: gw.port, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const seen = res.statusCode === 200 ? (JSON.parse(text) as Seen) : undefined;
        resolve({ status: res.statusCode ?? 0, route: seen ? String(seen.headers['x-route']) : undefined, seen });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// Each route tells the upstream its name through a path prefix of its service.
const yaml = (port: number) => `
_format_version: "3.0"
services:
  - name: plain-host
    url: http://127.0.0.1:${port}/plain-host
    routes:
      - name: plain-host
        hosts: [domain-1.org]
  - name: host-with-port
    url: http://127.0.0.1:${port}/host-with-port
    routes:
      - name: host-with-port
        hosts: [domain-1.org:22321]
  - name: location
    url: http://127.0.0.1:${port}/location
    routes:
      - name: location
        paths: [/loc]
        headers:
          location: [my-location-2]
  - name: first
    url: http://127.0.0.1:${port}/first
    routes:
      - name: first
        paths: [/tie]
  - name: second
    url: http://127.0.0.1:${port}/second
    routes:
      - name: second
        paths: [/tie]
  - name: id-low
    url: http://127.0.0.1:${port}/id-low
    routes:
      - name: id-low
        id: 11111111-1111-4111-8111-111111111111
        paths: [/idtie]
  - name: id-high
    url: http://127.0.0.1:${port}/id-high
    routes:
      - name: id-high
        id: 99999999-9999-4999-8999-999999999999
        paths: [/idtie]
  - name: srv
    url: http://127.0.0.1:${port}/srv
    routes:
      - name: v1
        paths: [/rou]
        strip_path: false
        path_handling: v1
`;

beforeAll(async () => {
  await startMirror();
  gw = await startGateway(yaml(upstreamPort));
});
afterAll(async () => {
  await gw?.close();
  await new Promise((r) => upstream?.close(r));
});

const upstreamPath = (r: { seen?: Seen }) => r.seen?.url;

describe('Host header port', () => {
  it("routes on the Host header's port when it has one, before a route without port", async () => {
    expect(upstreamPath(await send('/x', { host: 'domain-1.org:22321' }))).toBe('/host-with-port/x');
    expect(upstreamPath(await send('/x', { host: 'domain-1.org' }))).toBe('/plain-host/x');
    // Another port in the header: only the port-less route is left.
    expect(upstreamPath(await send('/x', { host: 'domain-1.org:1234' }))).toBe('/plain-host/x');
  });

  it('sends X-Forwarded-Port from the connection, not from the Host header', async () => {
    const r = await send('/x', { host: 'domain-1.org:22321' });
    expect(r.seen?.headers['x-forwarded-port']).toBe(String(gw.port));
    expect(r.seen?.headers['x-forwarded-host']).toBe('domain-1.org');
  });
});

describe('repeated header lines', () => {
  it('matches a header condition when any of the lines does', async () => {
    expect(upstreamPath(await send('/loc', { location: ['elsewhere', 'my-location-2'] }))).toBe('/location');
    expect(upstreamPath(await send('/loc', { location: ['my-location-2', 'elsewhere'] }))).toBe('/location');
    expect((await send('/loc', { location: ['elsewhere', 'nowhere'] })).status).toBe(404);
    // One line holding both values is one value, as in Kong.
    expect((await send('/loc', { location: 'elsewhere, my-location-2' })).status).toBe(404);
  });
});

describe('ties between equal routes', () => {
  it('goes to the first route in the file when no route declares an id', async () => {
    expect(upstreamPath(await send('/tie/x', {}))).toBe('/first/x');
  });
  it("goes to the greater declared id, as Kong's router orders them", async () => {
    expect(upstreamPath(await send('/idtie/x', {}))).toBe('/id-high/x');
  });
});

describe('query string', () => {
  it('keeps a bare `?` as Kong does, and the query as sent', async () => {
    expect(upstreamPath(await send('/tie/x?', {}))).toBe('/first/x?');
    expect(upstreamPath(await send('/tie/x?a=1&b', {}))).toBe('/first/x?a=1&b');
    expect(upstreamPath(await send('/tie/x', {}))).toBe('/first/x');
  });
});

describe('path_handling v1', () => {
  it('joins as v0 (Kong 3.x) and is warned about at load, with file:line:col', async () => {
    expect(upstreamPath(await send('/roureq', {}))).toBe('/srv/roureq');
    const dir = tempDir();
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, yaml(upstreamPort));
    const loaded = await loadConfig([file], { env: {}, mode: 'expand', plugins: registry });
    expect(loaded.ok).toBe(true);
    const warnings = loaded.ok ? loaded.warnings : [];
    expect(warnings, JSON.stringify(warnings)).toContain(
      `${file}:49:24 services[7].routes[0].path_handling: path_handling='v1' is deprecated and will not work under 'expressions' or 'traditional_compatible' router_flavor, please use path_handling='v0' instead (gw applies v0, as Kong 3.x does)`,
    );
  });
});
