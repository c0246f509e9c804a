// A redis-server of the bench's own, on a free loopback port, with no persistence, for the budget
// workload. The binary is found as the tests find it (scripts/test-setup.mjs: GW_TEST_REDIS_SERVER or PATH).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { locate, NEEDS } from '../scripts/test-setup.mjs';

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/** @param {number} port @returns {Promise<boolean>} */
function pong(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => socket.end('PING\r\n'));
    socket.once('data', (d) => resolve(d.toString().startsWith('+PONG')));
    socket.once('error', () => resolve(false));
  });
}

/**
 * A running redis-server (`port`, `total`, `stop`), or `missing` saying how to get one.
 * @returns {Promise<{ port?: undefined, missing: string, total?: undefined, stop(): Promise<void> }
 *   | { port: number, missing?: undefined, total(pattern: string): Promise<{ keys: number, sum: number }>, stop(): Promise<void> }>}
 */
export async function startRedis() {
  const need = NEEDS.find((n) => n.name === 'redis-server');
  if (need === undefined) throw new Error('scripts/test-setup.mjs has no redis-server entry');
  const binary = locate(need);
  if (binary === undefined) return { missing: `node scripts/test-setup.mjs installs it on Debian/Ubuntu; ${need.elsewhere}`, stop: async () => {} };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-redis-'));
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await pong(port)); i++) await new Promise((r) => setTimeout(r, 25));
  return {
    port,
    /** Sum of the counters under `pattern`, and how many: proof the workload counted in Redis. */
    /** @param {string} pattern */
    async total(pattern) {
      const client = new Redis({ host: '127.0.0.1', port });
      try {
        const keys = await client.keys(pattern);
        const values = keys.length === 0 ? [] : await client.mget(...keys);
        return { keys: keys.length, sum: values.reduce((s, v) => s + Number(v), 0) };
      } finally {
        client.disconnect();
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
