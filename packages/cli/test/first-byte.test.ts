import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnGw, type GwProcess } from './support/gw-process.js';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream.js';

// gw in its own process, so the client can watch the socket while gw's transform still holds the CPU.
// A body transform enqueues its first bytes, then keeps computing synchronously (as ai-proxy does while
// it decodes the rest of an eventstream chunk). Node corks a response socket until the next tick on
// every write; without gw flushing the first write, both parts would arrive in one piece at the end.
const EARLY_PLUGIN = `
const busy = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };
export default {
  name: 'early-bytes',
  version: '1.0.0',
  priority: 10,
  configSchema: { type: 'object', properties: {} },
  responseBody: () => ({
    transform(_chunk, controller) {
      controller.enqueue(new TextEncoder().encode('first;'));
      busy(400);
      controller.enqueue(new TextEncoder().encode('second;'));
    },
  }),
};
`;

let dir: string;
let upstream: EchoUpstream;
let gw: GwProcess;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gw-first-byte-'));
  upstream = await startEchoUpstream();
  writeFileSync(path.join(dir, 'early.mjs'), EARLY_PLUGIN);
  const config = path.join(dir, 'kong.yaml');
  writeFileSync(
    config,
    ['_format_version: "3.0"', 'services:', '  - name: echo', `    url: ${upstream.url}`, '    routes:', '      - name: r', '        paths: [/]', 'plugins:', '  - name: early-bytes', ''].join('\n'),
  );
  gw = spawnGw(['start', '-s', config, '--port', '0', '--host', '127.0.0.1', '--plugins', './early.mjs']);
  url = (await gw.waitFor(/gw listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
});
afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('time to first byte through a body transform', () => {
  it('sends the head and the first enqueued bytes before the transform finishes its chunk', async () => {
    const { port } = new URL(url);
    // Raw socket reads: an HTTP client would split chunked bodies into pieces even if they came in one read.
    const reads = await new Promise<string[]>((resolve, reject) => {
      const seen: string[] = [];
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /x HTTP/1.1\r\nhost: gw\r\nconnection: close\r\n\r\n'));
      socket.setEncoding('latin1');
      socket.on('data', (c: string) => seen.push(c));
      socket.on('end', () => resolve(seen));
      socket.on('error', reject);
    });
    // Reads 400 ms of gw's CPU apart: the first holds the head and what was enqueued first, nothing more.
    expect(reads[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n6\r\nfirst;\r\n$/);
    expect(reads.join('')).toMatch(/\r\n\r\n6\r\nfirst;\r\n7\r\nsecond;\r\n0\r\n\r\n$/);
  });
});
