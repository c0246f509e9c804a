import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageVersion } from '../src/index.js';

const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

describe('packageVersion', () => {
  it("reads the nearest package.json above the module: this test's package", () => {
    expect(packageVersion(import.meta.url)).toBe(own.version);
  });

  it('walks up any number of folders, as from dist/server/version.js in an installed package', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'gw-version-'));
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'x', version: '3.2.1' }));
    mkdirSync(join(pkg, 'dist/server'), { recursive: true });
    expect(packageVersion(pathToFileURL(join(pkg, 'dist/server/version.js')))).toBe('3.2.1');
  });

  it('says which package.json has no version', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'gw-version-'));
    writeFileSync(join(pkg, 'package.json'), '{"name":"x"}');
    expect(() => packageVersion(pathToFileURL(join(pkg, 'index.js')).href)).toThrow(`${join(pkg, 'package.json')} has no "version"`);
  });
});
