/**
 * Issue 4, through the real gateway: under concurrent load file-log writes exactly one parseable line per
 * request, and a rotation (rename + reopen, what SIGUSR1 does) in the middle of it loses or repeats none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway, readLogLines, tempDir, type RunningGateway } from './support/gateway.js';
import { all, echoBody, echoWithFileLog, get, keepAliveAgent, rawGet, startEcho, type Echo } from './support/traffic.js';

const N = 2_000;
const RAW_SAMPLE = 20; // of the N, sent on their own connections to count the bytes received

const config = echoWithFileLog;

describe('file-log under concurrent load (real gateway)', () => {
  let echo: Echo;
  beforeAll(async () => {
    echo = await startEcho();
  });
  afterAll(async () => {
    await echo?.close();
  });

  it(`writes exactly one JSON line per request for ${N} concurrent requests, half of them chunked`, async () => {
    const dir = tempDir();
    const logPath = join(dir, 'access.json');
    const gw = await startGateway(config(echo.port, logPath), { dir });
    const agent = keepAliveAgent();
    let raw: Awaited<ReturnType<typeof rawGet>>[];
    let answers: Awaited<ReturnType<typeof get>>[];
    try {
      [answers, raw] = await Promise.all([
        all(N - RAW_SAMPLE, (i) => get(agent, `${gw.url}/echo/${i}${i % 2 === 0 ? '?stream=1' : ''}`)),
        all(RAW_SAMPLE, (i) => rawGet(gw.port, `/echo/raw-${i}${i % 2 === 0 ? '?stream=1' : ''}`)),
      ]);
    } finally {
      agent.destroy();
      await gw.close(); // the last holder of the writer flushes it
    }

    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      expect(a.body).toBe(echoBody(`/${i}${i % 2 === 0 ? '?stream=1' : ''}`));
      expect(a.chunked).toBe(i % 2 === 0);
    });
    const seenIds = [...answers.map((a) => a.requestId), ...raw.map((r) => r.requestId)];
    expect(seenIds.every((id) => id.length > 0)).toBe(true);
    expect(new Set(seenIds).size).toBe(N);

    const lines = readLogLines(logPath); // throws on a torn or interleaved line
    expect(lines.length).toBe(N);
    const loggedIds = lines.map((l) => l.request.id as string);
    expect(new Set(loggedIds).size).toBe(N);
    expect(new Set(loggedIds)).toEqual(new Set(seenIds));

    const byId = new Map(lines.map((l) => [l.request.id as string, l]));
    for (const sample of raw) {
      const line = byId.get(sample.requestId)!;
      expect(line.response.status).toBe(200);
      expect(line.source).toBe('upstream');
      expect(line.response.size, `response.size of ${line.request.uri}`).toBe(sample.bytes);
    }
    // The sample has both framings: chunked responses count their chunk framing too.
    expect(raw.some((r) => /transfer-encoding: chunked/i.test(r.text))).toBe(true);
    expect(raw.some((r) => /content-length:/i.test(r.text))).toBe(true);
    expect(gw.messages.filter((m) => m.includes('file-log'))).toEqual([]);
  });

  it(`keeps every request id exactly once across a rotation (rename + reopen) during ${N} requests`, async () => {
    const dir = tempDir();
    const logPath = join(dir, 'access.json');
    const rotated = join(dir, 'access.json.1');
    const gw: RunningGateway = await startGateway(config(echo.port, logPath), { dir });
    const agent = keepAliveAgent();
    let ids: string[];
    let rotatedAfter = -1;
    let completed = 0;
    try {
      let rotation: Promise<void> | undefined;
      const answers = await all(N, async (i) => {
        const answer = await get(agent, `${gw.url}/echo/${i}${i % 2 === 0 ? '?stream=1' : ''}`);
        completed++;
        // Rotate once, half-way through, while the other half is still in flight.
        if (completed === N / 2) {
          rotatedAfter = completed;
          rotation = (async () => {
            renameSync(logPath, rotated);
            await gw.gateway.reopen();
          })();
        }
        return answer;
      });
      await rotation;
      ids = answers.map((a) => a.requestId);
    } finally {
      agent.destroy();
      await gw.close();
    }

    expect(rotatedAfter).toBe(N / 2);
    expect(new Set(ids).size).toBe(N);
    const before = readLogLines(rotated).map((l) => l.request.id as string);
    const after = readLogLines(logPath).map((l) => l.request.id as string);
    // Both files got lines: the rename really happened mid-load and the reopen created a new file.
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    const every = [...before, ...after];
    expect(every.length).toBe(N);
    expect(new Set(every)).toEqual(new Set(ids));
  });
});
