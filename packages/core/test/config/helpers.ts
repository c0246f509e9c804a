import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { loadConfig, formatProblem } from '../../src/config/index.js';
import type { LoadOptions, LoadResult, GatewayConfig } from '../../src/config/index.js';
import { testRegistry } from './test-registry.js';

/** Write the given files into a fresh temp folder; returns their paths in order. */
export function writeFiles(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

export async function load(files: Record<string, string>, options: Partial<LoadOptions> = {}): Promise<LoadResult> {
  return loadConfig(writeFiles(files), { plugins: testRegistry(), env: {}, ...options });
}

/** Load and expect success; warnings are formatted without the temp folder. */
export async function loadOk(files: Record<string, string>, options: Partial<LoadOptions> = {}): Promise<GatewayConfig & { warnings: string[] }> {
  const paths = writeFiles(files);
  const result = await loadConfig(paths, { plugins: testRegistry(), env: {}, ...options });
  if (!result.ok) throw new Error(`expected the config to load:\n${result.problems.map(formatProblem).join('\n')}`);
  const dir = `${dirname(paths[0])}${sep}`;
  return Object.assign(result.config, { warnings: result.warnings.map((w) => w.split(dir).join('')) });
}

/** Load and expect failure; returns formatted problems without the temp folder. */
export async function loadFail(files: Record<string, string>, options: Partial<LoadOptions> = {}): Promise<string[]> {
  const paths = writeFiles(files);
  const result = await loadConfig(paths, { plugins: testRegistry(), env: {}, ...options });
  if (result.ok) throw new Error('expected the config to fail');
  const dir = `${dirname(paths[0])}${sep}`;
  return result.problems.map((p) => formatProblem(p).split(dir).join(''));
}
