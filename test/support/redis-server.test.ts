import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnection } from 'node:net';
import { startRedisServer, type RedisServer } from './redis-server.js';

/** One RESP command over a raw socket: the helper is checked with nothing but the wire protocol. */
function command(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const wire = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
    socket.once('connect', () => socket.write(wire));
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
}

describe('startRedisServer', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis.stop());

  it('serves a real redis on loopback, and loses its data when killed and started again', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await command(redis.port, 'SET', 'k', 'v')).toBe('+OK\r\n');
    expect(await command(redis.port, 'GET', 'k')).toBe('$1\r\nv\r\n');
    await redis.kill();
    await expect(command(redis.port, 'PING')).rejects.toThrow(/ECONNREFUSED/);
    await redis.start();
    expect(await command(redis.port, 'GET', 'k')).toBe('$-1\r\n');
  });
});
