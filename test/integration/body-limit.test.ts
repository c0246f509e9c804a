/**
 * Above ai-proxy's body limit (32 MiB by default) the client always gets the 413, even when it sends the
 * whole body as fast as it can: gw answers, then keeps reading and discarding for a bounded time before
 * it closes (nginx's lingering close), so the close never turns into a reset that destroys the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import net from 'node:net';
import { LINGERING_TIMEOUT_MS } from '../../packages/core/src/server/lingering-close.js';
import { bodyOf, headersOf, rawRequest } from '../../packages/core/test/support/raw-socket.js';
import { readLogLines, setEnv, startGateway, tempDir, eventually, type RunningGateway } from './support/gateway.js';
import { AWS_KEYS, MODEL, bedrockConfig, deckEnv } from './support/bedrock.js';

const MiB = 2 ** 20;
const TIMES = 12;

describe('413 above the body limit (raw sockets, real gateway)', () => {
  let emulator: Emulator;
  let gw: RunningGateway;
  let logPath: string;
  let restoreEnv: () => void;
  // One 33 MiB JSON body, sent as fast as the socket takes it.
  const prefix = `{"model":"${MODEL}","max_tokens":16,"messages":[{"role":"user","content":"`;
  const suffix = '"}]}';
  const body = Buffer.alloc(33 * MiB, 'a');
  body.write(prefix, 0, 'latin1');
  body.write(suffix, body.length - suffix.length, 'latin1');
  const head = (framing: string) =>
    `POST /anything/v1/messages HTTP/1.1\r\nHost: gw\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\n${framing}\r\n\r\n`;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
    const dir = tempDir();
    logPath = join(dir, 'access.json');
    gw = await startGateway(bedrockConfig(logPath), { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await emulator?.close();
  });

  const expect413 = (reply: Awaited<ReturnType<typeof rawRequest>>, i: number) => {
    expect(reply.status, `try ${i}: ${reply.error ?? ''} ${reply.text.slice(0, 200)}`).toBe(413);
    // The whole body went out without EPIPE or a reset: gw read it (and threw it away) before closing.
    expect(reply.error, `try ${i}`).toBeUndefined();
    expect(headersOf(reply.text).connection).toBe('close');
    expect(JSON.parse(bodyOf(reply.text))).toEqual({ type: 'error', error: { type: 'request_too_large', message: 'Request size limit exceeded' } });
  };

  it(`answers 413 every time to a declared 33 MiB body sent at full speed (${TIMES} tries)`, async () => {
    for (let i = 0; i < TIMES; i++) expect413(await rawRequest(gw.port, [head(`content-length: ${body.length}`), body], { waitMs: 20_000 }), i);
  }, 120_000);

  it('answers 413 to Node\'s own HTTP client sending 33 MiB, which sees the answer and no error', async () => {
    for (let i = 0; i < 4; i++) {
      const outcome = await new Promise<string>((resolve) => {
        const req = http.request(`${gw.url}/anything/v1/messages`, {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'content-length': String(body.length) },
        }, (res) => {
          res.resume();
          res.on('end', () => resolve(`status ${res.statusCode}`));
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
        req.end(body);
      });
      expect(outcome, `try ${i}`).toBe('status 413');
    }
  }, 120_000);

  it(`answers 413 every time to a chunked 33 MiB body sent at full speed (${TIMES} tries)`, async () => {
    const chunk = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
    for (let i = 0; i < TIMES; i++) expect413(await rawRequest(gw.port, [head('transfer-encoding: chunked'), chunk], { waitMs: 20_000 }), i);
    // Each was logged as the 413 it was.
    const lines = await eventually(() => {
      const all = readLogLines(logPath);
      return all.length >= 2 * TIMES + 4 && all;
    }, 'log lines');
    expect(lines.map((l) => l.response.status)).toEqual(Array(2 * TIMES + 4).fill(413));
    // Nothing went upstream.
    expect(emulator.received).toHaveLength(0);
  }, 120_000);

  /**
   * A client that declares 33 MiB, sends 1 MiB and then only waits, keeping its side open after gw's FIN
   * (allowHalfOpen): resolves with the 413 text once gw has answered and half-closed.
   */
  function quietClient(port: number): Promise<{ socket: net.Socket; text: string; errors: string[] }> {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const errors: string[] = [];
    socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.write(head(`content-length: ${body.length}`));
    socket.write(body.subarray(0, MiB));
    return new Promise((resolve) => socket.once('end', () => resolve({ socket, text, errors })));
  }

  it('lingers for a bounded time only: a client quiet mid-body is let go after the lingering timeout', async () => {
    const { socket, text, errors } = await quietClient(gw.port);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    // Still lingering: what the client sends now is read and discarded, without an error.
    socket.write(body.subarray(0, 1024));
    await new Promise((r) => setTimeout(r, LINGERING_TIMEOUT_MS + 1_500));
    expect(errors).toEqual([]);
    // Quiet for longer than the lingering timeout: gw has closed, so the next bytes are refused.
    const refused = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(body.subarray(0, 1024));
    setTimeout(() => socket.write(body.subarray(0, 1024)), 100);
    await refused;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/ECONNRESET|EPIPE/);
  }, 60_000);

  it('stops without waiting for a lingering connection', async () => {
    const dir = tempDir();
    const second = await startGateway(bedrockConfig(join(dir, 'access.json')), { dir, env: deckEnv });
    const { socket, text } = await quietClient(second.port);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    const started = Date.now();
    await second.close();
    // Well before the lingering connection would have timed out on its own.
    expect(Date.now() - started).toBeLessThan(LINGERING_TIMEOUT_MS);
    socket.destroy();
  }, 60_000);
});
