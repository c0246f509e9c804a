#!/usr/bin/env node
// @ts-check
/**
 * `node install-packs.mjs <tarball folder> <app folder> [npm install flags…]`: installs every tarball in
 * the folder (scripts/pack.mjs made them) into the app folder with npm, all at once (@gw/cli depends on
 * the other @gw packages at exactly its version: npm finds them only in the same install); their
 * dependencies come from the npm registry. The app folder gets a package.json if it has none. Then
 * `<app folder>/node_modules/.bin/gw` is gw.
 *
 * The install test (test/install/tarballs.test.ts) and the container image (examples/deploy/Dockerfile)
 * both run this: what the test installs is what the image holds. It needs only Node and npm.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [packs, app, ...flags] = process.argv.slice(2);
if (!packs || !app) {
  console.error('usage: node install-packs.mjs <tarball folder> <app folder> [npm install flags…]');
  process.exit(2);
}
const tarballs = readdirSync(packs)
  .filter((name) => name.endsWith('.tgz'))
  .sort()
  .map((name) => join(resolve(packs), name));
if (tarballs.length === 0) {
  console.error(`no .tgz in ${packs}`);
  process.exit(1);
}
mkdirSync(app, { recursive: true });
if (!existsSync(join(app, 'package.json'))) writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'gw-app', private: true }, null, 2)}\n`);
const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', ...flags, ...tarballs];
const installed = spawnSync('npm', args, { cwd: app, stdio: 'inherit' });
if (installed.status !== 0) {
  console.error(`npm ${args.join(' ')} failed (${installed.status ?? installed.signal})`);
  process.exit(1);
}
