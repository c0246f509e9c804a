/**
 * A real `redis-server` for a test file, on a free loopback port, with no persistence. `stop()` ends it;
 * `kill()` and `start()` again simulate an outage on the same port. scripts/test-setup.mjs makes sure the
 * binary exists before the tests run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locate, NEEDS } from '../../scripts/test-setup.mjs';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** (Re)starts the server on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGKILL: connections drop at once, as in a crash. */
  kill(): Promise<void>;
  /** Ends the server and removes its folder. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.end('PING\r\n');
      socket.once('data', (data) => resolve(data.toString().startsWith('+PONG')));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const need = NEEDS.find((n) => n.name === 'redis-server')!;
  const binary = locate(need);
  if (binary === undefined) throw new Error('redis-server is not installed: run `node scripts/test-setup.mjs` (pnpm test does)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-'));
  let child: ChildProcess | undefined;

  const exited = (proc: ChildProcess) =>
    proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => proc.once('exit', () => r()));

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) return;
      let output = '';
      const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      child = proc;
      for (let i = 0; i < 200; i++) {
        if (proc.exitCode !== null) throw new Error(`redis-server exited ${proc.exitCode}:\n${output}`);
        if (await accepts(port)) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      proc.kill('SIGKILL');
      throw new Error(`redis-server did not accept connections on ${port} within 5 s:\n${output}`);
    },
    async kill() {
      if (child === undefined) return;
      const proc = child;
      proc.kill('SIGKILL');
      await exited(proc);
    },
    async stop() {
      if (child !== undefined) {
        const proc = child;
        proc.kill('SIGTERM');
        await exited(proc);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
