// Every package reports the version in its own package.json (one mechanism: packageVersion), and
// `gw --version` prints the CLI's.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GW_VERSION } from '@gw/core';
import { aiProxyPlugin } from '@gw/plugin-ai-proxy';
import fileLog from '@gw/plugin-file-log';
import keyAuth from '@gw/plugin-key-auth';
import opentelemetry from '@gw/plugin-opentelemetry';
import prometheus from '@gw/plugin-prometheus';
import rateLimiting from '@gw/plugin-rate-limiting';
import aiRateLimitingAdvanced from '@gw/plugin-ai-rate-limiting-advanced';
import { run, describeRun } from '../support/commands.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const versionOf = (pkg: string) => (JSON.parse(readFileSync(new URL(`../../packages/${pkg}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;

describe('package versions', () => {
  it.each([
    ['core', () => GW_VERSION],
    ['plugin-ai-proxy', () => aiProxyPlugin.version],
    ['plugin-file-log', () => fileLog.version],
    ['plugin-key-auth', () => keyAuth.version],
    ['plugin-opentelemetry', () => opentelemetry.version],
    ['plugin-prometheus', () => prometheus.version],
    ['plugin-rate-limiting', () => rateLimiting.version],
    ['plugin-ai-rate-limiting-advanced', () => aiRateLimitingAdvanced.version],
  ])('@gw/%s reports its package.json version', (pkg, reported) => {
    expect(reported()).toBe(versionOf(pkg));
  });

  it('gw --version prints the version of @gw/cli', async () => {
    const result = await run(process.execPath, ['packages/cli/dist/bin.js', '--version'], { cwd: repoRoot });
    expect(result.code, describeRun('gw --version', result)).toBe(0);
    expect(result.stdout.trim()).toBe(versionOf('cli'));
  });
});
