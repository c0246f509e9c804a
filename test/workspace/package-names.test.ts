/**
 * Tests and the root type check resolve `@gw/<name>` to packages/<name>/src (vitest.config.ts, tsconfig.json):
 * that holds only while every package is named after its folder and has a src/index.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packages = fileURLToPath(new URL('../../packages/', import.meta.url));

describe('workspace packages', () => {
  const dirs = readdirSync(packages).filter((dir) => existsSync(join(packages, dir, 'package.json')));

  it('are found', () => {
    expect(dirs.length).toBeGreaterThan(5);
  });

  for (const dir of dirs) {
    it(`packages/${dir} is @gw/${dir}, with src/index.ts`, () => {
      const manifest = JSON.parse(readFileSync(join(packages, dir, 'package.json'), 'utf8')) as { name: string };
      expect(manifest.name).toBe(`@gw/${dir}`);
      expect(existsSync(join(packages, dir, 'src/index.ts'))).toBe(true);
    });
  }
});
