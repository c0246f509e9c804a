import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { repoRoot, runGw, spawnGw, type GwProcess } from './support/gw-process.js';
import { startEchoUpstream, type EchoUpstream } from './support/echo-upstream.js';

let dir: string;
let upstream: EchoUpstream;
let gw: GwProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gw-cli-start-'));
  upstream = await startEchoUpstream();
});
afterEach(async () => {
  upstream.release();
  await gw?.stop();
  gw = undefined;
});
afterAll(async () => {
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A config with one service (the echo upstream) and one route per path; optionally a global file-log. */
function writeConfig(name: string, paths: string[], logPath?: string): string {
  const lines = ['_format_version: "3.0"', 'services:', '  - name: echo', '    url: ${{ env "DECK_UPSTREAM" }}', '    routes:'];
  for (const p of paths) lines.push(`      - name: r${p.replace(/\W/g, '-')}`, `        paths: [${p}]`);
  if (logPath) lines.push('plugins:', '  - name: file-log', `    config: { path: ${JSON.stringify(logPath)} }`);
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function startGw(file: string, extra: string[] = []): Promise<string> {
  gw = spawnGw(['start', '-s', file, '--port', '0', '--host', '127.0.0.1', ...extra], { env: { DECK_UPSTREAM: upstream.url } });
  return (await gw.waitFor(/gw listening on (http:\/\/127\.0\.0\.1:\d+) \((\d+) routes?, (\d+) plugins?\)/))[1];
}

describe('gw start', () => {
  it('serves the config and proxies to the upstream', async () => {
    const url = await startGw(writeConfig('serve.yaml', ['/a', '/b']));
    expect(gw!.output()).toContain('(2 routes, 0 plugins)');
    const response = await fetch(`${url}/a/hello?x=1`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { url: string }).url).toBe('/hello?x=1');
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
  });

  it('serves a config read from standard input (-s -), and reloads that text on SIGHUP', async () => {
    const yaml = ['_format_version: "3.0"', 'services:', '  - name: echo', '    url: ${{ env "DECK_UPSTREAM" }}', '    routes:', '      - name: r', '        paths: [/in]', ''].join('\n');
    gw = spawnGw(['start', '-s', '-', '--port', '0', '--host', '127.0.0.1'], { env: { DECK_UPSTREAM: upstream.url }, input: yaml });
    const url = (await gw.waitFor(/gw listening on (http:\/\/127\.0\.0\.1:\d+) \(1 route, 0 plugins\)/))[1];
    expect((await fetch(`${url}/in/x`)).status).toBe(200);
    const mark = gw.output().length;
    gw.child.kill('SIGHUP');
    await gw.waitFor(/\[info\] reloaded - \(1 route, 0 plugins\)/, mark);
    expect((await fetch(`${url}/in/x`)).status).toBe(200);
  });

  it('reloads the files on SIGHUP', async () => {
    const file = writeConfig('reload.yaml', ['/old']);
    const url = await startGw(file);
    expect((await fetch(`${url}/old`)).status).toBe(200);

    writeConfig('reload.yaml', ['/new', '/newer']);
    const mark = gw!.output().length;
    gw!.child.kill('SIGHUP');
    await gw!.waitFor(/\[info\] reloaded .*reload\.yaml \(2 routes, 0 plugins\)/, mark);
    expect((await fetch(`${url}/new`)).status).toBe(200);
    expect((await fetch(`${url}/old`)).status).toBe(404);
  });

  it('keeps the running config when the new file is invalid', async () => {
    const file = writeConfig('broken.yaml', ['/kept']);
    const url = await startGw(file);

    writeFileSync(file, '_format_version: "3.0"\nservices:\n  - name: echo\n    url: 42\n');
    const mark = gw!.output().length;
    gw!.child.kill('SIGHUP');
    await gw!.waitFor(/\[error\] reload failed: 1 problem; the previous configuration keeps serving/, mark);
    expect(gw!.output().slice(mark)).toMatch(/broken\.yaml:4:10 services\[0\]\.url: /);
    expect((await fetch(`${url}/kept`)).status).toBe(200);
    expect(gw!.child.exitCode).toBe(null);
  });

  it('lets an in-flight request finish on SIGTERM, then exits 0', async () => {
    const url = await startGw(writeConfig('drain.yaml', ['/x']), ['--drain-timeout', '60000']);
    const held = upstream.nextHeld();
    const pending = fetch(`${url}/x/hold/slow`);
    await held;

    const mark = gw!.output().length;
    gw!.child.kill('SIGTERM');
    await gw!.waitFor(/SIGTERM: draining 1 in-flight request/, mark);
    expect(gw!.child.exitCode).toBe(null);
    upstream.release();

    const response = await pending;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { url: string }).url).toBe('/hold/slow');
    expect(await gw!.exited).toBe(0);
    expect(gw!.output()).toContain('gw stopped');
  });

  it('drains without waiting on a client that stopped sending its body: --client-body-timeout answers it 408', async () => {
    const url = await startGw(writeConfig('body-timeout.yaml', ['/x']), ['--client-body-timeout', '500', '--drain-timeout', '60000']);
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('error', () => {});
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    // Announces 100 bytes, sends 10, then nothing.
    socket.write('POST /x/upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\n0123456789');
    await sleep(100);
    const mark = gw!.output().length;
    gw!.child.kill('SIGTERM');
    await gw!.waitFor(/SIGTERM: draining 1 in-flight request \(up to 60000 ms\)/, mark);
    // The drain ends when the body times out, not after the 60 s drain timeout.
    expect(await gw!.exited).toBe(0);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('{"message":"Request timeout"}');
    socket.destroy();
    const bad = await runGw(['start', '-s', writeConfig('body-timeout-bad.yaml', ['/a']), '--client-body-timeout', '1m'], { env: { DECK_UPSTREAM: upstream.url } });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/client body timeout must be an integer/);
  });

  it('exits once the last request is done, whatever connections are left open: idle, silent, mid-head, pooled', async () => {
    const log = path.join(dir, 'exit.log');
    const url = await startGw(writeConfig('exit.yaml', ['/x'], log), ['--drain-timeout', '60000', '--status-listen', '127.0.0.1:0', '--idle-gc', '50']);
    const statusUrl = (await gw!.waitFor(/gw status on (http:\/\/127\.0\.0\.1:\d+)\/status/))[1];
    const port = Number(new URL(url).port);
    // A keep-alive client on each listener (the upstream connection stays pooled), a connection that
    // never sends a request (a load balancer's preconnect), and one that stops in the middle of its head.
    const agent = new http.Agent({ keepAlive: true });
    const get = (target: string) =>
      new Promise<number>((resolve, reject) => {
        http.get(target, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
    expect(await get(`${url}/x/a`)).toBe(200);
    expect(await get(`${statusUrl}/status`)).toBe(200);
    const open = (text: string) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(text);
      return socket;
    };
    const sockets = [open(''), open('GET /x/b HTTP/1.1\r\nHost: gw\r\n')];
    await sleep(100);
    const mark = gw!.output().length;
    gw!.child.kill('SIGTERM');
    await gw!.waitFor(/gw stopped/, mark);
    // No kill needed, and no waiting for the 60 s drain timeout or a client to hang up.
    const exited = await Promise.race([gw!.exited, sleep(5_000).then(() => 'still running')]);
    expect(exited).toBe(0);
    agent.destroy();
    for (const socket of sockets) socket.destroy();
  });

  it('drops header names with underscores unless --underscores-in-headers or GW_UNDERSCORES_IN_HEADERS=on', async () => {
    const file = writeConfig('underscores.yaml', ['/u']);
    const seen = async () => {
      const response = await fetch(`${await url}/u/x`, { headers: { x_trace_id: 'abc', 'x-kept': 'yes' } });
      return ((await response.json()) as { headers: Record<string, string> }).headers;
    };
    let url = startGw(file);
    expect(await seen()).toMatchObject({ 'x-kept': 'yes' });
    expect((await seen()).x_trace_id).toBeUndefined();
    await gw!.stop();
    url = startGw(file, ['--underscores-in-headers']);
    expect((await seen()).x_trace_id).toBe('abc');
    await gw!.stop();
    gw = spawnGw(['start', '-s', file, '--port', '0', '--host', '127.0.0.1'], { env: { DECK_UPSTREAM: upstream.url, GW_UNDERSCORES_IN_HEADERS: 'on' } });
    url = gw.waitFor(/gw listening on (http:\/\/127\.0\.0\.1:\d+)/).then((m) => m[1]);
    expect((await seen()).x_trace_id).toBe('abc');
  });

  it('reopens log files on SIGUSR1 (log rotation)', async () => {
    const log = path.join(dir, 'access.log');
    const url = await startGw(writeConfig('rotate.yaml', ['/a'], log));
    const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
    // file-log writes after the response: wait (bounded) for the line to land.
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 500 && !done(); i++) await sleep(10);
    };

    await (await fetch(`${url}/a/first`)).text();
    await until(() => lines(log).length === 1);
    renameSync(log, `${log}.1`);

    const mark = gw!.output().length;
    gw!.child.kill('SIGUSR1');
    await gw!.waitFor(/\[info\] reopened log files/, mark);
    await (await fetch(`${url}/a/second`)).text();
    await until(() => lines(log).length === 1);

    expect(lines(`${log}.1`).map((l) => (JSON.parse(l) as { upstream_uri: string }).upstream_uri)).toEqual(['/first']);
    expect(lines(log).map((l) => (JSON.parse(l) as { upstream_uri: string }).upstream_uri)).toEqual(['/second']);
  });

  it("writes a relative file-log path beside the config file, wherever gw was started from", async () => {
    const sub = path.join(dir, 'relative-config');
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'kong.yaml'), readFileSync(writeConfig('relative-log.yaml', ['/a'], 'relative.json'), 'utf8'));
    // Started from the config folder's parent, with the folder in the path (`-s relative-config/kong.yaml`).
    gw = spawnGw(['start', '-s', 'relative-config/kong.yaml', '--port', '0', '--host', '127.0.0.1'], { env: { DECK_UPSTREAM: upstream.url }, cwd: dir });
    const url = (await gw.waitFor(/listening on (\S+)/))[1];
    await (await fetch(`${url}/a/x`)).text();
    const log = path.join(sub, 'relative.json');
    // file-log opens the file, then writes the line: wait for the line, not for the file.
    const logged = () => existsSync(log) && readFileSync(log, 'utf8').includes('"upstream_uri":"/x"');
    for (let i = 0; i < 500 && !logged(); i++) await sleep(10);
    expect(readFileSync(log, 'utf8')).toContain('"upstream_uri":"/x"');
  });

  it('does not start on an invalid file', async () => {
    const file = path.join(dir, 'invalid.yaml');
    writeFileSync(file, '_format_version: "3.0"\nroutes:\n  - name: a\n    paths: [a]\n');
    const result = await runGw(['start', '-s', file, '--port', '0', '--host', '127.0.0.1']);
    expect(result.stderr).toBe(`${file}:4:13 routes[0].paths[0]: must start with "/" or "~/"\ninvalid: 1 problem in ${file}\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
  });

  it('reports a busy port in one line, and with a stack under --debug', async () => {
    const file = writeConfig('busy.yaml', ['/a']);
    const url = await startGw(file);
    const port = new URL(url).port;
    const plain = await runGw(['start', '-s', file, '--port', port, '--host', '127.0.0.1'], { env: { DECK_UPSTREAM: upstream.url } });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^gw: error: .*EADDRINUSE.* \(run with --debug for details\)\n$/);
    const debug = await runGw(['start', '-s', file, '--port', port, '--host', '127.0.0.1', '--debug'], { env: { DECK_UPSTREAM: upstream.url } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/EADDRINUSE[\s\S]*\n\s+at /);
  });

  it('serves /status and /status/ready on --status-listen, separately from proxy traffic', async () => {
    const url = await startGw(writeConfig('status.yaml', ['/a']), ['--status-listen', '127.0.0.1:0']);
    const statusUrl = (await gw!.waitFor(/gw status on (http:\/\/127\.0\.0\.1:\d+)\/status/))[1];
    expect((await fetch(`${url}/a/x`)).status).toBe(200);
    const status = (await (await fetch(`${statusUrl}/status`)).json()) as { server: { total_requests: number } };
    expect(status.server.total_requests).toBe(1);
    expect(await (await fetch(`${statusUrl}/status/ready`)).json()).toEqual({ message: 'ready' });
    // The proxy listener has no status endpoint: /status there is an ordinary (unrouted) path.
    expect((await fetch(`${url}/status`)).status).toBe(404);
  });

  it('takes --idle-gc, and light traffic costs no collection', async () => {
    const url = await startGw(writeConfig('idle-gc.yaml', ['/a']), ['--status-listen', '127.0.0.1:0', '--idle-gc', '50']);
    const statusUrl = (await gw!.waitFor(/gw status on (http:\/\/127\.0\.0\.1:\d+)\/status/))[1];
    type Status = { memory: { idle_collections: number; heap_total_bytes: number } };
    const status = async () => (await (await fetch(`${statusUrl}/status`)).json()) as Status;
    for (let i = 0; i < 5; i++) expect((await fetch(`${url}/a/x`)).status).toBe(200);
    // Many quiet periods: a few small requests grow nothing worth a full collection.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const memory = (await status()).memory;
    expect(memory.idle_collections).toBe(0);
    expect(memory.heap_total_bytes).toBeGreaterThan(0);
    const bad = await runGw(['start', '-s', writeConfig('idle-gc-bad.yaml', ['/a']), '--idle-gc', 'soon'], { env: { DECK_UPSTREAM: upstream.url } });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/idle GC delay must be an integer/);
  });

  it("takes Kong's headers settings: --headers off and --headers-upstream off add none of gw's headers", async () => {
    const url = await startGw(writeConfig('headers-off.yaml', ['/a']), ['--headers', 'off', '--headers-upstream', 'off']);
    const reply = await fetch(`${url}/a/x`);
    expect(reply.status).toBe(200);
    for (const name of ['via', 'x-kong-request-id', 'x-kong-proxy-latency', 'x-kong-upstream-latency']) expect(reply.headers.get(name)).toBeNull();
    const bad = await runGw(['start', '-s', writeConfig('headers-bad.yaml', ['/a']), '--headers', 'server_tokens, x-powered-by'], { env: { DECK_UPSTREAM: upstream.url } });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/headers: unknown value 'x-powered-by'/);
  });

  it('refuses a malformed --status-listen', async () => {
    const result = await runGw(['start', '-s', writeConfig('status-bad.yaml', ['/a']), '--status-listen', 'localhost'], { env: { DECK_UPSTREAM: upstream.url } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/address must be \[host:\]port/);
  });

  it('serves the proxy over TLS too with --ssl-listen, --ssl-cert and --ssl-cert-key', async () => {
    const tlsDir = path.resolve(repoRoot, 'packages/core/test/fixtures/tls');
    await startGw(writeConfig('tls.yaml', ['/a']), ['--ssl-listen', '127.0.0.1:0', '--ssl-cert', path.join(tlsDir, 'cert.pem'), '--ssl-cert-key', path.join(tlsDir, 'key.pem')]);
    const port = Number((await gw!.waitFor(/gw listening on https:\/\/127\.0\.0\.1:(\d+) \(TLS\)/))[1]);
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/a/x', ca: readFileSync(path.join(tlsDir, 'cert.pem')), agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        })
        .on('error', reject);
    });
    expect(reply.status).toBe(200);
    expect((JSON.parse(reply.body) as { headers: Record<string, string> }).headers['x-forwarded-proto']).toBe('https');
  });

  it('refuses --ssl-listen without a readable certificate and key, naming the file but never its contents', async () => {
    const config = writeConfig('tls-bad.yaml', ['/a']);
    const missing = await runGw(['start', '-s', config, '--ssl-listen', '0'], { env: { DECK_UPSTREAM: upstream.url } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('gw: error: --ssl-listen needs --ssl-cert and --ssl-cert-key\n');
    const unreadable = await runGw(['start', '-s', config, '--ssl-listen', '0', '--ssl-cert', '/nonexistent/cert.pem', '--ssl-cert-key', config], { env: { DECK_UPSTREAM: upstream.url } });
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toBe('gw: error: cannot read the TLS certificate /nonexistent/cert.pem (ENOENT)\n');
  });

  it('picks up a replaced TLS certificate on SIGHUP, and keeps the old one when the new pair is bad', async () => {
    const fixtures = path.resolve(repoRoot, 'packages/core/test/fixtures/tls');
    const certFile = path.join(dir, 'rot-cert.pem');
    const keyFile = path.join(dir, 'rot-key.pem');
    const install = (cert: string, key: string) => {
      writeFileSync(certFile, readFileSync(path.join(fixtures, cert)));
      writeFileSync(keyFile, readFileSync(path.join(fixtures, key)));
    };
    install('cert.pem', 'key.pem');
    await startGw(writeConfig('rot.yaml', ['/a']), ['--ssl-listen', '127.0.0.1:0', '--ssl-cert', certFile, '--ssl-cert-key', keyFile]);
    const port = Number((await gw!.waitFor(/gw listening on https:\/\/127\.0\.0\.1:(\d+) \(TLS\)/))[1]);
    /** The certificate the listener presents to a new connection. */
    const presented = () =>
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
          resolve(socket.getPeerX509Certificate()!.fingerprint256);
          socket.end();
        });
        socket.on('error', reject);
      });
    const fingerprint = (file: string) => new X509Certificate(readFileSync(path.join(fixtures, file))).fingerprint256;
    expect(await presented()).toBe(fingerprint('cert.pem'));

    install('cert2.pem', 'key2.pem');
    let mark = gw!.output().length;
    gw!.child.kill('SIGHUP');
    await gw!.waitFor(/\[info\] reloaded the TLS certificate/, mark);
    expect(await presented()).toBe(fingerprint('cert2.pem'));

    install('cert.pem', 'key2.pem'); // a key that doesn't match the certificate
    mark = gw!.output().length;
    gw!.child.kill('SIGHUP');
    await gw!.waitFor(/\[error\] TLS certificate not reloaded: .*; the previous one keeps serving/, mark);
    expect(gw!.output()).not.toContain('PRIVATE KEY');
    expect(await presented()).toBe(fingerprint('cert2.pem'));
  });
});
