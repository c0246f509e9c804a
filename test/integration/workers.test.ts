/**
 * `gw start --workers 2` as an operator runs it: the built gw, two plain upstreams (A and B), the Bedrock
 * emulator behind ai-proxy, file-log and prometheus, the status listener and the admin API. Two configs, A
 * and B, differ in where everything goes (upstream, emulator, log file, route tag), so a request served by
 * a mix of configs shows up as a disagreement. Requests go out on new connections (agent: false), which
 * node:cluster hands to the workers in turn: both serve, and /status tells each one's count.
 */
import http from 'node:http';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { repoRoot, runGw, spawnGw, type GwProcess } from '../../packages/cli/test/support/gw-process.js';
import { AWS_KEYS, MODEL } from './support/bedrock.js';
import { eventually, readLogLines, tempDir, type LogLine } from './support/gateway.js';

type Side = 'A' | 'B';
const ADMIN_TOKEN = 'gw-admin-token-workers-8Hq2m';
const env = { DECK_AWS_ACCESS_KEY_ID: AWS_KEYS.accessKeyId, DECK_AWS_SECRET_ACCESS_KEY: AWS_KEYS.secretAccessKey, GW_ADMIN_TOKEN: ADMIN_TOKEN };
/** Long enough to be in flight across a reload (a config load in every worker). */
const SLOW = { name: 'slow' as const, delayMs: 100, text: Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ') };

let dir: string;
let gw: GwProcess;
let proxy: string;
let status: string;
let admin: string;
const emulators = {} as Record<Side, Emulator>;
const plain = {} as Record<Side, { port: number; close(): Promise<void> }>;

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

/** Config A or B; `extra` is appended to the top-level plugins; `literal`: keys written in (POST /config substitutes nothing). */
function config(side: Side, { literal = false, extra = '' } = {}): string {
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
  - name: prometheus
    config: { status_code_metrics: true }
${extra}`;
}

const gwCli = (args: string[]) => runGw(args, { env, cwd: dir });
const adminFetch = (path: string, init: RequestInit = {}) => fetch(`${admin}${path}`, { ...init, headers: { 'kong-admin-token': ADMIN_TOKEN, ...(init.headers as Record<string, string> | undefined) } });
const logOf = (side: Side): LogLine[] => readLogLines(join(dir, `config-${side}.log`));

interface WorkerStatus {
  id: number;
  pid: number;
  server: { total_requests: number };
  configuration_hash: string;
  plugins?: { picky?: { worker: string; loaded: number } };
}
interface Status {
  server: { total_requests: number; requests_in_flight: number; connections_accepted: number };
  configuration_hash: string;
  plugins?: { picky?: { worker: string; loaded: number } };
  workers: WorkerStatus[];
}
const readStatus = async () => (await (await fetch(`${status}/status`)).json()) as Status;

/** GET /plain/<id> on a new connection; the upstream that answered. */
function getPlain(id: string, headers: Record<string, string> = {}): Promise<{ status: number; servedBy: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${proxy}/plain/${id}`, { agent: false, headers: { 'x-test-id': id, ...headers } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, servedBy: res.headers['x-served-by'] as string | undefined }));
      })
      .on('error', reject);
  });
}

interface StreamResult {
  id: string;
  status: number;
  text: string;
}

