/**
 * gw as a user gets it outside a checkout: every user-installable package packed with `pnpm pack`, the
 * tarballs installed with npm into an empty folder (third-party dependencies from the registry), by the two
 * scripts the container image runs (scripts/pack.mjs, scripts/install-packs.mjs), then the
 * installed `gw` run there: --version, sync and start on the Claude Code → Bedrock example against the
 * (installed) Bedrock emulator, called with the real @anthropic-ai/sdk; usage over a log (its page inlines
 * the installed chart.js); and the example custom plugin, packed and installed the same way, loaded with
 * --plugins. The test script builds dist/ first; this packs
 * what is built. npm's cache lives in the repository's .cache/ so later runs reuse the downloads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { DEFAULT_CREDENTIALS } from '@gw/bedrock-emulator';
import { describeRun, run, start, type LongRunning } from '../support/commands.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/**
 * What a user installs: every package under packages/ (the CLI, the libraries and plugins it is made of,
 * and the emulator, optional, to try gw offline). Read from the folder, so a new package can't be left out.
 */
const PACKAGES = readdirSync(join(repoRoot, 'packages'))
  .filter((dir) => existsSync(join(repoRoot, 'packages', dir, 'package.json')))
  .map((dir) => `packages/${dir}`);
const CUSTOM_PLUGIN = 'examples/custom-plugin';
const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

const manifest = (dir: string) => JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as { name: string; version: string };
/** pnpm pack's file name: `@gw/core` 0.1.0 → gw-core-0.1.0.tgz. */
const tarballName = (dir: string) => `${manifest(dir).name.replace(/^@/, '').replace('/', '-')}-${manifest(dir).version}.tgz`;

let work: string;
let app: string;
const running: LongRunning[] = [];
const servers: Server[] = [];

