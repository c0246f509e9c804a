/**
 * A route regex cannot stall the gateway: `~/redos/(a+)+$` against 40 `a`s and a `!` takes
 * a backtracking engine longer than any test can wait (11.7 s at 30), and routing runs before any
 * authentication. gw runs route regexes on RE2, so the request is answered at once and the requests
 * around it keep being served. gw runs as the real `gw start` process, so a stalled event loop would
 * fail this test by its timeout instead of freezing the test runner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/gateway.js';
import { all, get, keepAliveAgent, startEcho, type Echo } from './support/traffic.js';

const bin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

let echo: Echo;
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  echo = await startEcho();
  const dir = tempDir('gw-redos-');
  const file = join(dir, 'kong.yaml');
  writeFileSync(
    file,
    `_format_version: "3.0"
services:
  - name: echo
    url: http://127.0.0.1:${echo.port}
    routes:
      - name: redos
        paths: ['~/redos/(a+)+$']
      - name: headers
        paths: [/h]
        headers:
          x-agent: ['~*^(\\w+\\s?)*$']
      - name: plain
        paths: [/plain]
`,
  );
  child = spawn(process.execPath, [bin, 'start', '-s', file, '--port', '0', '--host', '127.0.0.1'], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(text);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`gw exited ${code}: ${text}`)));
  });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    // A gw stuck in a regex cannot run its SIGTERM handler.
    const stuck = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(stuck);
  }
  await echo?.close();
});

describe('route regexes run in linear time', () => {
  it('answers the ReDoS path at once while other requests keep being served', async () => {
    const agent = keepAliveAgent();
    const evil = `${url}/redos/${'a'.repeat(40)}!`;
    const [redos, plain] = await Promise.all([
      get(new http.Agent(), evil),
      all(20, (i) => get(agent, `${url}/plain/${i}`)),
    ]);
    // No match (the `!` fails `$`): Kong's 404, not a hang.
    expect(redos.status).toBe(404);
    expect(JSON.parse(redos.body)).toEqual({ message: 'no Route matched with those values' });
    expect(plain.map((a) => a.status)).toEqual(Array(20).fill(200));
    // The pattern still matches what it should, with its capture.
    expect((await get(agent, `${url}/redos/aaaa`)).status).toBe(200);
    agent.destroy();
  }, 30_000);

  it('does the same for a `~*` header regex', async () => {
    const agent = keepAliveAgent();
    const [bad, plain] = await Promise.all([
      get(new http.Agent(), `${url}/h`, { 'x-agent': `${'a '.repeat(40)}!` }),
      all(10, (i) => get(agent, `${url}/plain/${i}`)),
    ]);
    expect(bad.status).toBe(404);
    expect(plain.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect((await get(agent, `${url}/h`, { 'x-agent': 'claude code' })).status).toBe(200);
    agent.destroy();
  }, 30_000);
});
