// End to end: the built `gw` CLI loads this package by name from the example's folder and stamps real traffic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGw, spawnGw, type GwProcess } from '../../../packages/cli/test/support/gw-process.js';
import { startEchoUpstream, type EchoUpstream } from '../../../packages/cli/test/support/echo-upstream.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const config = path.join(exampleDir, 'kong.yaml');
const signingKey = 'test-signing-key-0123456789';
const plugins = ['--plugins', 'bundled,gw-plugin-header-stamp'];

describe('gw-plugin-header-stamp through the gw CLI', () => {
  let upstream: EchoUpstream;
  let gw: GwProcess;
  let url: string;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    gw = spawnGw(['start', '-s', config, ...plugins, '--port', '0', '--host', '127.0.0.1'], {
      env: { DECK_UPSTREAM_URL: upstream.url, DECK_HEADER_STAMP_SIGNING_KEY: signingKey },
    });
    url = (await gw.waitFor(/gw listening on (http:\/\/127\.0\.0\.1:\d+) \(2 routes, 2 plugins\)/))[1];
  });

  afterAll(async () => {
    expect(await gw.stop()).toBe(0);
    await upstream.close();
  });

  it('stamps responses with the templated value', async () => {
    const response = await fetch(`${url}/stamped/hello`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gw-stamp')).toBe('stamped GET 200');
    expect(((await response.json()) as { url: string }).url).toBe('/hello');
  });

  it('sends the same signed stamp upstream and to the client', async () => {
    const response = await fetch(`${url}/signed`, { method: 'POST', body: 'x' });
    const seen = (await response.json()) as { headers: Record<string, string> };
    const stamp = response.headers.get('x-gw-stamp')!;
    expect(seen.headers['x-gw-request-stamp']).toBe(stamp);
    const [value, sig] = stamp.split('; sig=');
    expect(value).toMatch(/^\S+ signed$/);
    expect(sig).toBe(createHmac('sha256', signingKey).update(value).digest('base64url'));
  });
});

describe('gw sync with the plugin', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'gw-header-stamp-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validates the example offline without its secrets (mock env)', async () => {
    const result = await runGw(['sync', '-s', config, ...plugins, '--mock-env']);
    expect(result.stderr).not.toMatch(/error|problem/);
    expect(result.stdout).toContain('plugins: 2 (header-stamp: 2)');
    expect(result.code).toBe(0);
  });

  it('reports the plugin as unknown when it is not loaded', async () => {
    const result = await runGw(['sync', '-s', config, '--mock-env']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/kong\.yaml:\d+:\d+ services\[0\]\.routes\[0\]\.plugins\[0\]\.name: .*header-stamp/);
  });

  it("reports schema and validate() problems at the config's place in the file", async () => {
    const file = path.join(dir, 'kong.yaml');
    writeFileSync(
      file,
      [
        '_format_version: "3.0"',
        'plugins:',
        '  - name: header-stamp',
        '    config:',
        '      header: "bad header"',
        '  - name: header-stamp',
        '    route: r',
        '    config:',
        '      header: Content-Length',
        'routes:',
        '  - name: r',
        '    paths: [/r]',
        '',
      ].join('\n'),
    );
    // A path entry: the package folder itself (the config is elsewhere, so its name would not resolve).
    const result = await runGw(['sync', '-s', file, '--plugins', `bundled,${exampleDir}`]);
    expect(result.stderr).toContain(`${file}:5:15 plugins[0].config.header: must be an HTTP header name`);
    expect(result.stderr).toContain(`${file}:9:15 plugins[1].config.header: 'Content-Length' is managed by gw and cannot be stamped`);
    expect(result.code).toBe(1);
  });
});
