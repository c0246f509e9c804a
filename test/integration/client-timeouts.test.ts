/**
 * nginx's client_body_timeout (and client_header_timeout) through the real gateway, raw sockets: a client
 * that stops sending its body gets a 408 in its own error format once it has been silent for the timeout,
 * the request is logged, and a drain doesn't wait for it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { bodyOf, headersOf, rawRequest } from '../../packages/core/test/support/raw-socket.js';
import { eventually, readLogLines, setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, bedrockConfig, deckEnv } from './support/bedrock.js';
import { startEcho, type Echo } from './support/traffic.js';
import { startUpstream } from '../../packages/core/test/support/http.js';

const TIMEOUT_MS = 600;

const body = JSON.stringify({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'hi [scenario:text]' }] });
const aiHead = (framing: string) =>
  `POST /anything/v1/messages HTTP/1.1\r\nHost: gw\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\n${framing}\r\n\r\n`;
const plainHead = (framing: string) => `POST /echo/upload HTTP/1.1\r\nHost: gw\r\n${framing}\r\n\r\n`;
const ANTHROPIC_408 = { type: 'error', error: { type: 'invalid_request_error', message: 'Request timeout' } };

describe('client_body_timeout and client_header_timeout (raw sockets, real gateway)', () => {
  let emulator: Emulator;
  let echo: Echo;
  let restoreEnv: () => void;
  const running: RunningGateway[] = [];

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    echo = await startEcho();
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
  });
  afterEach(async () => {
    for (const gw of running.splice(0)) await gw.close();
  });
  afterAll(async () => {
    restoreEnv?.();
    await echo?.close();
    await emulator?.close();
  });

  async function gateway(options: { clientBodyTimeoutMs?: number; clientHeaderTimeoutMs?: number } = { clientBodyTimeoutMs: TIMEOUT_MS }) {
    const dir = tempDir();
    const logPath = join(dir, 'access.json');
    const gw = await startGateway(bedrockConfig(logPath, { port: echo.port }), { dir, env: deckEnv, gateway: options });
    running.push(gw);
    return { gw, logPath };
  }

  it('answers 408 in the Anthropic format to a chunked body with one chunk and nothing after, and logs it', async () => {
    const { gw, logPath } = await gateway();
    const half = body.slice(0, 40);
    const reply = await rawRequest(gw.port, [aiHead('transfer-encoding: chunked'), `${half.length.toString(16)}\r\n${half}\r\n`], { waitMs: 20 * TIMEOUT_MS });
    expect(reply.status, reply.text).toBe(408);
    expect(JSON.parse(bodyOf(reply.text))).toEqual(ANTHROPIC_408);
    expect(headersOf(reply.text).connection).toBe('close');
    expect(reply.closedByServer).toBe(true);
    const [line] = await eventually(() => readLogLines(logPath).length > 0 && readLogLines(logPath), 'the log line');
    expect(line.response.status).toBe(408);
    expect(line.route.name).toBe('claude-code');
    expect(emulator.received).toHaveLength(0);
  });

  it('answers 408 to a Content-Length body trickled slower than the timeout, though bytes keep coming', async () => {
    const { gw, logPath } = await gateway();
    const socket = net.connect(gw.port, '127.0.0.1');
    socket.on('error', () => {});
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(aiHead(`content-length: ${body.length}`));
    // One byte per 1.5 × the timeout: each gap alone is over the limit.
    let sent = 0;
    const trickle = setInterval(() => {
      if (!socket.destroyed && sent < body.length) socket.write(body[sent++]);
    }, TIMEOUT_MS * 1.5);
    await closed;
    clearInterval(trickle);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(bodyOf(text))).toEqual(ANTHROPIC_408);
    expect(sent).toBeLessThan(3);
    const [line] = await eventually(() => readLogLines(logPath).length > 0 && readLogLines(logPath), 'the log line');
    expect(line.response.status).toBe(408);
  });

  it("times out a body streamed to a plain route's upstream too, in Kong's format", async () => {
    const { gw, logPath } = await gateway();
    const reply = await rawRequest(gw.port, [plainHead('content-length: 100'), 'only ten b'], { waitMs: 20 * TIMEOUT_MS });
    expect(reply.status, reply.text).toBe(408);
    expect(JSON.parse(bodyOf(reply.text))).toEqual({ message: 'Request timeout' });
    const [line] = await eventually(() => readLogLines(logPath).length > 0 && readLogLines(logPath), 'the log line');
    expect(line.response.status).toBe(408);
    expect(line.route.name).toBe('plain');
  });

  it('lets a slow body through as long as no gap reaches the timeout', async () => {
    const { gw } = await gateway();
    const pieces = [aiHead(`content-length: ${body.length}`)];
    for (let i = 0; i < body.length; i += 40) pieces.push(body.slice(i, i + 40));
    const socket = net.connect(gw.port, '127.0.0.1');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    for (const piece of pieces) {
      socket.write(piece);
      await new Promise((r) => setTimeout(r, TIMEOUT_MS / 3));
    }
    await eventually(() => text.includes('\r\n\r\n'), 'the response head');
    socket.destroy();
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("doesn't count time the upstream holds the body back: a slow-reading upstream is not the client's fault", async () => {
    // An upstream that reads nothing for 4 × the timeout, then the whole body.
    const slow = await startUpstream((req, res) => {
      req.pause();
      setTimeout(() => {
        let size = 0;
        req.on('data', (c: Buffer) => (size += c.length));
        req.on('end', () => res.end(String(size)));
        req.resume();
      }, 4 * TIMEOUT_MS);
    });
    const dir = tempDir();
    const yaml = `_format_version: "3.0"\nservices:\n  - name: slow\n    url: http://127.0.0.1:${slow.port}\n    routes:\n      - name: slow\n        paths: [/slow]\n`;
    const gw = await startGateway(yaml, { dir, gateway: { clientBodyTimeoutMs: TIMEOUT_MS } });
    running.push(gw);
    const size = 16 * 2 ** 20;
    const reply = await rawRequest(gw.port, [`POST /slow HTTP/1.1\r\nHost: gw\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`, Buffer.alloc(size, 'b')], { waitMs: 20 * TIMEOUT_MS });
    await slow.close();
    expect(reply.status, reply.text.slice(0, 200)).toBe(200);
    expect(bodyOf(reply.text)).toBe(String(size));
  });

  it('does not hold a drain: a gateway stopping with a stalled client stops once the body times out', async () => {
    const { gw, logPath } = await gateway();
    const socket = net.connect(gw.port, '127.0.0.1');
    socket.on('error', () => {});
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.write(aiHead(`content-length: ${body.length}`));
    socket.write(body.slice(0, 10));
    await eventually(() => gw.gateway.inFlight === 1, 'the request in flight');
    const started = Date.now();
    // A drain timeout far longer than the body timeout: only the body timeout can end this request.
    await gw.gateway.close({ drainMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(20 * TIMEOUT_MS);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(readLogLines(logPath).map((l) => l.response.status)).toEqual([408]);
  });

  it('closes a connection that sends no request at all within client_header_timeout, and one that stops mid-head', async () => {
    const { gw } = await gateway({ clientHeaderTimeoutMs: TIMEOUT_MS });
    const silent = await rawRequest(gw.port, [], { waitMs: 20 * TIMEOUT_MS });
    expect(silent.closedByServer).toBe(true);
    const partial = await rawRequest(gw.port, ['GET /echo/x HTTP/1.1\r\nHost: gw\r\nx-slow: '], { waitMs: 20 * TIMEOUT_MS });
    expect(partial.closedByServer).toBe(true);
    expect(partial.status).toBe(408);
  });
});
