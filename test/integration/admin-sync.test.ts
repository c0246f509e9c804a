/**
 * Config applied to a running gw, as an operator does it: the built `gw start --admin-listen`, the Bedrock
 * emulator behind ai-proxy, plain upstreams, and `gw sync --admin` / `gw diff` / `gw dump` / the admin API.
 *
 * Two configs, A and B, differ in where everything goes: ai-proxy to emulator A or B, the plain route to
 * upstream A or B, file-log to config-A.log or config-B.log, and the routes are tagged config-A or config-B.
 * A request served by a mix of configs would show up as a disagreement between them.
 */
import http from 'node:http';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { runGw, spawnGw, type GwProcess } from '../../packages/cli/test/support/gw-process.js';
import { fixtureText } from '../fixtures.js';
import { AWS_KEYS, MODEL } from './support/bedrock.js';
import { eventually, readLogLines, tempDir, type LogLine } from './support/gateway.js';

type Side = 'A' | 'B';
const ADMIN_TOKEN = 'gw-admin-token-integration-5Jd8q';
const env = { DECK_AWS_ACCESS_KEY_ID: AWS_KEYS.accessKeyId, DECK_AWS_SECRET_ACCESS_KEY: AWS_KEYS.secretAccessKey, GW_ADMIN_TOKEN: ADMIN_TOKEN };
/** Long enough to be in flight across a `gw sync` run (a Node process start and a config load). */
const SLOW = { name: 'slow' as const, delayMs: 200, text: Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ') };

let dir: string;
let gw: GwProcess;
let proxy: string;
let admin: string;
const emulators = {} as Record<Side, Emulator>;
const plain = {} as Record<Side, { port: number; close(): Promise<void> }>;
const files = {} as Record<Side, string>;

function startPlain(side: Side): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': side }).end(JSON.stringify({ served_by: side })));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      }),
    ),
  );
}

/** The config for side A or B; `literal`: the AWS keys written in (for POST /config, which substitutes nothing). */
function config(side: Side, literal = false): string {
  const key = (name: string, value: string) => (literal ? value : `\${{ env "${name}" }}`);
  return `_format_version: "3.0"
services:
  - name: claude
    url: http://127.0.0.1:9
    routes:
      - name: claude
        paths: [/claude]
        tags: [config-${side}]
        plugins:
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              logging: { log_statistics: true }
              auth:
                aws_access_key_id: "${key('DECK_AWS_ACCESS_KEY_ID', AWS_KEYS.accessKeyId)}"
                aws_secret_access_key: "${key('DECK_AWS_SECRET_ACCESS_KEY', AWS_KEYS.secretAccessKey)}"
              model:
                provider: bedrock
                name: ${MODEL}
                options:
                  upstream_url: http://127.0.0.1:${emulators[side].port}
                  bedrock: { aws_region: us-east-1 }
  - name: plain
    url: http://127.0.0.1:${plain[side].port}
    routes:
      - name: plain
        paths: [/plain]
        tags: [config-${side}]
plugins:
  - name: file-log
    config: { path: ${join(dir, `config-${side}.log`)} }
`;
}

const gwCli = (args: string[], extraEnv: Record<string, string> = env) => runGw(args, { env: extraEnv, cwd: dir });
const adminFetch = (path: string, init: RequestInit = {}) => fetch(`${admin}${path}`, { ...init, headers: { 'kong-admin-token': ADMIN_TOKEN, ...(init.headers as Record<string, string> | undefined) } });
const runningHash = async () => ((await (await adminFetch('/')).json()) as { configuration_hash: string }).configuration_hash;
const logOf = (side: Side): LogLine[] => readLogLines(join(dir, `config-${side}.log`));

