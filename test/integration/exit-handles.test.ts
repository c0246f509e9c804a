/**
 * Once `close()` resolves, nothing of the gateway keeps the event loop alive: no timer (idle GC, client
 * timeouts, lingering close, file-log retries), no socket (listeners, clients, the upstream pool), no
 * status server. `gw start` exits explicitly anyway; this is what lets it exit the moment the last request
 * is done and the logs are flushed, and what lets an embedding process exit on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHook } from 'node:async_hooks';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { createGateway, loadConfig } from '@gw/core';
import { eventually, readLogLines, registry, setEnv, tempDir } from './support/gateway.js';
import { AWS_KEYS, MODEL, bedrockConfig, deckEnv } from './support/bedrock.js';
import { startEcho, type Echo } from './support/traffic.js';

const tlsDir = fileURLToPath(new URL('../../packages/core/test/fixtures/tls/', import.meta.url));

/**
 * Every async resource created from now on (timers, sockets, servers, file requests) that is still alive
 * and holds the event loop: `leftovers()` names them. Async hooks see a resource's creation and its end,
 * so a timer or socket that was never closed stays in the list, whatever else the process runs.
 */
function trackResources() {
  const live = new Map<number, { type: string; resource: { hasRef?: () => boolean } }>();
  // Once watching is over, the test's own waiting isn't recorded (its ends still are).
  let recording = true;
  const hook = createHook({
    init(asyncId, type, _trigger, resource) {
      if (recording) live.set(asyncId, { type, resource: resource as { hasRef?: () => boolean } });
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  return {
    /** Stop recording new resources; ends of recorded ones are still seen. */
    settle: () => (recording = false),
    leftovers(): string[] {
      // Promises and the like never hold the loop; a handle or timer does while it has a ref.
      return [...live.values()].filter((r) => typeof r.resource.hasRef === 'function' && r.resource.hasRef()).map((r) => r.type);
    },
    stop: () => hook.disable(),
  };
}

describe('after close() nothing of the gateway keeps the process alive', () => {
  let emulator: Emulator;
  let echo: Echo;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    echo = await startEcho();
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
  });
  afterAll(async () => {
    restoreEnv?.();
    await echo?.close();
    await emulator?.close();
  });

  it('with every listener, pooled upstream connections, the idle GC, file-log, and clients still connected', async () => {
    const dir = tempDir();
    const logPath = join(dir, 'access.json');
    writeFileSync(join(dir, 'kong.yaml'), bedrockConfig(logPath, { port: echo.port }));
    const tracked = trackResources();
    const config = await loadConfig([join(dir, 'kong.yaml')], { env: deckEnv, mode: 'expand', plugins: registry });
    if (!config.ok) throw new Error('bad test config');
    const gateway = await createGateway({
      config: config.config,
      plugins: registry,
      logger: { info() {}, warn() {}, error() {} },
      idleGcMs: 50,
      clientBodyTimeoutMs: 60_000,
      clientHeaderTimeoutMs: 60_000,
    });
    const { port } = await gateway.listen(0, '127.0.0.1');
    const secure = await gateway.listenTls(0, '127.0.0.1', { cert: readFileSync(join(tlsDir, 'cert.pem')), key: readFileSync(join(tlsDir, 'key.pem')) });
    const status = await gateway.listenStatus(0, '127.0.0.1');

    // Keep-alive clients whose connections stay open, on each listener.
    const agent = new http.Agent({ keepAlive: true });
    const tlsAgent = new https.Agent({ keepAlive: true, ca: readFileSync(join(tlsDir, 'cert.pem')) });
    const get = (url: string, a: http.Agent) =>
      new Promise<number>((resolve, reject) => {
        (url.startsWith('https') ? https : http).get(url, { agent: a }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
    expect(await get(`http://127.0.0.1:${port}/echo/a`, agent)).toBe(200);
    expect(await get(`https://localhost:${secure.port}/echo/b`, tlsAgent)).toBe(200);
    expect(await get(`http://127.0.0.1:${status.port}/status`, agent)).toBe(200);
    // A streamed ai-proxy answer: a pooled upstream connection to the emulator.
    const ai = await fetch(`http://127.0.0.1:${port}/anything/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: MODEL, max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(ai.status).toBe(200);
    await ai.text();
    // A connection that never sends a request, one that stops mid-head, one lingering after a 413.
    const raw = (text: string) => {
      const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      socket.on('error', () => {});
      socket.write(text);
      return socket;
    };
    const silent = raw('');
    const partial = raw('GET /echo/x HTTP/1.1\r\nHost: gw\r\n');
    const lingering = raw(`POST /anything/v1/messages HTTP/1.1\r\nHost: gw\r\ncontent-type: application/json\r\ncontent-length: ${64 * 2 ** 20}\r\n\r\n{"model":`);
    await eventually(() => readLogLines(logPath).length >= 4 && true, 'the log lines');

    await gateway.close({ drainMs: 2_000 });
    // The test's own side goes too: then whatever is left is the gateway's.
    agent.destroy();
    tlsAgent.destroy();
    for (const s of [silent, partial, lingering]) s.destroy();
    tracked.settle();
    let left: string[] = [];
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      left = tracked.leftovers();
      if (left.length === 0) break;
    }
    tracked.stop();
    expect(left).toEqual([]);
  });
});