/** A streamed Messages request on a connection of its own; `firstEvent` resolves once it is in flight. */
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
        resolve({ id, status: res.statusCode ?? 0, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  return { result, firstEvent, done: () => finished };
}

/** `n` streams in flight on side `side`'s emulator (queued slow), spread over the workers. */
async function streamsInFlight(side: Side, prefix: string, n = 4) {
  emulators[side].queue(...Array.from({ length: n }, () => SLOW));
  const streams = Array.from({ length: n }, (_, i) => stream(`${prefix}${i}`));
  await Promise.all(streams.map((s) => s.firstEvent));
  return streams;
}

/** Every stream whole (none cut), served by `side`'s emulator and logged once, in `side`'s log, uncut. */
async function expectWholeOn(side: Side, streams: ReturnType<typeof stream>[]) {
  const results = await Promise.all(streams.map((s) => s.result));
  for (const r of results) {
    expect(r.status, r.id).toBe(200);
    expect(r.text, r.id).toContain('event: message_stop');
    expect(r.text, r.id).not.toContain('event: error');
    expect(r.text.split('event: content_block_delta').length - 1, r.id).toBe(30);
    expect((['A', 'B'] as const).filter((s) => emulators[s].received.some((q) => q.body.toString('utf8').includes(`${r.id} please`))), r.id).toEqual([side]);
  }
  const linesOf = (s: Side, id: string) => logOf(s).filter((l) => l.request.headers['x-test-id'] === id);
  await eventually(() => results.every((r) => linesOf(side, r.id).length === 1), 'a log line for every stream');
  for (const r of results) {
    expect(linesOf(side === 'A' ? 'B' : 'A', r.id), r.id).toEqual([]);
    const [line] = linesOf(side, r.id);
    expect(line.route.tags).toEqual([`config-${side}`]);
    expect(line.cut, r.id).toBeUndefined();
  }
}

/** `n` plain requests on new connections: every one answered by `side`; both workers served some. */
async function expectServedBy(side: Side, prefix: string, n = 12) {
  const before = await readStatus();
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => getPlain(`${prefix}${i}`)));
  expect(answers.map((a) => `${a.status} ${a.servedBy}`)).toEqual(answers.map(() => `200 ${side}`));
  const after = await readStatus();
  expect(after.workers).toHaveLength(2);
  for (const w of after.workers) {
    const earlier = before.workers.find((b) => b.pid === w.pid)?.server.total_requests ?? 0;
    expect(w.server.total_requests - earlier, `worker ${w.id}`).toBeGreaterThan(0);
    expect(w.configuration_hash).toBe(after.configuration_hash);
  }
}

beforeAll(async () => {
  dir = tempDir('gw-workers-');
  for (const side of ['A', 'B'] as const) {
    emulators[side] = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    plain[side] = await startPlain(side);
  }
  writeFileSync(join(dir, 'kong.yaml'), config('A'));
  // A plugin that can't start on worker 2 only: a config with it must change no worker.
  writeFileSync(
    join(dir, 'picky.mjs'),
    `import { appendFileSync } from 'node:fs';
export default {
  name: 'picky', version: '1.0.0', priority: 1,
  configSchema: { type: 'object', properties: { refuse_on: { type: 'string' } }, required: ['refuse_on'] },
  init(config) {
    const me = process.env.GW_WORKER_ID;
    if (me === config.refuse_on) throw new Error('picky cannot start on worker ' + me);
    appendFileSync(${JSON.stringify(join(dir, 'picky.events'))}, 'init ' + me + '\\n');
    return { me };
  },
  close(state) { appendFileSync(${JSON.stringify(join(dir, 'picky.events'))}, 'close ' + state.me + '\\n'); },
  status() { return { values: { worker: process.env.GW_WORKER_ID, loaded: 1 } }; },
};
`,
  );
  gw = spawnGw(['start', '-s', 'kong.yaml', '--port', '0', '--workers', '2', '--status-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--plugins', 'bundled,./picky.mjs', '--drain-timeout', '20000'], { env, cwd: dir });
  proxy = (await gw.waitFor(/gw listening on (http:\/\/127\.0\.0\.1:\d+) \(2 routes, 3 plugins; 2 workers\)/))[1];
  status = `${(await gw.waitFor(/gw status on (http:\/\/127\.0\.0\.1:\d+)\/status/))[1]}`;
  admin = (await gw.waitFor(/gw admin API on (http:\/\/127\.0\.0\.1:\d+)/))[1];
}, 60_000);

afterAll(async () => {
  if (gw.child.exitCode === null) await gw.stop();
  for (const side of ['A', 'B'] as const) {
    await emulators[side]?.close();
    await plain[side]?.close();
  }
});

