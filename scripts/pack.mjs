#!/usr/bin/env node
// @ts-check
/**
 * `node scripts/pack.mjs <folder> [package folder…]`: packs every package under packages/ (and the
 * package folders given, e.g. examples/custom-plugin) with `pnpm pack` into <folder>, and prints the
 * tarballs, one a line. Build first (`pnpm build`): it packs what dist/ holds.
 *
 * What ships is made one way: the install test (test/install/tarballs.test.ts) and the container image
 * (examples/deploy/Dockerfile) both run this, then scripts/install-packs.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [dest, ...extra] = process.argv.slice(2);
if (!dest) {
  console.error('usage: node scripts/pack.mjs <folder> [package folder…]');
  process.exit(2);
}

/** pnpm as the caller runs it (`pnpm test` hands its path over as npm_execpath), else the README's `npx -y pnpm@10`. */
function pnpm() {
  const execpath = process.env.npm_execpath;
  if (execpath && basename(execpath).startsWith('pnpm')) return /\.[cm]?js$/.test(execpath) ? [process.execPath, execpath] : [execpath];
  return ['npx', '-y', 'pnpm@10'];
}

const dirs = [
  ...readdirSync(join(root, 'packages'))
    .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
    .map((dir) => join(root, 'packages', dir)),
  ...extra.map((dir) => resolve(dir)),
];
/** @param {string} dir */
const manifest = (dir) => /** @type {{ name: string, version: string }} */ (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')));
for (const dir of dirs) {
  if (dir.startsWith(join(root, 'packages')) && !existsSync(join(dir, 'dist/index.js'))) {
    console.error(`${dir}/dist is missing: run \`pnpm build\` first`);
    process.exit(1);
  }
}
mkdirSync(dest, { recursive: true });
const [command, ...args] = pnpm();
const filters = dirs.flatMap((dir) => ['--filter', manifest(dir).name]);
const packed = spawnSync(command, [...args, '--recursive', ...filters, 'pack', '--pack-destination', resolve(dest)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (packed.status !== 0) {
  process.stderr.write(packed.stdout ?? '');
  console.error(`pnpm pack failed (${packed.status ?? packed.signal})`);
  process.exit(1);
}
// pnpm pack's file name: `@gw/core` 0.1.0 → gw-core-0.1.0.tgz.
const tarballs = dirs.map((dir) => join(resolve(dest), `${manifest(dir).name.replace(/^@/, '').replace('/', '-')}-${manifest(dir).version}.tgz`));
const missing = tarballs.filter((file) => !existsSync(file));
if (missing.length > 0) {
  console.error(`pnpm pack made ${readdirSync(dest).join(', ')}; missing ${missing.join(', ')}`);
  process.exit(1);
}
for (const file of tarballs) console.log(file);
