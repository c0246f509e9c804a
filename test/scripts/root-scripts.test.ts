// The root package's scripts as a newcomer runs them: `pnpm gw` from a sub-folder resolves paths there,
// and `pnpm demo --help` documents the demo's settings, which the README's quick start lists too.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRun, pnpm, run, shellEnv } from '../support/commands.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const example = join(repoRoot, 'examples/claude-code-bedrock');

describe('pnpm gw', () => {
  it('resolves -s against the folder it was typed in', async () => {
    const { command, args } = pnpm();
    const result = await run(command, [...args, 'gw', 'sync', '-s', 'kong.yaml', '--mock-env'], { cwd: example });
    expect(result.code, describeRun('pnpm gw sync -s kong.yaml (in examples/claude-code-bedrock)', result)).toBe(0);
    expect(result.stdout).toContain('valid: kong.yaml');
  }, 60_000);

  it('leaves a direct `node scripts/gw.mjs` in its own folder, whatever INIT_CWD an outer run left', async () => {
    const env = shellEnv({ INIT_CWD: example });
    const result = await run(process.execPath, ['scripts/gw.mjs', 'sync', '-s', 'examples/claude-code-bedrock/kong.yaml', '--mock-env'], { cwd: repoRoot, env });
    expect(result.code, describeRun('node scripts/gw.mjs sync', result)).toBe(0);
    expect(result.stdout).toContain('valid: examples/claude-code-bedrock/kong.yaml');
  });
});

describe('pnpm demo --help', () => {
  it('prints the usage with every setting, exit 0, and the README quick start lists the same settings', async () => {
    const result = await run(process.execPath, ['scripts/demo.mjs', '--help'], { cwd: repoRoot });
    expect(result.code, describeRun('node scripts/demo.mjs --help', result)).toBe(0);
    const settings = [...result.stdout.matchAll(/^ {2}([A-Z][A-Z0-9_]+) /gm)].map((m) => m[1]);
    expect(settings).toEqual(['GW_PORT', 'EMULATOR_PORT']);
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    for (const name of settings) expect(readme, `README.md should mention ${name}`).toContain(name);
  });

  it('refuses an unknown flag or a bad port with the usage, exit 2', async () => {
    const flag = await run(process.execPath, ['scripts/demo.mjs', '--bogus'], { cwd: repoRoot });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('usage: pnpm demo');
    const port = await run(process.execPath, ['scripts/demo.mjs'], { cwd: repoRoot, env: shellEnv({ GW_PORT: 'eighty' }) });
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('GW_PORT must be a port number');
  });
});