describe('gw start --workers 2', () => {
  it('serves on both workers; /status and /metrics add their counters up to the requests sent', async () => {
    await expectServedBy('A', 'count-', 20);
    const s = await readStatus();
    expect(new Set(s.workers.map((w) => w.pid)).size).toBe(2);
    expect(s.workers.map((w) => w.id).sort()).toEqual([1, 2]);
    expect(s.server.total_requests).toBe(20);
    expect(s.workers.reduce((sum, w) => sum + w.server.total_requests, 0)).toBe(20);
    // A plugin's numbers are summed; what is not a number is each worker's own, under its entry.
    expect(s.plugins?.picky?.loaded).toBe(2);
    expect(s.workers.map((w) => [w.id, w.plugins?.picky]).sort()).toEqual([
      [1, { worker: '1', loaded: 1 }],
      [2, { worker: '2', loaded: 1 }],
    ]);
    const { pids } = (await (await adminFetch('/')).json()) as { pids: { master: number; workers: number[] } };
    expect(pids.master).toBe(gw.child.pid);
    expect([...pids.workers].sort()).toEqual(s.workers.map((w) => w.pid).sort());

    const metrics = await (await fetch(`${status}/metrics`)).text();
    expect(metrics).toContain('kong_http_requests_total{service="plain",route="plain",code="200",source="service",workspace="default",consumer=""} 20\n');
    expect(metrics).toMatch(/^kong_nginx_requests_total\{node_id="[0-9a-f-]+",subsystem="http"\} 20$/m);
    // One node, one config: these are not summed over the workers.
    expect(metrics).toMatch(/^kong_node_info\{node_id="[0-9a-f-]+",version="[^"]+"\} 1$/m);
    // Each worker's heap under its own pid, as Kong shows its workers.
    for (const w of s.workers) expect(metrics).toMatch(new RegExp(`^kong_memory_workers_lua_vms_bytes\\{node_id="[0-9a-f-]+",pid="${w.pid}",kong_subsystem="http"\\} \\d+$`, 'm'));
    expect((await fetch(`${status}/status/ready`)).status).toBe(200);
  });

  it('gw sync --admin applies B to every worker while streams on A are in flight: none cut, each on one config', { timeout: 60_000 }, async () => {
    const streams = await streamsInFlight('A', 'sync-a');
    writeFileSync(join(dir, 'B.yaml'), config('B'));
    const sync = await gwCli(['sync', '-s', 'B.yaml', '--admin', admin]);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/Summary:\n {2}Created: 0\n {2}Updated: \d+\n {2}Deleted: 0\n$/);
    expect(streams.map((s) => s.done())).toEqual([false, false, false, false]);
    await expectServedBy('B', 'after-sync-');
    await expectWholeOn('A', streams);
  });

  it('replaces a SIGKILLed worker, and the new one serves the config its sibling serves (B, from the admin API)', { timeout: 60_000 }, async () => {
    const before = await readStatus();
    const victim = before.workers[0];
    const from = gw.output().length;
    process.kill(victim.pid, 'SIGKILL');
    await gw.waitFor(new RegExp(`worker ${victim.id} \\(pid ${victim.pid}\\) was killed by SIGKILL; starting another`), from);
    await gw.waitFor(new RegExp(`worker ${victim.id} \\(pid \\d+\\) started in place of the one that exited`), from);
    const after = await readStatus();
    expect(after.workers.map((w) => w.id).sort()).toEqual([1, 2]);
    expect(after.workers.map((w) => w.pid)).not.toContain(victim.pid);
    expect(after.configuration_hash).toBe(before.configuration_hash);
    await expectServedBy('B', 'after-kill-');
  });

  it('SIGHUP reloads the files on every worker with streams in flight on B: none cut; then A serves', { timeout: 60_000 }, async () => {
    const streams = await streamsInFlight('B', 'hup-b');
    const from = gw.output().length;
    gw.child.kill('SIGHUP');
    await gw.waitFor(/\[info\] reloaded kong\.yaml \(2 routes, 3 plugins\)/, from);
    expect(streams.map((s) => s.done())).toEqual([false, false, false, false]);
    await expectServedBy('A', 'after-hup-');
    await expectWholeOn('B', streams);
  });

  it('a config one worker cannot start changes no worker: the other one started and closed it, the old one serves', async () => {
    const hash = (await readStatus()).configuration_hash;
    const answer = await adminFetch('/config', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: config('B', { literal: true, extra: '  - name: picky\n    config: { refuse_on: "2" }\n' }) });
    const body = (await answer.json()) as { message: string };
    expect(answer.status).toBe(400);
    expect(body.message).toMatch(/^declarative config could not be applied: worker 2: .*picky cannot start on worker 2/);
    expect(readFileSync(join(dir, 'picky.events'), 'utf8').split('\n').filter(Boolean)).toEqual(['init 1', 'close 1']);
    expect((await readStatus()).configuration_hash).toBe(hash);
    await expectServedBy('A', 'after-refusal-');
  });

  it('file-log stays whole across workers: every request logged exactly once, no line torn; SIGUSR1 reopens in every worker', { timeout: 90_000 }, async () => {
    // Lines longer than a pipe's atomic write (4 KiB): a regular file's O_APPEND write is atomic whatever the size.
    const padding = 'x'.repeat(6_000);
    const ids = Array.from({ length: 600 }, (_, i) => `many-${i}`);
    for (let i = 0; i < ids.length; i += 30) await Promise.all(ids.slice(i, i + 30).map((id) => getPlain(id, { 'x-padding': padding })));
    const logged = () => {
      const text = readFileSync(join(dir, 'config-A.log'), 'utf8');
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine);
    };
    await eventually(() => logged().filter((l) => String(l.request.headers['x-test-id']).startsWith('many-')).length >= ids.length, 'every line');
    const counts = new Map<string, number>();
    for (const line of logged()) counts.set(line.request.headers['x-test-id'] as string, (counts.get(line.request.headers['x-test-id'] as string) ?? 0) + 1);
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);

    // logrotate's move, then SIGUSR1: every worker opens the path again.
    renameSync(join(dir, 'config-A.log'), join(dir, 'config-A.log.1'));
    const from = gw.output().length;
    gw.child.kill('SIGUSR1');
    await gw.waitFor(/\[info\] reopened log files/, from);
    await expectServedBy('A', 'rotated-');
    await eventually(() => existsSync(join(dir, 'config-A.log')) && logOf('A').length === 12, 'the lines after the rotation');
    expect(logOf('A').map((l) => l.request.headers['x-test-id']).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `rotated-${i}`).sort());
    expect(readLogLines(join(dir, 'config-A.log.1')).filter((l) => String(l.request.headers['x-test-id']).startsWith('rotated-'))).toEqual([]);
  });

  it('takes 10 admin applies under load with zero failed requests, each answered by one config on both workers', { timeout: 90_000 }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const failures: string[] = [];
    const servedBy = { A: 0, B: 0 };
    let stop = false;
    const get = () =>
      new Promise<void>((resolve) => {
        http
          .get(`${proxy}/plain/load`, { agent }, (res) => {
            res.resume();
            res.on('end', () => {
              const side = res.headers['x-served-by'];
              if (res.statusCode === 200 && (side === 'A' || side === 'B')) servedBy[side]++;
              else failures.push(`status ${res.statusCode}`);
              resolve();
            });
          })
          .on('error', (error) => {
            failures.push(error.message);
            resolve();
          });
      });
    const loops = Array.from({ length: 8 }, async () => {
      while (!stop) await get();
    });
    const applied: number[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await adminFetch('/config', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: config(i % 2 === 0 ? 'B' : 'A', { literal: true }) });
      applied.push(answer.status);
      await answer.arrayBuffer();
      await new Promise((r) => setTimeout(r, 50));
    }
    stop = true;
    await Promise.all(loops);
    agent.destroy();
    expect(applied).toEqual(Array.from({ length: 10 }, () => 201));
    expect(failures).toEqual([]);
    expect(servedBy.A).toBeGreaterThan(0);
    expect(servedBy.B).toBeGreaterThan(0);
    // Every request was logged by the file-log of the config whose upstream answered it.
    await eventually(() => [...logOf('A'), ...logOf('B')].filter((l) => l.request.uri === '/plain/load').length >= servedBy.A + servedBy.B, 'every load line');
    for (const side of ['A', 'B'] as const) {
      for (const l of logOf(side).filter((line) => line.request.uri === '/plain/load')) {
        expect(l.response.headers['x-served-by']).toBe(side);
        expect(l.route.tags).toEqual([`config-${side}`]);
      }
    }
    await expectServedBy('A', 'after-load-');
  });

  it('SIGTERM drains: not ready, streams in flight finish, every worker and the primary exit 0', { timeout: 60_000 }, async () => {
    const streams = await streamsInFlight('A', 'drain-a');
    const from = gw.output().length;
    gw.child.kill('SIGTERM');
    await gw.waitFor(/SIGTERM: draining 2 workers \(up to 20000 ms\)/, from);
    expect((await fetch(`${status}/status/ready`)).status).toBe(503);
    expect(await gw.exited).toBe(0);
    expect(gw.output().slice(from)).toMatch(/worker 1: asked by the primary: draining \d in-flight requests?[\s\S]*gw stopped/);
    await expectWholeOn('A', streams);
  });
});

