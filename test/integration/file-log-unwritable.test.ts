/**
 * Issue 4: a log file that cannot be written never affects traffic, and logging resumes once the path
 * becomes writable (the writer retries; nothing here waits on a fixed delay, it polls).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, readLogLines, startGateway, tempDir } from './support/gateway.js';
import { all, echoBody, echoWithFileLog, get, keepAliveAgent, startEcho, type Echo } from './support/traffic.js';

const config = echoWithFileLog;

describe('file-log on an unwritable path (real gateway)', () => {
  let echo: Echo;
  beforeAll(async () => {
    echo = await startEcho();
  });
  afterAll(async () => {
    await echo?.close();
  });

  it('serves every request while the folder is missing, and logs once the folder exists', async () => {
    const dir = tempDir();
    const folder = join(dir, 'not', 'yet');
    const logPath = join(folder, 'access.json');
    const gw = await startGateway(config(echo.port, logPath), { dir });
    const agent = keepAliveAgent();
    try {
      const early = await all(200, (i) => get(agent, `${gw.url}/echo/early-${i}${i % 2 ? '?stream=1' : ''}`));
      early.forEach((a, i) => {
        expect(a.status).toBe(200);
        expect(a.body).toBe(echoBody(`/early-${i}${i % 2 ? '?stream=1' : ''}`));
      });
      // The writer noticed (and said so without failing a request).
      await eventually(() => gw.messages.some((m) => m.includes('ENOENT')), 'an ENOENT report');
      expect(readLogLines(logPath)).toEqual([]);

      mkdirSync(folder, { recursive: true });
      const later = await get(agent, `${gw.url}/echo/later`);
      expect(later.status).toBe(200);
      const lines = await eventually(() => {
        const read = readLogLines(logPath);
        return read.some((l) => l.request.id === later.requestId) ? read : undefined;
      }, 'the later request in the log');
      const ids = new Set(lines.map((l) => l.request.id));
      expect(ids.has(later.requestId)).toBe(true);
      // Lines are never written twice, whatever happened to the ones queued during the outage.
      expect(ids.size).toBe(lines.length);
    } finally {
      agent.destroy();
      await gw.close();
    }
  });

  it('serves every request when the log device is full (/dev/full, ENOSPC)', async () => {
    const gw = await startGateway(config(echo.port, '/dev/full'));
    const agent = keepAliveAgent();
    try {
      const answers = await all(300, (i) => get(agent, `${gw.url}/echo/full-${i}${i % 2 ? '?stream=1' : ''}`));
      answers.forEach((a, i) => {
        expect(a.status).toBe(200);
        expect(a.body).toBe(echoBody(`/full-${i}${i % 2 ? '?stream=1' : ''}`));
      });
      await eventually(() => gw.messages.some((m) => m.includes('ENOSPC')), 'an ENOSPC report');
      // Still serving after the writer failed.
      const after = await get(agent, `${gw.url}/echo/after`);
      expect(after.status).toBe(200);
      expect(after.body).toBe(echoBody('/after'));
    } finally {
      agent.destroy();
      await gw.close();
    }
  });
});
