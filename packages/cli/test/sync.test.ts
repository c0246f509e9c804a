import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGw } from './support/gw-process.js';

let dir: string;
const file = (name: string, lines: string[]) => {
  const target = path.join(dir, name);
  writeFileSync(target, `${lines.join('\n')}\n`);
  return target;
};

beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'gw-cli-sync-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = [
  '_format_version: "3.0"',
  'services:',
  '  - name: echo',
  '    url: ${{ env "DECK_UPSTREAM" }}',
  '    routes:',
  '      - name: a',
  '        paths: [/a]',
  '      - name: b',
  '        paths: [/b]',
  '        plugins:',
  '          - name: file-log',
  '            config: { path: /tmp/gw-sync-test.log }',
  'consumers:',
  '  - username: alice',
];

describe('gw sync', () => {
  it('prints what a valid file declares and exits 0', async () => {
    const good = file('good.yaml', GOOD);
    const result = await runGw(['sync', '-s', good], { env: { DECK_UPSTREAM: 'http://127.0.0.1:9' } });
    expect(result.stdout).toBe([`valid: ${good}`, 'services: 1', 'routes: 2', 'plugins: 1 (file-log: 1)', 'consumers: 1', ''].join('\n'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('reads the file from standard input with -s - (decK), also merged with others', async () => {
    const result = await runGw(['sync', '-s', '-'], { env: { DECK_UPSTREAM: 'http://127.0.0.1:9' }, input: `${GOOD.join('\n')}\n` });
    expect(result.stdout).toBe(['valid: -', 'services: 1', 'routes: 2', 'plugins: 1 (file-log: 1)', 'consumers: 1', ''].join('\n'));
    expect(result.code).toBe(0);

    const extra = file('extra-stdin.yaml', ['_format_version: "3.0"', 'routes:', '  - name: c', '    service: { name: echo }', '    paths: [/c]']);
    const merged = await runGw(['sync', '-s', '-', extra, '--mock-env'], { input: `${GOOD.join('\n')}\n` });
    expect(merged.stdout).toContain('routes: 3\n');

    const bad = await runGw(['sync', '-s', '-', '--mock-env'], { input: '_format_version: "3.0"\nroutes:\n  - name: a\n    paths: [a]\n' });
    expect(bad.stderr).toBe('<stdin>:4:13 routes[0].paths[0]: must start with "/" or "~/"\ninvalid: 1 problem in -\n');
    expect(bad.code).toBe(1);

    const twice = await runGw(['sync', '-s', '-', '-', '--mock-env'], { input: `${GOOD.join('\n')}\n` });
    expect(twice.stderr).toContain('standard input (-) can be given only once');
    expect(twice.code).toBe(1);
  });

  it('merges several files given with -s and --state', async () => {
    const good = file('good.yaml', GOOD);
    const extra = file('extra.yaml', ['_format_version: "3.0"', 'routes:', '  - name: c', '    service: { name: echo }', '    paths: [/c]']);
    const result = await runGw(['sync', '-s', good, '--state', extra, '--mock-env']);
    expect(result.stdout).toContain('routes: 3\n');
    expect(result.code).toBe(0);
  });

  it('needs the DECK_* variables unless --mock-env', async () => {
    const good = file('good.yaml', GOOD);
    const missing = await runGw(['sync', '-s', good]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("environment variable 'DECK_UPSTREAM' present in state file but not set");
    expect(missing.stderr).toContain('hint: export the DECK_ variables, or check the file without secrets: gw sync --mock-env');
    expect((await runGw(['sync', '-s', good, '--mock-env'])).code).toBe(0);
  });

  it('prints every problem on its own line and exits 1', async () => {
    const bad = file('bad.yaml', [
      '_format_version: "3.0"',
      'services:',
      '  - name: echo',
      '    url: http://127.0.0.1:9',
      '    routes:',
      '      - name: a',
      '        paths: [a]',
      '        colour: blue',
    ]);
    const result = await runGw(['sync', '-s', bad]);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      `${bad}:7:17 services[0].routes[0].paths[0]: must start with "/" or "~/"`,
      `${bad}:8:9 services[0].routes[0].colour: unknown field`,
      `invalid: 2 problems in ${bad}`,
      '',
    ]);
    expect(result.code).toBe(1);
  });

  it('prints JSON with --json', async () => {
    const good = file('good.yaml', GOOD);
    const ok = await runGw(['sync', '-s', good, '--json', '--mock-env']);
    expect(JSON.parse(ok.stdout)).toEqual({
      ok: true,
      summary: { services: 1, routes: 2, plugins: { 'file-log': 1 }, consumers: 1 },
      warnings: expect.any(Array),
    });
    expect(ok.code).toBe(0);

    const bad = file('bad.yaml', ['_format_version: "3.0"', 'routes:', '  - name: a', '    paths: [a]']);
    const failed = await runGw(['sync', '-s', bad, '--json']);
    expect(JSON.parse(failed.stdout)).toEqual({
      ok: false,
      problems: [{ file: bad, line: 4, column: 13, path: 'routes[0].paths[0]', message: 'must start with "/" or "~/"' }],
    });
    expect(failed.code).toBe(1);
  });

  it('fails with one line, naming the package, when a plugin cannot be found', async () => {
    const good = file('good.yaml', GOOD);
    const result = await runGw(['sync', '-s', good, '--mock-env', '--plugins', 'bundled,gw-plugin-nowhere']);
    expect(result.stderr).toBe(`gw: error: cannot find plugin package 'gw-plugin-nowhere' from ${dir}\n`);
    expect(result.code).toBe(1);

    const viaEnv = await runGw(['sync', '-s', good, '--mock-env', '--json'], { env: { GW_PLUGINS: 'gw-plugin-nowhere' } });
    expect(JSON.parse(viaEnv.stdout)).toEqual({ ok: false, error: `cannot find plugin package 'gw-plugin-nowhere' from ${dir}` });
    expect(viaEnv.code).toBe(1);
  });

  it('loads only the plugins listed: a config using an unlisted bundled plugin is invalid', async () => {
    const good = file('good.yaml', GOOD);
    const result = await runGw(['sync', '-s', good, '--mock-env', '--plugins', 'ai-proxy']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/good\.yaml:11:\d+ services\[0\]\.routes\[1\]\.plugins\[0\]\.name: .*file-log/);
  });
});

describe('gw --help and --version', () => {
  it('documents every command', async () => {
    const top = await runGw(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: gw \[options\] \[command\]/);
    expect(top.stdout).toMatch(/sync \[options\]/);
    expect(top.stdout).toMatch(/start \[options\]/);

    const sync = await runGw(['sync', '--help']);
    expect(sync.stdout).toContain('-s, --state <files...>');
    expect(sync.stdout).toContain('--mock-env');
    const start = await runGw(['start', '--help']);
    expect(start.stdout).toContain('--drain-timeout <ms>');
    expect(start.stdout).toContain('(default: 8000)');
  });

  it('prints the version and rejects bad flags', async () => {
    expect((await runGw(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const bad = await runGw(['start', '--port', 'eighty']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("option '-p, --port <port>' argument 'eighty' is invalid. port must be an integer from 0 to 65535");
  });

  it('warns about a file-log folder that does not exist, or a path that is a folder, naming where; relative paths from the file\'s folder', async () => {
    const config = (logPath: string) => [
      '_format_version: "3.0"',
      'plugins:',
      '  - name: file-log',
      `    config: { path: ${logPath} }`,
    ];
    const missing = file('log-missing.yaml', config(path.join(dir, 'no-such-folder', 'gw.json')));
    const result = await runGw(['sync', '-s', missing]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: ${missing}:4:21 plugins[0].config.path: the folder ${path.join(dir, 'no-such-folder')} does not exist: ` +
        'lines wait in memory (bounded) and are written once it is created\n',
    );

    const folder = file('log-folder.yaml', config(dir));
    expect((await runGw(['sync', '-s', folder])).stderr).toContain(`plugins[0].config.path: ${dir} is a folder, not a file`);

    // Relative: against the config file's folder, whatever the working directory.
    const relative = file('log-relative.yaml', config('gw-relative.json'));
    const fine = await runGw(['sync', '-s', path.basename(relative)], { cwd: dir });
    expect(fine.stderr).toBe('');
    const elsewhere = await runGw(['sync', '-s', relative], { cwd: path.dirname(dir) });
    expect(elsewhere.stderr).toBe('');
  });
});