describe('gw start --workers 2 --ssl-listen', () => {
  it('SIGHUP gives every worker the new certificate, read once by the primary; a pair that does not match is refused and the old one serves', { timeout: 60_000 }, async () => {
    const fixtures = join(repoRoot, 'packages/core/test/fixtures/tls');
    const tlsDir = tempDir('gw-workers-tls-');
    const certFile = join(tlsDir, 'cert.pem');
    const keyFile = join(tlsDir, 'key.pem');
    const install = (cert: string, key: string) => {
      writeFileSync(certFile, readFileSync(join(fixtures, cert)));
      writeFileSync(keyFile, readFileSync(join(fixtures, key)));
    };
    install('cert.pem', 'key.pem');
    writeFileSync(join(tlsDir, 'kong.yaml'), `_format_version: "3.0"\nservices:\n  - name: plain\n    url: http://127.0.0.1:${plain.A.port}\n    routes:\n      - name: plain\n        paths: [/plain]\n`);
    const secure = spawnGw(['start', '-s', 'kong.yaml', '--port', '0', '--workers', '2', '--ssl-listen', '127.0.0.1:0', '--ssl-cert', certFile, '--ssl-cert-key', keyFile], { cwd: tlsDir });
    try {
      const port = Number((await secure.waitFor(/gw listening on https:\/\/127\.0\.0\.1:(\d+) \(TLS\)/))[1]);
      /** The certificates six new connections are shown (node:cluster hands them to both workers). */
      const presented = () =>
        Promise.all(
          Array.from({ length: 6 }, () =>
            new Promise<string>((resolve, reject) => {
              const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
                resolve(socket.getPeerX509Certificate()!.fingerprint256);
                socket.end();
              });
              socket.on('error', reject);
            }),
          ),
        ).then((all) => [...new Set(all)]);
      const fingerprint = (file: string) => new X509Certificate(readFileSync(join(fixtures, file))).fingerprint256;
      expect(await presented()).toEqual([fingerprint('cert.pem')]);

      install('cert2.pem', 'key2.pem');
      let mark = secure.output().length;
      secure.child.kill('SIGHUP');
      await secure.waitFor(/\[info\] reloaded the TLS certificate/, mark);
      expect(await presented()).toEqual([fingerprint('cert2.pem')]);

      install('cert.pem', 'key2.pem');
      mark = secure.output().length;
      secure.child.kill('SIGHUP');
      await secure.waitFor(/\[error\] TLS certificate not reloaded: .*; the previous one keeps serving/, mark);
      expect(secure.output()).not.toContain('PRIVATE KEY');
      expect(await presented()).toEqual([fingerprint('cert2.pem')]);
    } finally {
      expect(await secure.stop()).toBe(0);
    }
  });
});

describe('gw start --workers 2 when a worker cannot start', () => {
  it('stops the start: exit 1 naming the worker and why (the same config would fail the next one too)', { timeout: 60_000 }, async () => {
    writeFileSync(join(dir, 'refused.yaml'), config('A', { extra: '  - name: picky\n    config: { refuse_on: "2" }\n' }));
    const { GW_ADMIN_TOKEN: _token, ...noToken } = env;
    const started = await runGw(['start', '-s', 'refused.yaml', '--port', '0', '--workers', '2', '--plugins', 'bundled,./picky.mjs'], { env: noToken, cwd: dir });
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(/^gw: error: worker 2 could not start: .*picky cannot start on worker 2/m);
    expect(started.stdout).not.toContain('gw listening');
  });
});
