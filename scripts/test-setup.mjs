// @ts-check
/**
 * The servers the tests run for real: `redis-server` (shared rate-limit counters), a headless Chromium
 * (the usage report's charts) and Prometheus (scrapes gw's /metrics; the dashboards' queries run on it). `pnpm test` runs this first. On Debian and Ubuntu a missing one is installed
 * from the OS packages (as root, or through passwordless sudo); elsewhere, or when that is not possible,
 * it says how to get them and stops, because a test that silently skips them proves nothing.
 *
 * `node scripts/test-setup.mjs --check` only reports. GW_TEST_REDIS_SERVER / GW_TEST_CHROMIUM /
 * GW_TEST_PROMETHEUS point at binaries outside PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** @typedef {{ name: string, env: string, binaries: string[], debian: string[], elsewhere: string }} Need */

/** @type {Need[]} */
export const NEEDS = [
  {
    name: 'redis-server',
    env: 'GW_TEST_REDIS_SERVER',
    binaries: ['redis-server'],
    debian: ['redis-server'],
    elsewhere: 'macOS: `brew install redis`; Fedora/RHEL: `dnf install redis`; or build from https://redis.io/downloads',
  },
  {
    name: 'Chromium',
    env: 'GW_TEST_CHROMIUM',
    binaries: ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'],
    debian: ['chromium'],
    elsewhere:
      'macOS: `brew install --cask chromium` and set GW_TEST_CHROMIUM to its binary; Fedora: `dnf install chromium`; ' +
      'Ubuntu without snaps: Google Chrome\'s .deb (`google-chrome-stable`)',
  },
  {
    name: 'Prometheus',
    env: 'GW_TEST_PROMETHEUS',
    binaries: ['prometheus'],
    debian: ['prometheus'],
    elsewhere: 'macOS: `brew install prometheus`; Fedora: `dnf install golang-github-prometheus`; or a release binary from https://prometheus.io/download/',
  },
];

/** The first executable of these names on PATH, else undefined. @param {string[]} names @param {string} [path] */
export function which(names, path = process.env.PATH ?? '') {
  for (const name of names) {
    for (const dir of path.split(delimiter)) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

/** Where a need is found: its env override (which must exist), else PATH. */
export function locate(/** @type {Need} */ need) {
  const override = process.env[need.env];
  if (override) return existsSync(override) ? override : undefined;
  return which(need.binaries);
}

function osRelease() {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const field = (/** @type {string} */ key) => new RegExp(`^${key}=\"?([^\"\\n]*)`, 'm').exec(text)?.[1] ?? '';
    return { id: field('ID'), like: field('ID_LIKE') };
  } catch {
    return { id: '', like: '' };
  }
}

const isDebianLike = () => {
  const { id, like } = osRelease();
  return /debian|ubuntu/.test(`${id} ${like}`);
};

/** apt-get as root or through sudo -n (never a password prompt: CI has no stdin). */
function apt(/** @type {string[]} */ args) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const [cmd, argv] = root ? ['apt-get', args] : ['sudo', ['-n', 'apt-get', ...args]];
  const result = spawnSync(cmd, argv, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function install(/** @type {string[]} */ packages) {
  const args = ['install', '-y', '--no-install-recommends', ...packages];
  // A fresh image often has no package lists yet: update once, then try again.
  return apt(args) || (apt(['update']) && apt(args));
}

function main() {
  const checkOnly = process.argv.includes('--check');
  let missing = NEEDS.filter((need) => locate(need) === undefined);
  if (missing.length > 0 && !checkOnly && isDebianLike()) {
    const packages = missing.flatMap((need) => need.debian);
    console.log(`test setup: installing ${packages.join(', ')} from the OS packages`);
    install(packages);
    missing = NEEDS.filter((need) => locate(need) === undefined);
  }
  for (const need of NEEDS) {
    const at = locate(need);
    if (at) console.log(`test setup: ${need.name}: ${at}`);
  }
  if (missing.length === 0) return;
  for (const need of missing) {
    const debian = `Debian/Ubuntu: \`sudo apt-get install ${need.debian.join(' ')}\``;
    console.error(`test setup: ${need.name} is missing (the tests run a real one). ${debian}; ${need.elsewhere}. ` +
      `Or set ${need.env} to its path.`);
  }
  process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