beforeAll(async () => {
  dir = tempDir('gw-admin-sync-');
  for (const side of ['A', 'B'] as const) {
    emulators[side] = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    plain[side] = await startPlain(side);
    files[side] = join(dir, `${side}.yaml`);
    writeFileSync(files[side], config(side));
  }
  gw = spawnGw(['start', '-s', files.A, '--port', '0', '--admin-listen', '127.0.0.1:0'], { env, cwd: dir });
  proxy = (await gw.waitFor(/gw listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
  admin = (await gw.waitFor(/gw admin API on (http:\/\/127\.0\.0\.1:\d+)/))[1];
});
afterAll(async () => {
  expect(await gw.stop()).toBe(0);
  for (const side of ['A', 'B'] as const) {
    await emulators[side].close();
    await plain[side].close();
  }
});

interface StreamResult {
  id: string;
  status: number;
  text: string;
  firstEvent: Promise<void>;
  endedAt?: number;
}

/** A streamed Messages request; `firstEvent` resolves once its first SSE event arrived (it is in flight on some config). */
function stream(id: string): { result: Promise<StreamResult>; firstEvent: Promise<void>; done: () => boolean } {
  let first!: () => void;
  const firstEvent = new Promise<void>((resolve) => (first = resolve));
  let finished = false;
  const body = JSON.stringify({ model: MODEL, max_tokens: 1024, stream: true, messages: [{ role: 'user', content: `${id} please` }] });
  const result = new Promise<StreamResult>((resolve, reject) => {
    const req = http.request(`${proxy}/claude/v1/messages`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'x-test-id': id, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        if (text.includes('event: ')) first();
      });
      res.on('end', () => {
        finished = true;
        resolve({ id, status: res.statusCode ?? 0, text, firstEvent, endedAt: Date.now() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  return { result, firstEvent, done: () => finished };
}

/** The side whose emulator received the request marked `id`. */
function emulatorOf(id: string): Side[] {
  return (['A', 'B'] as const).filter((side) => emulators[side].received.some((r) => r.body.toString('utf8').includes(`${id} please`)));
}

describe('gw sync --admin against a running gw', () => {
  it('applies configs while streams are in flight: none is cut, each is served by one config from start to end', { timeout: 90_000 }, async () => {
    emulators.A.queue(...Array.from({ length: 4 }, () => SLOW));
    emulators.B.queue(...Array.from({ length: 4 }, () => SLOW));
    const batchA = Array.from({ length: 4 }, (_, i) => stream(`stream-a${i}`));
    await Promise.all(batchA.map((s) => s.firstEvent));

    const toB = await gwCli(['sync', '-s', files.B, '--admin', admin]);
    expect(toB.code, toB.stderr).toBe(0);
    expect(toB.stdout).toContain('updating route claude  {');
    expect(toB.stdout).toMatch(/Summary:\n {2}Created: 0\n {2}Updated: 5\n {2}Deleted: 0\n$/);
    // Applied while every stream of the first batch was still running.
    expect(batchA.map((s) => s.done())).toEqual([false, false, false, false]);

    const batchB = Array.from({ length: 4 }, (_, i) => stream(`stream-b${i}`));
    await Promise.all(batchB.map((s) => s.firstEvent));
    const toA = await gwCli(['sync', '-s', files.A, '--admin', admin]);
    expect(toA.code, toA.stderr).toBe(0);
    expect(batchB.map((s) => s.done())).toEqual([false, false, false, false]);

    const results = await Promise.all([...batchA, ...batchB].map((s) => s.result));
    for (const r of results) {
      expect(r.status, r.id).toBe(200);
      expect(r.text, r.id).toContain('event: message_stop');
      expect(r.text, r.id).not.toContain('event: error');
      expect(r.text.split('event: content_block_delta').length - 1, r.id).toBe(40);
    }
    // Each stream: one emulator, one log file, one route version, and the one its batch started on.
    // file-log writes after the response, off the request path: wait for every stream's line.
    const streamLines = () => [...logOf('A'), ...logOf('B')].filter((l) => String(l.request.headers['x-test-id']).startsWith('stream-'));
    await eventually(() => streamLines().length >= results.length, 'a log line for every stream');
    const lines = { A: logOf('A'), B: logOf('B') };
    for (const r of results) {
      const side: Side = r.id.startsWith('stream-a') ? 'A' : 'B';
      expect(emulatorOf(r.id), r.id).toEqual([side]);
      const logged = (['A', 'B'] as const).flatMap((s) => lines[s].filter((l) => l.request.headers['x-test-id'] === r.id).map((l) => ({ file: s, line: l })));
      expect(logged.map((l) => l.file), r.id).toEqual([side]);
      expect(logged[0].line.route.tags).toEqual([`config-${side}`]);
      expect(logged[0].line.cut, r.id).toBeUndefined();
      expect(logged[0].line.ai.proxy.usage).toMatchObject({ completion_tokens: expect.any(Number) as number });
      expect(logged[0].line.ai.proxy.usage.completion_tokens_estimated, r.id).toBeUndefined();
      expect(logged[0].line.ai.proxy.tried_targets[0].port, r.id).toBe(emulators[side].port);
    }
    const after = await fetch(`${proxy}/plain/x`);
    expect(after.headers.get('x-served-by')).toBe('A');
  });

  it('takes 20 applies through the admin API under load with zero failed requests, none served by a mix', { timeout: 90_000 }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const failures: string[] = [];
    let served = 0;
    let stop = false;
    const get = () =>
      new Promise<void>((resolve) => {
        http
          .get(`${proxy}/plain/load`, { agent }, (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode === 200 && (res.headers['x-served-by'] === 'A' || res.headers['x-served-by'] === 'B')) served++;
              else failures.push(`status ${res.statusCode}`);
              resolve();
            });
          })
          .on('error', (error) => {
            failures.push(error.message);
            resolve();
          });
      });
    const ask = async () => {
      const answer = await fetch(`${proxy}/claude/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'load' }] }),
      }).catch((error: Error) => error);
      if (answer instanceof Error) failures.push(answer.message);
      else if (answer.status !== 200) failures.push(`ai ${answer.status}: ${await answer.text()}`);
      else {
        await answer.arrayBuffer();
        served++;
      }
    };
    const loop = async (one: () => Promise<void>) => {
      while (!stop) await one();
    };
    const workers = [...Array.from({ length: 6 }, () => loop(get)), loop(ask), loop(ask)];

    const applied: number[] = [];
    for (let i = 0; i < 20; i++) {
      const side: Side = i % 2 === 0 ? 'B' : 'A';
      const answer = await adminFetch('/config', { method: 'POST', body: config(side, true), headers: { 'content-type': 'application/yaml' } });
      applied.push(answer.status);
      await answer.arrayBuffer();
      await new Promise((r) => setTimeout(r, 40));
    }
    stop = true;
    await Promise.all(workers);
    agent.destroy();

    expect(applied).toEqual(Array.from({ length: 20 }, () => 201));
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(100);
    // Every plain request was logged by the file-log of the config whose upstream answered it.
    for (const side of ['A', 'B'] as const) {
      const loadLines = logOf(side).filter((l) => l.request.uri === '/plain/load');
      expect(loadLines.length).toBeGreaterThan(0);
      for (const l of loadLines) {
        expect(l.response.headers['x-served-by']).toBe(side);
        expect(l.route.tags).toEqual([`config-${side}`]);
      }
    }
    // The last apply was A: back where the other tests expect it.
    expect((await gwCli(['diff', '-s', files.A, '--admin', admin])).code).toBe(0);
  });

  it('gw diff prints the changes decK-style with secrets hidden and exits 2; 0 when there are none; --dry-run applies nothing', async () => {
    const hash = await runningHash();
    const same = await gwCli(['diff', '-s', files.A, '--admin', admin]);
    expect(same).toMatchObject({ code: 0, stdout: 'Summary:\n  Created: 0\n  Updated: 0\n  Deleted: 0\n' });

    const diff = await gwCli(['diff', '-s', files.B, '--admin', admin]);
    expect(diff.code).toBe(2);
    expect(diff.stdout).toContain(`updating service plain  {\n   "connect_timeout": 60000,\n   "enabled": true,\n   "host": "127.0.0.1",\n   "id": `);
    expect(diff.stdout).toContain(`-  "port": ${plain.A.port},\n+  "port": ${plain.B.port},\n`);
    expect(diff.stdout).toContain('updating plugin ai-proxy for route claude  {');
    expect(diff.stdout).toContain(`-        "upstream_url": "http://127.0.0.1:${emulators.A.port}"`);
    expect(diff.stdout).toContain('"aws_secret_access_key": "REDACTED"');
    expect(diff.stdout).toContain('updating plugin file-log (global)  {');
    expect(diff.stdout).toContain(`   "tags": [\n-    "config-A"\n+    "config-B"\n   ]`);
    expect(diff.stdout).toMatch(/Summary:\n {2}Created: 0\n {2}Updated: 5\n {2}Deleted: 0\n$/);
    for (const secret of Object.values(AWS_KEYS)) expect(diff.stdout + diff.stderr).not.toContain(secret);

    // A new route, and one gone.
    writeFileSync(join(dir, 'renamed.yaml'), config('A').replace('name: plain\n        paths', 'name: plain-2\n        paths'));
    const renamed = await gwCli(['diff', '-s', join(dir, 'renamed.yaml'), '--admin', admin]);
    expect(renamed.code).toBe(2);
    expect(renamed.stdout).toBe('creating route plain-2\ndeleting route plain\nSummary:\n  Created: 1\n  Updated: 0\n  Deleted: 1\n');

    // A consumer group is an entity of its own.
    writeFileSync(join(dir, 'grouped.yaml'), `${config('A')}consumer_groups:\n  - name: platform\n`);
    const grouped = await gwCli(['diff', '-s', join(dir, 'grouped.yaml'), '--admin', admin]);
    expect(grouped.code).toBe(2);
    expect(grouped.stdout).toBe('creating consumer_group platform\nSummary:\n  Created: 1\n  Updated: 0\n  Deleted: 0\n');

    const dry = await gwCli(['sync', '-s', files.B, '--admin', admin, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Updated: 5/);
    expect(await runningHash()).toBe(hash);
  });

  it('a secret changed only in the environment is a difference (the hashes tell), and gw sync applies it', async () => {
    const rotated = { ...env, DECK_AWS_SECRET_ACCESS_KEY: `${AWS_KEYS.secretAccessKey}-rotated` };
    const diff = await gwCli(['diff', '-s', files.A, '--admin', admin], rotated);
    expect(diff.code).toBe(2);
    expect(diff.stdout).toContain('updating values the admin API redacts (secrets): they differ from the running configuration (not shown)');
    expect(diff.stdout + diff.stderr).not.toContain(rotated.DECK_AWS_SECRET_ACCESS_KEY);
    const hash = await runningHash();
    expect((await gwCli(['sync', '-s', files.A, '--admin', admin], rotated)).code).toBe(0);
    expect(await runningHash()).not.toBe(hash);
    expect((await gwCli(['sync', '-s', files.A, '--admin', admin])).code).toBe(0);
    expect(await runningHash()).toBe(hash);
  });

  it('gw dump writes the running config as a decK file, secrets as ${{ env }} references; with them set it diffs clean', async () => {
    const out = join(dir, 'dumped.yaml');
    const dump = await gwCli(['dump', '--admin', admin, '-o', out]);
    expect(dump.code, dump.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    for (const secret of Object.values(AWS_KEYS)) expect(text).not.toContain(secret);
    const names = [...text.matchAll(/\$\{\{ env "(DECK_[A-Z0-9_]+)" \}\}/g)].map((m) => m[1]);
    expect(names.sort()).toEqual(['DECK_CLAUDE_CLAUDE_AI_PROXY_AUTH_AWS_ACCESS_KEY_ID', 'DECK_CLAUDE_CLAUDE_AI_PROXY_AUTH_AWS_SECRET_ACCESS_KEY']);
    expect(dump.stderr).toContain('2 secrets redacted by the admin API, written as environment references; set them before gw sync: DECK_CLAUDE_CLAUDE_AI_PROXY_AUTH_AWS_ACCESS_KEY_ID, DECK_CLAUDE_CLAUDE_AI_PROXY_AUTH_AWS_SECRET_ACCESS_KEY');
    const unset = await gwCli(['diff', '-s', out, '--admin', admin]);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain("environment variable 'DECK_CLAUDE_CLAUDE_AI_PROXY_AUTH_AWS_ACCESS_KEY_ID' present in state file but not set");
    const roundTrip = await gwCli(['diff', '-s', out, '--admin', admin], { ...env, DECK_CLAUDE_CLAUDE_AI_PROXY_AUTH_AWS_ACCESS_KEY_ID: AWS_KEYS.accessKeyId, DECK_CLAUDE_CLAUDE_AI_PROXY_AUTH_AWS_SECRET_ACCESS_KEY: AWS_KEYS.secretAccessKey });
    expect(roundTrip).toMatchObject({ code: 0, stdout: 'Summary:\n  Created: 0\n  Updated: 0\n  Deleted: 0\n' });
    expect((await gwCli(['dump', '--admin', admin, '-o', out])).stderr).toMatch(/exists: pass --yes to overwrite it/);
  });

  it('a bad config is refused with every problem, locally or by the server, and the running one keeps serving', async () => {
    const hash = await runningHash();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, config('B').replace('paths: [/plain]', 'paths: [plain]').replace('provider: bedrock', 'provider: nowhere'));
    const local = await gwCli(['sync', '-s', bad, '--admin', admin]);
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(new RegExp(`${bad}:\\d+:\\d+ services\\[0\\]\\.routes\\[0\\]\\.plugins\\[0\\]\\.config\\.model\\.provider: `));
    expect(local.stderr).toMatch(new RegExp(`${bad}:\\d+:\\d+ services\\[1\\]\\.routes\\[0\\]\\.paths\\[0\\]: must start with "/" or "~/"`));
    expect(local.stderr).toMatch(/invalid: 2 problems in /);

    // Valid here, refused there: a vault reference only this machine's environment resolves.
    const vaulted = join(dir, 'vaulted.yaml');
    writeFileSync(vaulted, config('B').replace(`path: ${join(dir, 'config-B.log')}`, 'path: "{vault://env/gw-test-log-path}"'));
    const refused = await gwCli(['sync', '-s', vaulted, '--admin', admin], { ...env, GW_TEST_LOG_PATH: join(dir, 'vaulted.log') });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^config:\d+:\d+ plugins\[0\]\.config\.path: no value found \(environment variable 'GW_TEST_LOG_PATH' is not set\)$/m);
    expect(refused.stderr).toContain('refused the configuration (400): 1 problem; the running configuration is unchanged');

    expect(await runningHash()).toBe(hash);
    const served = await fetch(`${proxy}/plain/x`);
    expect(served.headers.get('x-served-by')).toBe('A');
    expect(gw.output()).toMatch(/admin API: configuration refused: 1 problem; the previous configuration keeps serving/);
  });

  it("accepts the DB-less /config request from Kong's docs as is: curl -F config=@file ?check_hash=1", async () => {
    // `curl -sS http://localhost:8001/config?check_hash=1 -F 'config=@./kong_backup.yaml'`, with the file `kong config init` writes.
    const curl = fixtureText('kong/dbless/backup-and-restore.curl.txt');
    const url = new URL(/curl -sS (\S+)/.exec(curl)![1]);
    const [, field, file] = /-F '(\w+)=@([^']+)'/.exec(curl)!;
    const send = async () => {
      const form = new FormData();
      form.set(field, new Blob([fixtureText('kong/dbless/kong.yml')]), file.replace(/^\.\//, ''));
      const answer = await adminFetch(`${url.pathname}${url.search}`, { method: 'POST', body: form });
      return { status: answer.status, body: await answer.text() };
    };
    const first = await send();
    expect(first.status, first.body).toBe(201);
    expect(JSON.parse(first.body)).toMatchObject({ services: {}, routes: {}, plugins: {} });
    // The same file again: Kong's check_hash answers 304 and applies nothing.
    expect((await send()).status).toBe(304);
    expect((await fetch(`${proxy}/plain/x`)).status).toBe(404);
    expect((await gwCli(['sync', '-s', files.A, '--admin', admin])).code).toBe(0);
    expect((await fetch(`${proxy}/plain/x`)).headers.get('x-served-by')).toBe('A');
  });

  it('wants the token: the client says so, and gw start refuses an admin API off loopback without one', async () => {
    const { GW_ADMIN_TOKEN: _token, ...noToken } = env;
    const missing = await gwCli(['diff', '-s', files.A, '--admin', admin], noToken);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`the admin API at ${admin} wants a token (401): pass --admin-token or set GW_ADMIN_TOKEN`);
    const wrong = await gwCli(['diff', '-s', files.A, '--admin', admin, '--admin-token', 'not-the-token'], noToken);
    expect(wrong.stderr).toContain('(the one given was refused)');
    for (const headers of [{}, { 'kong-admin-token': 'nope' }, { authorization: 'Bearer nope' }] as Record<string, string>[]) {
      expect((await fetch(`${admin}/config`, { headers })).status).toBe(401);
    }
    expect((await fetch(`${admin}/config`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);

    // A documentation address (TEST-NET-1) this machine doesn't have: nothing listens beyond loopback.
    const open = await gwCli(['start', '-s', files.A, '--port', '0', '--admin-listen', '192.0.2.1:0'], noToken);
    expect(open.code).toBe(1);
    expect(open.stderr).toBe('gw: error: the admin API would listen on 192.0.2.1, which other machines can reach, without a token: set --admin-token or GW_ADMIN_TOKEN, or listen on 127.0.0.1\n');
    const withToken = await gwCli(['start', '-s', files.A, '--port', '0', '--admin-listen', '192.0.2.1:0']);
    expect(withToken.code).toBe(1);
    expect(withToken.stderr).toMatch(/EADDRNOTAVAIL/);
    expect(existsSync(join(dir, 'config-A.log'))).toBe(true);
  });
});