/** The installed bins, run from the install folder as a user runs them. */
const bin = (name: string) => join(app, 'node_modules/.bin', name);
/** Only what gw needs; never the EC2 metadata address or the developer's ~/.aws (tests talk only to 127.0.0.1). */
const gwEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/gw-tests/.aws/credentials',
  AWS_CONFIG_FILE: '/nonexistent/gw-tests/.aws/config',
  ...extra,
});

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gw-install-'));
  const packs = join(work, 'packs');
  app = join(work, 'app');
  mkdirSync(app);

  // The two scripts the container image runs too (examples/deploy/Dockerfile): what is tested is what ships.
  const packed = await run(process.execPath, [join(repoRoot, 'scripts/pack.mjs'), packs, join(repoRoot, CUSTOM_PLUGIN)], { cwd: repoRoot, timeoutMs: 120_000 });
  if (packed.code !== 0) throw new Error(describeRun('node scripts/pack.mjs', packed));
  const tarballs = packed.stdout.trim().split('\n');
  const expected = [...PACKAGES, CUSTOM_PLUGIN].map((dir) => join(packs, tarballName(dir)));
  if (tarballs.join('\n') !== expected.join('\n')) throw new Error(`pack.mjs made ${tarballs.join(', ')}; expected ${expected.join(', ')}`);

  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'gw-install-check', private: true }));
  const flags = ['--prefer-offline', '--cache', join(repoRoot, '.cache/npm')];
  const installed = await run(process.execPath, [join(repoRoot, 'scripts/install-packs.mjs'), packs, app, ...flags], { cwd: app, timeoutMs: 280_000 });
  if (installed.code !== 0) throw new Error(describeRun('node scripts/install-packs.mjs', installed));
}, 300_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('installed from the pnpm pack tarballs with npm', () => {
  it('gw --version prints the version of @gw/cli', async () => {
    const result = await run(bin('gw'), ['--version'], { cwd: app, env: gwEnv() });
    expect(result.code, describeRun('gw --version', result)).toBe(0);
    expect(result.stdout.trim()).toBe(manifest('packages/cli').version);
  });

  it('gw models reads the catalogue shipped in @gw/model-catalogue', async () => {
    const result = await run(bin('gw'), ['models', '--json', '--region', 'eu-west-1'], { cwd: app, env: gwEnv() });
    expect(result.code, describeRun('gw models --json', result)).toBe(0);
    const listed = JSON.parse(result.stdout) as { models: { id: string; bedrockTarget?: { modelId: string } }[] };
    const haiku = listed.models.find((m) => m.id === 'claude-haiku-4-5-20251001');
    expect(haiku?.bedrockTarget?.modelId).toBe('eu.anthropic.claude-haiku-4-5-20251001-v1:0');
  });

  it('gw sync and gw start serve the Claude Code → Bedrock example: an Anthropic SDK request is answered and logged', async () => {
    const logPath = join(app, 'claude.json');
    const source = readFileSync(join(repoRoot, 'examples/claude-code-bedrock/kong.yaml'), 'utf8');
    if (!source.includes('path: /tmp/claude.json')) throw new Error('examples/claude-code-bedrock/kong.yaml changed: update this test');
    writeFileSync(join(app, 'kong.yaml'), source.replace('path: /tmp/claude.json', `path: ${logPath}`));

    const credentials = DEFAULT_CREDENTIALS[0]!;
    const deck = { DECK_AWS_ACCESS_KEY_ID: credentials.accessKeyId, DECK_AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, DECK_AWS_REGION: 'us-east-1' };
    const sync = await run(bin('gw'), ['sync', '-s', 'kong.yaml'], { cwd: app, env: gwEnv(deck) });
    expect(sync.code, describeRun('gw sync -s kong.yaml', sync)).toBe(0);
    expect(sync.stdout).toContain('valid: kong.yaml');

    const emulator = start(bin('gw-bedrock-emulator'), ['--port', '0', '--host', '127.0.0.1'], { cwd: app, env: gwEnv() });
    running.push(emulator);
    const [, emulatorUrl] = await emulator.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);

    const gw = start(bin('gw'), ['start', '-s', 'kong.yaml', '--port', '0', '--host', '127.0.0.1'], {
      cwd: app,
      env: gwEnv({ ...deck, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulatorUrl! }),
    });
    running.push(gw);
    const [, gwUrl] = await gw.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);

    const client = new Anthropic({ baseURL: `${gwUrl}/anything`, apiKey: 'sk-ant-install-test', maxRetries: 0 });
    const message = await client.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi [scenario:text]' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the Bedrock emulator.' }]);

    const line = await eventually(() => (existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').find(Boolean) : undefined), `a line in ${logPath}\n${gw.output()}`);
    const record = JSON.parse(line) as { response: { status: number }; ai?: { proxy?: { usage?: { completion_tokens?: number } } } };
    expect(record.response.status).toBe(200);
    expect(record.ai?.proxy?.usage?.completion_tokens).toBe(message.usage.output_tokens);
  });

  it('gw usage reads a log and writes its page with the installed chart.js inlined', async () => {
    const record = {
      started_at: Date.parse('2026-11-02T10:00:00Z'),
      response: { status: 200 },
      latencies: { request: 12 },
      consumer: { id: 'c-1', username: 'alice' },
      ai: { proxy: { meta: { request_model: MODEL }, usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110, cost: 0.00045 } } },
    };
    writeFileSync(join(app, 'usage.json'), `${JSON.stringify(record)}\n`);
    const result = await run(bin('gw'), ['usage', '--json', '--html', 'usage.html', 'usage.json'], { cwd: app, env: gwEnv() });
    expect(result.code, describeRun('gw usage --json --html usage.html usage.json', result)).toBe(0);
    expect(JSON.parse(result.stdout).total).toMatchObject({ requests: 1, input_tokens: 100, output_tokens: 10, cost: 0.00045 });
    expect(readFileSync(join(app, 'usage.html'), 'utf8')).toMatch(/Chart\.js v4\./);
  });

  it('a custom plugin package installed the same way loads with --plugins bundled,<name> and stamps responses', async () => {
    const upstream = createServer((req, res) => res.end(JSON.stringify({ stamp: req.headers['x-gw-request-stamp'] ?? null })));
    servers.push(upstream);
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    copyFileSync(join(repoRoot, CUSTOM_PLUGIN, 'kong.yaml'), join(app, 'stamp.yaml'));
    const plugins = `bundled,${manifest(CUSTOM_PLUGIN).name}`;
    const sync = await run(bin('gw'), ['sync', '-s', 'stamp.yaml', '--plugins', plugins, '--mock-env'], { cwd: app, env: gwEnv() });
    expect(sync.code, describeRun(`gw sync --plugins ${plugins}`, sync)).toBe(0);
    expect(sync.stdout).toContain('header-stamp: 2');

    const env = gwEnv({ DECK_UPSTREAM_URL: upstreamUrl, DECK_HEADER_STAMP_SIGNING_KEY: 'install-test-signing-key' });
    const gw = start(bin('gw'), ['start', '-s', 'stamp.yaml', '--plugins', plugins, '--port', '0', '--host', '127.0.0.1'], { cwd: app, env });
    running.push(gw);
    const [, gwUrl] = await gw.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);

    const stamped = await fetch(`${gwUrl}/stamped/anything`);
    expect(stamped.status, gw.output()).toBe(200);
    expect(stamped.headers.get('x-gw-stamp')).toBe('stamped GET 200');

    const signed = await fetch(`${gwUrl}/signed`);
    const body = (await signed.json()) as { stamp: string | null };
    expect(signed.headers.get('x-gw-stamp')).toMatch(/ signed; sig=[\w-]+$/);
    expect(body.stamp).toBe(signed.headers.get('x-gw-stamp'));
  });
});

/** Polls until `read()` returns a value (file-log writes after the response). */
async function eventually<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}
